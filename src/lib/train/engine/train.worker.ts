/// <reference lib="webworker" />
/**
 * The train worker: TF.js off the main thread, driven through comlink (docs/architecture.md, Conventions). Expected failures come
 * back as `{ ok: false, error: { name, message } }`; progress is one tagged stream; weights travel transferred.
 */
import { expose, transfer } from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';
import { currentBackend, ensureBackend, probeBackends } from './backends';
import type { AdapterInfo } from './backend-choice';
import type { FitControl } from './fit';
import { fitSession, type SessionOutcome, type SessionRequest } from './session';
import { loadArtifacts, predictRows, type ModelArtifacts } from './artifacts';
import * as data from './prepared';
import { evaluateOnnxFrame } from './onnx-score';
import { evaluation, federatedSets, type FederatedRoundRequest } from './federated-round';
import type { OnnxMapping } from '../../ml/onnx-eval';
import type { Backend, Preprocessing, TrainProgress } from '../../ml/types';
import type { Transform } from '../../contract/preprocessing';

export type TrainRequest = SessionRequest;

export interface TrainError {
	name: string;
	message: string;
}

export type TrainResult = ({ ok: true } & SessionOutcome) | { ok: false; error: TrainError };

/** A session on rows prepared in this worker (`split`): the sets are looked up, not posted. */
export type PreparedTrainRequest = Omit<SessionRequest, 'train' | 'validation'> & { sets: string };

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

/** Expected failures come back as values; a bug in this worker still rejects (docs/architecture.md). */
async function attempt<T extends object>(
	fn: () => Promise<T> | T
): Promise<({ ok: true } & T) | { ok: false; error: TrainError }> {
	try {
		const r = await fn();
		return 'ok' in r && r.ok === false
			? (r as unknown as { ok: false; error: TrainError })
			: { ok: true, ...r };
	} catch (e) {
		return toError(e);
	}
}

/** One session at a time per worker: the GPU and `control` are shared. */
async function session(req: SessionRequest, onProgress?: (p: TrainProgress) => void): Promise<TrainResult> {
	if (running) return failure('BusyError', 'a training run is already in progress in this worker');
	running = true;
	control.cancelled = false;
	control.batches = 0;
	try {
		const result: TrainResult = { ok: true, ...(await fitSession(req, control, onProgress)) };
		return transfer(result, [result.artifacts.weights]);
	} catch (e) {
		return toError(e);
	} finally {
		running = false;
	}
}

/** A scorer on this worker's backend; never switches backends under a running fit (its tensors live there). */
function scorer(artifacts: ModelArtifacts, backend?: Backend): data.Scorer {
	return async (x, rows, width) => {
		if (!running) await ensureBackend(backend);
		const model = await loadArtifacts(artifacts);
		try {
			return (await predictRows(model, x, rows, width)).values;
		} finally {
			model.dispose();
		}
	};
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

	/**
	 * The training session on rows the caller posts (transfer them): the federated participant and any caller
	 * with its own encoded rows. `onProgress` is its own argument: comlink proxies callbacks only at the top level.
	 */
	train(req: TrainRequest, onProgress?: (p: TrainProgress) => void): Promise<TrainResult> {
		return session(req, onProgress);
	},

	/** The same session on sets prepared here by `split`: the train cell and each sweep trial. */
	async trainPrepared(
		req: PreparedTrainRequest,
		onProgress?: (p: TrainProgress) => void
	): Promise<TrainResult> {
		let sets;
		try {
			sets = data.trainingSets(req.sets);
		} catch (e) {
			return toError(e);
		}
		return session({ ...req, train: sets.train, validation: sets.validation }, onProgress);
	},

	/** Stops the run before its next batch. Says how many batches had finished when the request landed. */
	cancel(): { running: boolean; batchesRun: number } {
		if (running) control.cancelled = true;
		return { running, batchesRun: control.batches };
	},

	/** Takes the table the data worker posts on `port` (frame-pipe.ts); answers its handle and shape. */
	receiveFrame(port: MessagePort) {
		return attempt(() => data.receiveFrame(port));
	},

	/** The cell's declared transforms, applied to a staged table in place (prepared.ts transformFrame). */
	transform(frame: string, transforms: Transform[]) {
		return attempt(() => ({ ref: data.transformFrame(frame, transforms) }));
	},

	check(frame: string, opts: data.CheckRequest) {
		return attempt(() => ({ check: data.checkFrame(frame, opts) }));
	},

	split(req: data.SplitRequest) {
		return attempt(() => data.splitFrame(req));
	},

	/** The test split of prepared sets, scored by the model the session returned. */
	scoreTest(req: { sets: string; artifacts: ModelArtifacts; backend?: Backend }) {
		return attempt(() => data.scoreTestSet(req.sets, scorer(req.artifacts, req.backend)));
	},

	evaluateFrame(req: { frame: string; table: string; prep: Preprocessing; artifacts: ModelArtifacts }) {
		return attempt(() => data.evaluateFrame(req, scorer(req.artifacts)));
	},

	/**
	 * A federated participant's round on a staged local table (src/lib/federated/participant.ts): the previous
	 * global model scored on the hold-out, then the training session from the global weights (μ for FedProx). The new
	 * weights come back transferred; the rows never leave this worker.
	 */
	async federatedRound(req: FederatedRoundRequest, onProgress?: (p: TrainProgress) => void) {
		let sets;
		try {
			sets = federatedSets(req);
		} catch (e) {
			return toError(e);
		}
		let previous: { loss: number; accuracy: number | null } = { loss: NaN, accuracy: null };
		if (sets.holdout.rows > 0) {
			const score = scorer({ modelJson: req.modelJson, weights: req.global.slice(0) });
			previous = evaluation(
				sets.holdout,
				await score(sets.holdout.x, sets.holdout.rows, sets.holdout.width),
				sets.task
			);
		}
		const r = await session(
			{
				spec: req.spec,
				train: sets.train,
				validation: sets.holdout,
				task: sets.task,
				classes: sets.classes,
				params: sets.params,
				initialWeights: req.global,
				proximalMu: req.mu
			},
			onProgress
		);
		if (!r.ok) return r;
		const out = {
			ok: true as const,
			weights: r.artifacts.weights,
			examples: r.exampleCount,
			trainLoss: r.metrics.loss,
			evalLoss: previous.loss,
			evalAccuracy: previous.accuracy,
			backend: r.backend
		};
		return transfer(out, [out.weights]);
	},

	/** An imported ONNX graph scored on a staged table (src/lib/train/onnx-cell.ts). */
	evaluateOnnx(req: { frame: string; onnx: ArrayBuffer; mapping: OnnxMapping }) {
		return attempt(() => evaluateOnnxFrame(req));
	},

	async predictFrame(req: { frame: string; prep: Preprocessing; artifacts: ModelArtifacts }) {
		const r = await attempt(() => data.predictFrame(req, scorer(req.artifacts)));
		if (!r.ok) return r;
		const buffers = r.columns.flatMap((c) => (c.values instanceof Float64Array ? [c.values.buffer] : []));
		return transfer(r, buffers);
	},

	release(handles: string[]): void {
		data.release(handles);
	},

	staged(): string[] {
		return data.staged();
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
