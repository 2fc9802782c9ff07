/// <reference lib="webworker" />
/**
 * The train worker: TF.js off the main thread, driven through comlink (docs/architecture.md, Conventions). Expected failures come
 * back as `{ ok: false, error: { name, message } }`; progress is one tagged stream; weights travel transferred.
 */
import { expose, transfer } from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';
import {
	activate,
	backendLost,
	chooseBackend,
	currentBackend,
	ensureBackend,
	probeBackends
} from './backends';
import {
	fallbackChain,
	type AdapterInfo,
	type CachedChoice,
	type Preference,
	type Trial
} from './backend-choice';
import { buildModel, disposeModel, validateSpec } from './models';
import { fit, type EpochRecord, type FitControl } from './fit';
import { measureThroughput } from './trial';
import type { BackendFailure } from './backend-note';
import { loadArtifacts, predictRows, saveArtifacts, type ModelArtifacts } from './artifacts';
import type { Backend, Encoded, ModelSpec, Task, TrainParams, TrainProgress } from '../../ml/types';

export interface TrainRequest {
	spec: ModelSpec;
	train: Encoded;
	validation: Encoded;
	task: Task;
	/** Number of classes; 0 for regression. */
	classes: number;
	params: TrainParams;
	preference?: Preference;
	/** The caller's cached choice for this device + `modelShapeKey`: skips the measured trial. */
	cached?: CachedChoice | null;
	/** A `batch` event every this many batches (default about ten per epoch). */
	batchEvery?: number;
	/** Test hook: make the backend fail once before this batch, to exercise the fallback. */
	failAt?: { epoch: number; batch: number };
}

export interface TrainError {
	name: string;
	message: string;
}

export type TrainResult =
	| {
			ok: true;
			/** The backend the model finished on (`tf.getBackend()`, verified). */
			backend: Backend;
			reason: string;
			trials: Trial[];
			adapter: AdapterInfo | null;
			/** Backends that could not run this model on the way, in order (see backend-note.ts). */
			failures: BackendFailure[];
			artifacts: ModelArtifacts;
			history: EpochRecord[];
			epochs: number;
			stoppedEarly: boolean;
			cancelled: boolean;
			/** Early stopping put back the weights of this epoch; null when the last epoch's weights are kept. */
			restoredEpoch: number | null;
			batchesRun: number;
	  }
	| { ok: false; error: TrainError };

export interface PredictRequest {
	artifacts: ModelArtifacts;
	x: Float32Array;
	rows: number;
	width: number;
	backend?: Backend;
}

const control: FitControl = { cancelled: false, batches: 0 };
let running = false;

function failure(name: string, message: string): { ok: false; error: TrainError } {
	return { ok: false, error: { name, message } };
}

function toError(e: unknown): { ok: false; error: TrainError } {
	if (e instanceof Error) return failure(e.name && e.name !== 'Error' ? e.name : 'TrainError', e.message);
	return failure('TrainError', String(e));
}

function checkEncoded(what: string, e: Encoded, width: number): void {
	if (e.width !== width || e.x.length !== e.rows * e.width || e.y.length !== e.rows) {
		const err = new Error(
			`${what}: x has ${e.x.length} values and y ${e.y.length} for ${e.rows} rows × ${e.width} (model width ${width})`
		);
		err.name = 'ShapeMismatchError';
		throw err;
	}
}

const api = {
	async probe(): Promise<{
		available: Backend[];
		adapter: AdapterInfo | null;
		versions: Record<string, string>;
	}> {
		const p = await probeBackends();
		return { ...p, versions: { 'tfjs-core': tf.version_core, 'tfjs-layers': version_layers } };
	},

	/** `onProgress` is its own argument: comlink proxies callbacks only at the top level of a call. */
	async train(req: TrainRequest, onProgress?: (p: TrainProgress) => void): Promise<TrainResult> {
		if (running) return failure('BusyError', 'a training run is already in progress in this worker');
		running = true;
		control.cancelled = false;
		control.batches = 0;
		try {
			const { spec, task, classes, params } = req;
			const width = req.train.width;
			checkEncoded('training data', req.train, width);
			checkEncoded('validation data', req.validation, width);
			if (req.train.rows === 0) return failure('EmptyDataError', 'the training split has no rows');
			validateSpec({ spec, width, task, classes });
			const build = () => buildModel({ spec, width, task, classes, params });

			const choice = await chooseBackend({
				preference: req.preference ?? 'auto',
				cached: req.cached,
				trial: () =>
					measureThroughput({ build, width, task, classes, batchSize: params.batchSize, seed: params.seed })
			});
			void Promise.resolve(
				onProgress?.({ kind: 'backend', backend: choice.backend, reason: choice.reason })
			).catch(() => undefined);
			const { available } = await probeBackends();
			const switches: string[] = [];
			const failures: BackendFailure[] = [...choice.failures];
			const r = await fit({
				build,
				train: req.train,
				validation: req.validation,
				task,
				params,
				backend: choice.backend,
				control,
				batchEvery: req.batchEvery,
				fallbacks: fallbackChain(choice.backend, available, choice.trials),
				activate,
				lost: backendLost,
				failAt: req.failAt,
				onProgress: (p) => {
					if (p.kind === 'backend') {
						switches.push(p.reason);
						if (p.failed) failures.push({ ...p.failed, duringTraining: true });
					}
					return onProgress?.(p);
				}
			});
			let artifacts: ModelArtifacts;
			try {
				artifacts = await saveArtifacts(r.model);
			} finally {
				disposeModel(r.model);
			}
			const result: TrainResult = {
				ok: true,
				backend: r.backend,
				reason: [choice.reason, ...switches].join('; then '),
				trials: choice.trials,
				adapter: choice.adapter,
				failures,
				artifacts,
				history: r.history,
				epochs: r.epochs,
				stoppedEarly: r.stoppedEarly,
				cancelled: r.cancelled,
				restoredEpoch: r.restoredEpoch,
				batchesRun: control.batches
			};
			return transfer(result, [artifacts.weights]);
		} catch (e) {
			return toError(e);
		} finally {
			running = false;
		}
	},

	/** Stops the run before its next batch. Says how many batches had finished when the request landed. */
	cancel(): { running: boolean; batchesRun: number } {
		if (running) control.cancelled = true;
		return { running, batchesRun: control.batches };
	},

	async predict(req: PredictRequest) {
		try {
			// Never switch backends under a running fit: its tensors live on the current one.
			const backend = running ? (currentBackend() ?? 'cpu') : await ensureBackend(req.backend);
			const model = await loadArtifacts(req.artifacts);
			try {
				const { values, outputs } = await predictRows(model, req.x, req.rows, req.width);
				return transfer({ ok: true as const, values, outputs, backend }, [values.buffer]);
			} finally {
				model.dispose();
			}
		} catch (e) {
			return toError(e);
		}
	},

	/** Live tensors on the active backend: flat across runs, or something leaks. */
	memory(): { backend: Backend | null; numTensors: number; numBytes: number } {
		const backend = currentBackend();
		// tf.memory() would initialise a backend by TF.js's own priority when none is set yet.
		if (backend === null) return { backend, numTensors: 0, numBytes: 0 };
		const m = tf.memory();
		return { backend, numTensors: m.numTensors, numBytes: m.numBytes };
	}
};

export type TrainApi = typeof api;

expose(api);
