/**
 * What /bench/train's `window.edgebookTrain.run` takes and gives back. Relative imports of plain-type modules only,
 * so the Playwright spec (its own tsconfig, no `$lib`, no Vite) can type-check against the same shapes.
 */
import type { AdapterInfo, Preference, Trial } from '../lib/train/engine/backend-choice';
import type { Backend, TrainProgress } from '../lib/ml/types';

export interface TrainBenchOptions {
	preference: Preference;
	rows?: number;
	width?: number;
	hidden?: number[];
	epochs?: number;
	batchSize?: number;
	seed?: number;
	patience?: number;
	batchEvery?: number;
	/** Call `cancel()` when the worker reports this many finished batches. */
	cancelAfterBatches?: number;
	/** Make the backend fail once before this batch (1-based), to exercise the fallback. */
	failAt?: { epoch: number; batch: number };
}

export interface WorkerMemory {
	backend: Backend | null;
	numTensors: number;
	numBytes: number;
}

export type TrainBenchResult =
	| { ok: false; error: { name: string; message: string }; events: TrainProgress[] }
	| {
			ok: true;
			backend: Backend;
			reason: string;
			trials: Trial[];
			adapter: AdapterInfo | null;
			history: Extract<TrainProgress, { kind: 'epoch' }>[];
			epochs: number;
			stoppedEarly: boolean;
			cancelled: boolean;
			restoredEpoch: number | null;
			batchesRun: number;
			modelJsonBytes: number;
			weightBytes: number;
			/** Share of validation rows predict() gets right (through the saved artifacts). */
			accuracy: number;
			predictError: { name: string; message: string } | null;
			/** tf.getBackend() and live tensors in the worker right after training, then after predict. */
			memoryAfterTrain: WorkerMemory;
			memory: WorkerMemory;
			/** What `cancel()` answered: how many batches had finished when it landed. */
			cancelAt: { running: boolean; batchesRun: number } | null;
			events: TrainProgress[];
	  };
