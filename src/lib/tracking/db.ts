import Dexie, { type Table } from 'dexie';
import type { Notebook } from '$lib/notebook/schema';
import type { DatasetMeta } from '$lib/data/types';

export interface DatasetFile {
	id: string;
	blob: Blob;
}

/**
 * The browser's database: the source of truth (DESIGN.md). Each schema change is a new `version()` with an
 * upgrade function where data must move; never edit a shipped version.
 */
export class EdgebookDB extends Dexie {
	notebooks!: Table<Notebook, string>;
	datasets!: Table<DatasetMeta, string>;
	datasetFiles!: Table<DatasetFile, string>;

	constructor(name = 'edgebook') {
		super(name);
		this.version(1).stores({
			notebooks: 'id, updatedAt, deletedAt',
			datasets: 'id, &name, addedAt',
			datasetFiles: 'id'
		});
	}
}

let instance: EdgebookDB | null = null;
export function db(): EdgebookDB {
	instance ??= new EdgebookDB();
	return instance;
}
