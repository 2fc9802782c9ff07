import { db } from './db';
import type { DatasetMeta } from '$lib/data/types';

/** Datasets are workspace-wide: every notebook in this browser can query them by table name. */

export async function listDatasets(): Promise<DatasetMeta[]> {
	return db().datasets.orderBy('addedAt').toArray();
}

/** Meta and bytes are written in one transaction, so a dataset is never listed without its file. */
export async function saveDataset(meta: DatasetMeta, blob: Blob | null): Promise<void> {
	const d = db();
	await d.transaction('rw', d.datasets, d.datasetFiles, async () => {
		await d.datasets.put(meta);
		if (blob) await d.datasetFiles.put({ id: meta.id, blob });
	});
}

export async function datasetBlob(id: string): Promise<Blob | null> {
	return (await db().datasetFiles.get(id))?.blob ?? null;
}

export async function removeDataset(id: string): Promise<void> {
	const d = db();
	await d.transaction('rw', d.datasets, d.datasetFiles, async () => {
		await d.datasets.delete(id);
		await d.datasetFiles.delete(id);
	});
}
