import { wrap, type Remote } from 'comlink';
import type { TrainApi } from './engine/train.worker';

export type { TrainApi, TrainRequest, TrainResult, PredictRequest } from './engine/train.worker';

let worker: Worker | null = null;
let remote: Remote<TrainApi> | null = null;

/** The one train worker of this tab, created on first use so no page loads TF.js before it trains. */
export function trainApi(): Remote<TrainApi> {
	if (!remote) {
		worker = new Worker(new URL('./engine/train.worker.ts', import.meta.url), {
			type: 'module',
			name: 'train'
		});
		remote = wrap<TrainApi>(worker);
	}
	return remote;
}

/** Ends the worker and everything on it (a stuck backend, GPU memory); the next `trainApi()` starts a fresh one. */
export function terminateTrainWorker(): void {
	worker?.terminate();
	worker = null;
	remote = null;
}
