import type { ChartData, TableProfile, DataError } from '$lib/data/types';
import type { TrainProgress } from '$lib/ml/types';

/** Live view of a training run: every epoch so far, the last batch, and which backend runs it. */
export interface TrainingLive {
	epochs: Extract<TrainProgress, { kind: 'epoch' }>[];
	batch: Extract<TrainProgress, { kind: 'batch' }> | null;
	backend: Extract<TrainProgress, { kind: 'backend' }> | null;
	/** For a sweep: which trial of how many. */
	trial: { index: number; of: number } | null;
	startedAt: number;
}

/** What a cell is doing in this tab. Not persisted: after a reload every cell starts idle and not live. */
export type CellStatus = 'idle' | 'queued' | 'running' | 'done' | 'error' | 'cancelled';

export interface CellRuntime {
	status: CellStatus;
	/** The cell's result table exists in this tab's DuckDB, so the grid can page through all of it. */
	live: boolean;
	/** Bumped on every successful run, so views holding pages of an older result refetch. */
	generation: number;
	chart: ChartData | null;
	profile:
		| { state: 'loading' }
		| { state: 'ready'; profile: TableProfile }
		| { state: 'error'; error: DataError }
		| null;
	training: TrainingLive | null;
}

export function idleRuntime(): CellRuntime {
	return { status: 'idle', live: false, generation: 0, chart: null, profile: null, training: null };
}
