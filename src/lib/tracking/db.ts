import Dexie, { type Table } from 'dexie';
import type { Notebook } from '$lib/notebook/schema';
import type { DatasetMeta } from '$lib/data/types';
import { backfillOutbox } from './backfill';
import type { LocalModel, LocalModelVersion, OutboxEntry, SyncStateRow } from './sync-schema';
import type { Artifact, Experiment, MetricRow, Run } from './run-schema';

export type { LocalModel, LocalModelVersion, OutboxEntry, SyncStateRow } from './sync-schema';

export interface DatasetFile {
	id: string;
	blob: Blob;
}

/**
 * The browser's database: the source of truth (docs/architecture.md). Each schema change is a new `version()` with an
 * upgrade function where data must move; never edit a shipped version.
 */
export class EdgebookDB extends Dexie {
	notebooks!: Table<Notebook, string>;
	datasets!: Table<DatasetMeta, string>;
	datasetFiles!: Table<DatasetFile, string>;
	experiments!: Table<Experiment, string>;
	runs!: Table<Run, string>;
	metrics!: Table<MetricRow, number, Omit<MetricRow, 'id'>>;
	artifacts!: Table<Artifact, string>;
	outbox!: Table<OutboxEntry, number, Omit<OutboxEntry, 'seq'>>;
	syncState!: Table<SyncStateRow, string>;
	models!: Table<LocalModel, string>;
	modelVersions!: Table<LocalModelVersion, string>;

	constructor(name = 'edgebook', options?: ConstructorParameters<typeof Dexie>[1]) {
		super(name, options);
		this.version(1).stores({
			notebooks: 'id, updatedAt, deletedAt',
			datasets: 'id, &name, addedAt',
			datasetFiles: 'id'
		});
		// Tracking (MLflow-like). Only new tables, so no upgrade function: v1 data stays as it is.
		// - runs: [experimentId+startedAt] lists an experiment's runs in time order; parentId finds a sweep's trials;
		//   status finds runs left 'running' by a closed tab; deletedAt (null is not indexed) finds the trash.
		// - metrics: [runId+key+step] returns one key's history ordered by step (ties in arrival order, by id);
		//   its prefixes serve [runId+key] and runId lookups, so no second index slows down every appended point.
		// - artifacts: &[runId+name] keeps one file per name per run, as an artifact path is in MLflow.
		this.version(2).stores({
			experiments: 'id, &name, createdAt',
			runs: 'id, [experimentId+startedAt], startedAt, parentId, status, deletedAt',
			metrics: '++id, [runId+key+step]',
			artifacts: 'id, &[runId+name]'
		});
		// Sync (docs/sync.md). outbox: the auto-increment key is the client's sequence number, so entries leave
		// in the order their writes committed; `state` finds the pending ones in that order. models and
		// modelVersions are the local registry; a version's number is null until the registry assigns it.
		// The upgrade gives experiments their name-derived ids and queues everything made before v3, so a user
		// who signs in later still syncs it.
		this.version(3)
			.stores({
				outbox: '++seq, state',
				syncState: 'key',
				models: 'name',
				modelVersions: 'id, modelName, [modelName+version], sourceRunId'
			})
			.upgrade((tx) => backfillOutbox(tx));
	}
}

let instance: EdgebookDB | null = null;
export function db(): EdgebookDB {
	instance ??= new EdgebookDB();
	return instance;
}

/** Point the module at another database (tests; a node process that plays several browsers). */
export function useDb(d: EdgebookDB | null): void {
	instance = d;
}
