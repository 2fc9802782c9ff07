import { db } from './db';
import { newId } from './ids';
import { notebook as notebookSchema, type Cell, type Notebook } from '$lib/notebook/schema';

/** Notebooks in IndexedDB. Reads are validated: a damaged record is reported, never rendered half-broken. */

export async function listNotebooks(): Promise<Notebook[]> {
	const all = await db().notebooks.orderBy('updatedAt').reverse().toArray();
	return all
		.filter((n) => n.deletedAt == null)
		.flatMap((n) => {
			const parsed = notebookSchema.safeParse(n);
			return parsed.success ? [parsed.data] : [];
		});
}

export async function getNotebook(id: string): Promise<Notebook | null> {
	const raw = await db().notebooks.get(id);
	if (!raw || raw.deletedAt != null) return null;
	const parsed = notebookSchema.safeParse(raw);
	if (!parsed.success)
		throw new Error(`Notebook ${id} is damaged in storage: ${parsed.error.issues[0]?.message}`);
	return parsed.data;
}

export function starterCells(): Cell[] {
	return [
		{
			id: newId('c'),
			kind: 'markdown',
			collapsed: false,
			source: '# New notebook\nAdd a dataset on the left, then query it below.'
		},
		{ id: newId('c'), kind: 'sql', collapsed: false, source: 'SELECT 42 AS answer', name: 'q1', output: null }
	];
}

export async function createNotebook(
	title = 'Untitled notebook',
	cells: Cell[] = starterCells()
): Promise<Notebook> {
	const now = Date.now();
	const nb: Notebook = { id: newId('nb'), title, cells, createdAt: now, updatedAt: now, deletedAt: null };
	await db().notebooks.add(nb);
	return nb;
}

export async function saveNotebook(nb: Notebook): Promise<void> {
	// Validate before writing: a bad document must never replace a good one.
	const parsed = notebookSchema.parse(nb);
	await db().notebooks.put({ ...parsed, updatedAt: Date.now() });
}

export async function renameNotebook(id: string, title: string): Promise<void> {
	await db().notebooks.update(id, { title: title.trim() || 'Untitled notebook', updatedAt: Date.now() });
}

export async function duplicateNotebook(id: string): Promise<Notebook> {
	const source = await getNotebook(id);
	if (!source) throw new Error('That notebook no longer exists.');
	const cells = source.cells.map((c) => ({ ...structuredClone(c), id: newId('c') }));
	return createNotebook(`${source.title} (copy)`, cells);
}

/** Deleting is soft so the notebooks page can undo; `purgeDeleted` removes for good. */
export async function deleteNotebook(id: string): Promise<void> {
	await db().notebooks.update(id, { deletedAt: Date.now() });
}

export async function restoreNotebook(id: string): Promise<void> {
	await db().notebooks.update(id, { deletedAt: null });
}

export async function purgeDeleted(olderThanMs = 60_000): Promise<number> {
	const cutoff = Date.now() - olderThanMs;
	return db()
		.notebooks.filter((n) => n.deletedAt != null && n.deletedAt < cutoff)
		.delete();
}

/** Store an imported notebook; the importer already gave it fresh ids, so nothing existing is overwritten. */
export async function addImportedNotebook(nb: Notebook): Promise<Notebook> {
	const stored = { ...notebookSchema.parse(nb), updatedAt: Date.now(), deletedAt: null };
	await db().notebooks.add(stored);
	return stored;
}
