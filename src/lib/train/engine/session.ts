/**
 * The training session: "fit this model spec on these encoded rows, from these starting weights, for E epochs,
 * with this optional proximal term; report progress; return the weights, the example count and the metrics".
 * The one entry every caller drives: the train cell and each sweep trial (through the train worker), and next the
 * federated participant (starting weights = the round's global model, μ > 0 for FedProx) and the headless
 * runner (TF.js in Node). It picks the backend, runs `fit`, saves the artifacts; it holds no state of its own
 * beyond the caller's `control` (docs/architecture.md, "The training session").
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { activate, backendLost, chooseBackend, probeBackends, type Probe } from './backends';
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
import { saveArtifacts, type ModelArtifacts } from './artifacts';
import type { BackendFailure } from './backend-note';
import type { Backend, Encoded, ModelSpec, Task, TrainParams, TrainProgress } from '../../ml/types';

export interface SessionRequest {
	spec: ModelSpec;
	train: Encoded;
	validation: Encoded;
	task: Task;
	/** Number of classes; 0 for regression. */
	classes: number;
	params: TrainParams;
	/**
	 * Start from these weights: the bytes of a `weights.bin` this model spec saved (float32, in the model's weight
	 * order). Absent: the seeded initialisation.
	 */
	initialWeights?: ArrayBuffer | null;
	/** FedProx's μ ≥ 0: μ/2·‖w − w_start‖² joins each batch's loss (step.ts). 0 or absent: plain training. */
	proximalMu?: number;
	preference?: Preference;
	/** The caller's cached choice for this device + `modelShapeKey`: skips the measured trial. */
	cached?: CachedChoice | null;
	/** A `batch` event every this many batches (default about ten per epoch). */
	batchEvery?: number;
	/** Test hook: make the backend fail once before this batch, to exercise the fallback. */
	failAt?: { epoch: number; batch: number };
}

/**
 * Where the session runs: the train worker's real backends by default; Node (tests, the headless runner) hands in
 * what it has, e.g. the cpu backend alone.
 */
export interface SessionRuntime {
	probe?: Probe;
	activate?: (backend: Backend) => Promise<{ ok: true } | { ok: false; error: string }>;
}

/** The numbers of the weights returned (the restored epoch's under early stopping), by MLflow-style key. */
export type SessionMetrics = Record<string, number>;

export interface SessionOutcome {
	/** The backend the model finished on (`tf.getBackend()`, verified). */
	backend: Backend;
	reason: string;
	trials: Trial[];
	adapter: AdapterInfo | null;
	/** Backends that could not run this model on the way, in order (see backend-note.ts). */
	failures: BackendFailure[];
	artifacts: ModelArtifacts;
	/** Rows the weights were fit on: FedAvg weighs each client's update by it. */
	exampleCount: number;
	metrics: SessionMetrics;
	history: EpochRecord[];
	epochs: number;
	stoppedEarly: boolean;
	cancelled: boolean;
	/** Early stopping put back the weights of this epoch; null when the last epoch's weights are kept. */
	restoredEpoch: number | null;
	batchesRun: number;
}

/** Starting weights that do not fit the model: the caller's to fix (a version of another spec or width). */
export class WeightsMismatchError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'WeightsMismatchError';
	}
}

export class ShapeMismatchError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ShapeMismatchError';
	}
}

function checkEncoded(what: string, e: Encoded, width: number): void {
	if (e.width !== width || e.x.length !== e.rows * e.width || e.y.length !== e.rows) {
		throw new ShapeMismatchError(
			`${what}: x has ${e.x.length} values and y ${e.y.length} for ${e.rows} rows × ${e.width} (model width ${width})`
		);
	}
}

/** Sets a model's weights from weights.bin bytes, checking the length against the model's own shapes. */
export function setFlatWeights(model: tfl.LayersModel, bytes: ArrayBuffer): void {
	const shapes = model.getWeights().map((w) => w.shape);
	const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
	const expected = sizes.reduce((a, b) => a + b, 0);
	if (bytes.byteLength !== expected * 4) {
		throw new WeightsMismatchError(
			`the starting weights hold ${bytes.byteLength} bytes; this model has ${expected} float32 weights ` +
				`(${expected * 4} bytes) in ${shapes.length} tensors`
		);
	}
	const all = new Float32Array(bytes);
	let at = 0;
	const tensors = shapes.map((shape, i) => {
		const t = tf.tensor(all.subarray(at, at + sizes[i]), shape, 'float32');
		at += sizes[i];
		return t;
	});
	try {
		model.setWeights(tensors);
	} finally {
		tf.dispose(tensors);
	}
}

/** The last kept epoch's numbers under the names the run logs (loss, val_loss, accuracy|mae, val_…). */
function metricsOf(history: EpochRecord[], restoredEpoch: number | null, task: Task): SessionMetrics {
	const kept = restoredEpoch === null ? history.at(-1) : history.find((h) => h.epoch === restoredEpoch);
	if (!kept) return {};
	const name = task === 'regression' ? 'mae' : 'accuracy';
	const all: SessionMetrics = {
		loss: kept.loss,
		val_loss: kept.valLoss,
		[name]: kept.metric,
		[`val_${name}`]: kept.valMetric
	};
	return Object.fromEntries(Object.entries(all).filter(([, v]) => Number.isFinite(v)));
}

/**
 * Runs one session to the end (or to a cancel set on `control`). Throws on a bad request (named errors: shapes,
 * weights, the spec) and when every backend failed; the worker turns those into values.
 */
export async function fitSession(
	req: SessionRequest,
	control: FitControl,
	onProgress?: (p: TrainProgress) => unknown,
	runtime: SessionRuntime = {}
): Promise<SessionOutcome> {
	const { spec, task, classes, params } = req;
	const width = req.train.width;
	checkEncoded('training data', req.train, width);
	checkEncoded('validation data', req.validation, width);
	if (req.train.rows === 0) {
		const e = new Error('the training split has no rows');
		e.name = 'EmptyDataError';
		throw e;
	}
	validateSpec({ spec, width, task, classes });
	const initial = req.initialWeights ?? null;
	const build = () => {
		const model = buildModel({ spec, width, task, classes, params });
		if (initial) {
			try {
				setFlatWeights(model, initial);
			} catch (e) {
				disposeModel(model);
				throw e;
			}
		}
		return model;
	};
	// A mismatch is the caller's error: say so before a backend trial runs the model.
	if (initial) disposeModel(build());

	const probe = runtime.probe ?? (await probeBackends());
	const use = runtime.activate ?? activate;
	const choice = await chooseBackend({
		preference: req.preference ?? 'auto',
		cached: req.cached,
		probe,
		activate: use,
		trial: () =>
			measureThroughput({ build, width, task, classes, batchSize: params.batchSize, seed: params.seed })
	});
	void Promise.resolve(
		onProgress?.({ kind: 'backend', backend: choice.backend, reason: choice.reason })
	).catch(() => undefined);
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
		fallbacks: fallbackChain(choice.backend, probe.available, choice.trials),
		activate: use,
		lost: backendLost,
		failAt: req.failAt,
		proximalMu: req.proximalMu,
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
	return {
		backend: r.backend,
		reason: [choice.reason, ...switches].join('; then '),
		trials: choice.trials,
		adapter: choice.adapter,
		failures,
		artifacts,
		exampleCount: req.train.rows,
		metrics: metricsOf(r.history, r.restoredEpoch, task),
		history: r.history,
		epochs: r.epochs,
		stoppedEarly: r.stoppedEarly,
		cancelled: r.cancelled,
		restoredEpoch: r.restoredEpoch,
		batchesRun: control.batches
	};
}
