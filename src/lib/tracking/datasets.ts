import { db } from './db';
import { opfsFolder, type FileFolder } from './opfs-files';
import type { DatasetMeta } from '$lib/data/types';

/** Datasets are workspace-wide: every notebook in this browser can query them by table name. */

/**
 * Files this large go to OPFS where the browser has it (docs/architecture.md, "Offline"): the flights-3m Parquet
 * (13 MB) and beyond. Smaller ones stay in IndexedDB, in one transaction with their meta.
 */
export const OPFS_MIN_BYTES = 8 * 1024 * 1024;

/** An OPFS file without a meta record older than this is left over from a save that failed part-way. */
const ORPHAN_AGE_MS = 10 * 60_000;

/** The OPFS folder, resolved once; tests pass their own to the functions below. */
let folder: FileFolder | null | undefined;
const defaultFolder = () => (folder === undefined ? (folder = opfsFolder()) : folder);

export async function listDatasets(): Promise<DatasetMeta[]> {
	return db().datasets.orderBy('addedAt').toArray();
}

/**
 * Saves a dataset's meta and its file (null for a bundled sample, fetched again when needed), and returns the meta
 * as stored (`storedIn` says where a large file went). A dataset is never listed without its file: IndexedDB files
 * are written in the meta's transaction; an OPFS file is written first and removed again if the meta is not saved.
 * An OPFS write that fails (quota, a browser that refuses) falls back to IndexedDB.
 */
export async function saveDataset(
	meta: DatasetMeta,
	blob: Blob | null,
	files: FileFolder | null = defaultFolder()
): Promise<DatasetMeta> {
	let stored = meta;
	if (blob && files && blob.size >= OPFS_MIN_BYTES) {
		try {
			await files.write(meta.id, blob);
			stored = { ...meta, storedIn: 'opfs' };
		} catch {
			await files.remove(meta.id).catch(() => undefined);
		}
	}
	const d = db();
	try {
		await d.transaction('rw', d.datasets, d.datasetFiles, async () => {
			await d.datasets.put(stored);
			if (blob && stored.storedIn !== 'opfs') await d.datasetFiles.put({ id: meta.id, blob });
		});
	} catch (e) {
		if (stored.storedIn === 'opfs') await files?.remove(meta.id).catch(() => undefined);
		throw e;
	}
	return stored;
}

/** The dataset's file as stored, or null when it is missing (cleared site data, a sample). */
export async function datasetBlob(
	meta: Pick<DatasetMeta, 'id' | 'storedIn'>,
	files: FileFolder | null = defaultFolder()
): Promise<Blob | null> {
	if (meta.storedIn === 'opfs') return files ? files.read(meta.id) : null;
	return (await db().datasetFiles.get(meta.id))?.blob ?? null;
}

export async function removeDataset(id: string, files: FileFolder | null = defaultFolder()): Promise<void> {
	const d = db();
	await d.transaction('rw', d.datasets, d.datasetFiles, async () => {
		await d.datasets.delete(id);
		await d.datasetFiles.delete(id);
	});
	// After the meta: a file whose removal fails is an orphan the next sweep takes, never a listed dataset
	// without its file.
	await files?.remove(id).catch(() => undefined);
}

/**
 * Removes OPFS files no dataset lists: left by a tab closed between writing a file and saving its meta, or by a
 * removal whose file delete failed. Young files are spared, since another tab may be between those two steps.
 */
export async function sweepDatasetFiles(
	files: FileFolder | null = defaultFolder(),
	now = Date.now()
): Promise<string[]> {
	if (!files) return [];
	const known = new Set(await db().datasets.toCollection().primaryKeys());
	const swept: string[] = [];
	for (const f of await files.list()) {
		if (known.has(f.name) || now - f.lastModified < ORPHAN_AGE_MS) continue;
		await files.remove(f.name);
		swept.push(f.name);
	}
	return swept;
}
