import type { Notebook } from '$lib/notebook/schema';

/** Where a run was trained, for its page: the notebook's title and the cell's position and kind. */
export function runOrigin(
	notebookId: string | null,
	cellId: string | null,
	nb: Pick<Notebook, 'title' | 'cells'> | null
): { text: string; notebookId: string | null } {
	if (!notebookId) return { text: 'not from a notebook', notebookId: null };
	if (!nb) return { text: `notebook ${notebookId} (no longer in this browser)`, notebookId: null };
	const i = nb.cells.findIndex((c) => c.id === cellId);
	const where = i < 0 ? 'a cell since removed' : `cell ${i + 1} (${nb.cells[i].kind})`;
	return { text: `“${nb.title}”, ${where}`, notebookId };
}
