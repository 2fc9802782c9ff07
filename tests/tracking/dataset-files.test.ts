import { beforeEach, describe, expect, it } from 'vitest';
import './helpers';
import { clearDb } from './helpers';
import { db } from '$lib/tracking/db';
import {
	OPFS_MIN_BYTES,
	datasetBlob,
	listDatasets,
	removeDataset,
	saveDataset,
	sweepDatasetFiles
} from '$lib/tracking/datasets';
import type { FileFolder } from '$lib/tracking/opfs-files';
import type { DatasetMeta } from '$lib/data/types';

/** An in-memory folder with the OPFS folder's contract; `failWrites` makes every write throw as a full disk does. */
function memoryFolder(opts: { failWrites?: boolean } = {}) {
	const files = new Map<string, File>();
	const folder: FileFolder = {
		async write(name, blob) {
			if (opts.failWrites) throw new DOMException('quota', 'QuotaExceededError');
			files.set(name, new File([blob], name, { lastModified: Date.now() }));
		},
		async read(name) {
			return files.get(name) ?? null;
		},
		async remove(name) {
			files.delete(name);
		},
		async list() {
			return [...files.values()].map((f) => ({ name: f.name, lastModified: f.lastModified }));
		}
	};
	return { folder, files };
}

const meta = (id: string, bytes: number): DatasetMeta => ({
	id,
	name: `t_${id}`,
	fileName: `${id}.csv`,
	format: 'csv',
	bytes,
	fingerprint: { sha256: 'a'.repeat(64), schema: [{ name: 'a', type: 'VARCHAR' }], rowCount: 1 },
	addedAt: Date.now()
});
const bytes = (n: number) => new Blob([new Uint8Array(n).fill(65)]);

beforeEach(clearDb);

describe('where a dataset file is kept', () => {
	it('a large file goes to OPFS and not into IndexedDB, and reads back whole', async () => {
		const { folder, files } = memoryFolder();
		const saved = await saveDataset(meta('ds_big', OPFS_MIN_BYTES), bytes(OPFS_MIN_BYTES), folder);
		expect(saved.storedIn).toBe('opfs');
		expect(files.get('ds_big')?.size).toBe(OPFS_MIN_BYTES);
		expect(await db().datasetFiles.get('ds_big')).toBeUndefined();
		expect((await listDatasets()).map((d) => [d.id, d.storedIn])).toEqual([['ds_big', 'opfs']]);
		expect((await datasetBlob(saved, folder))?.size).toBe(OPFS_MIN_BYTES);
	});

	it('a file under the threshold stays in IndexedDB with its meta', async () => {
		const { folder, files } = memoryFolder();
		const saved = await saveDataset(meta('ds_small', 10), new Blob(['a,b\n1,2\n']), folder);
		expect(saved.storedIn).toBeUndefined();
		expect(files.size).toBe(0);
		expect(await (await datasetBlob(saved, folder))?.text()).toBe('a,b\n1,2\n');
	});

	it('without OPFS, or when its write fails, a large file goes to IndexedDB and nothing is left in OPFS', async () => {
		const none = await saveDataset(meta('ds_a', OPFS_MIN_BYTES), bytes(OPFS_MIN_BYTES), null);
		expect(none.storedIn).toBeUndefined();
		expect((await datasetBlob(none, null))?.size).toBe(OPFS_MIN_BYTES);
		const { folder, files } = memoryFolder({ failWrites: true });
		const full = await saveDataset(meta('ds_b', OPFS_MIN_BYTES), bytes(OPFS_MIN_BYTES), folder);
		expect(full.storedIn).toBeUndefined();
		expect(files.size).toBe(0);
		expect((await datasetBlob(full, folder))?.size).toBe(OPFS_MIN_BYTES);
	});

	it('a meta that cannot be saved takes its OPFS file away again', async () => {
		const { folder, files } = memoryFolder();
		await saveDataset(meta('ds_1', 5), null, folder);
		// Same table name: the unique index refuses the second meta.
		const clash = { ...meta('ds_2', OPFS_MIN_BYTES), name: 't_ds_1' };
		await expect(saveDataset(clash, bytes(OPFS_MIN_BYTES), folder)).rejects.toThrow();
		expect(files.has('ds_2')).toBe(false);
		expect((await listDatasets()).map((d) => d.id)).toEqual(['ds_1']);
	});

	it('a missing OPFS file reads as null (cleared site data), not as an error', async () => {
		const { folder, files } = memoryFolder();
		const saved = await saveDataset(meta('ds_gone', OPFS_MIN_BYTES), bytes(OPFS_MIN_BYTES), folder);
		files.clear();
		expect(await datasetBlob(saved, folder)).toBeNull();
		expect(await datasetBlob(saved, null)).toBeNull();
	});

	it('removing a dataset removes its meta and its file, wherever the file was', async () => {
		const { folder, files } = memoryFolder();
		await saveDataset(meta('ds_big', OPFS_MIN_BYTES), bytes(OPFS_MIN_BYTES), folder);
		await saveDataset(meta('ds_small', 3), new Blob(['x\n1']), folder);
		await removeDataset('ds_big', folder);
		await removeDataset('ds_small', folder);
		expect(files.size).toBe(0);
		expect(await db().datasetFiles.count()).toBe(0);
		expect(await listDatasets()).toEqual([]);
	});
});

describe('sweeping OPFS leftovers', () => {
	it('removes old files no dataset lists, and spares listed and young ones', async () => {
		const { folder, files } = memoryFolder();
		await saveDataset(meta('ds_kept', OPFS_MIN_BYTES), bytes(OPFS_MIN_BYTES), folder);
		await folder.write('ds_orphan', bytes(4));
		await folder.write('ds_young', bytes(4));
		const later = Date.now() + 11 * 60_000;
		files.set('ds_young', new File([bytes(4)], 'ds_young', { lastModified: later - 60_000 }));
		expect(await sweepDatasetFiles(folder, later)).toEqual(['ds_orphan']);
		expect([...files.keys()].sort()).toEqual(['ds_kept', 'ds_young']);
		expect(await sweepDatasetFiles(null)).toEqual([]);
	});
});
