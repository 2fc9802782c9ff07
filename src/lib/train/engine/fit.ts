/**
 * The training loop. Manual rather than `model.fit` so that a cancel lands between two batches, a backend that
 * dies mid-run can be swapped for the next one, and every number is read with `await data()` (WebGPU cannot
 * read synchronously, and a sync read stalls the GPU pipeline everywhere else).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed, mulberry32, shuffle } from '../../ml/random';
import { disposeModel, reseedDropout } from './models';
import { restoreWeights, snapshotWeights, type WeightSnapshot } from './artifacts';
import { yieldToEvents } from './yield';
import { trainStep } from './step';
import type { Backend, Encoded, Task, TrainParams, TrainProgress } from '../../ml/types';

export type EpochRecord = Extract<TrainProgress, { kind: 'epoch' }>;

/** Shared with the worker's `cancel()`: it sets `cancelled`; the loop counts finished batches. */
export interface FitControl {
	cancelled: boolean;
	batches: number;
}

export interface FitOptions {
	/** A fresh compiled model on the active backend (seeded, or from given weights: the same ones every call). */
	build: () => tfl.LayersModel;
	train: Encoded;
	validation: Encoded;
	task: Task;
	params: TrainParams;
	backend: Backend;
	control: FitControl;
	onProgress?: (p: TrainProgress) => unknown;
	/** A `batch` event every this many batches (default: about ten per epoch). */
	batchEvery?: number;
	/** Where to go, in order, when the backend fails mid-run; `activate` switches TF.js and verifies it. */
	fallbacks?: Backend[];
	activate?: (b: Backend) => Promise<{ ok: true } | { ok: false; error: string }>;
	/** Why the active backend can no longer run (a lost WebGPU device), checked before each batch. */
	lost?: (b: Backend) => string | null;
	/** Test hook: throw a backend failure once, before this batch (1-based epoch and batch). */
	failAt?: { epoch: number; batch: number };
	/** FedProx's μ: adds μ/2·‖w − w_start‖² to each batch's loss (step.ts). 0 or absent: plain training. */
	proximalMu?: number;
}

export interface FitResult {
	model: tfl.LayersModel;
	backend: Backend;
	history: EpochRecord[];
	epochs: number;
	stoppedEarly: boolean;
	cancelled: boolean;
	/** The epoch whose weights the model holds when early stopping restored them, else null. */
	restoredEpoch: number | null;
}

interface Data {
	x: tf.Tensor2D;
	y: tf.Tensor2D;
	vx: tf.Tensor2D | null;
	vy: tf.Tensor2D | null;
	/** The proximal term's w_start on this backend (trainable-weight order), when there is one. */
	anchor: tf.Tensor[];
}

const upload = (t: Encoded, v: Encoded, anchor: WeightSnapshot): Data => ({
	x: tf.tensor2d(t.x, [t.rows, t.width]),
	y: tf.tensor2d(t.y, [t.rows, 1]),
	vx: v.rows > 0 ? tf.tensor2d(v.x, [v.rows, v.width]) : null,
	vy: v.rows > 0 ? tf.tensor2d(v.y, [v.rows, 1]) : null,
	anchor: anchor.map((w) => tf.tensor(w.values, w.shape, 'float32'))
});

const tensorsOf = (d: Data): tf.Tensor[] =>
	[d.x, d.y, d.vx, d.vy, ...d.anchor].filter((t): t is tf.Tensor => t !== null);

/** The trainable weights as they are now, read to JS memory (they outlive a backend switch). */
async function trainableSnapshot(model: tfl.LayersModel): Promise<WeightSnapshot> {
	return Promise.all(
		model.trainableWeights.map(async (w) => ({
			shape: w.shape as number[],
			values: Float32Array.from((await w.read().data()) as Float32Array)
		}))
	);
}

/** Disposing on a backend that just died can throw too; the run goes on either way. */
function quietly(fn: () => void): void {
	try {
		fn();
	} catch {
		/* already broken */
	}
}

export class InjectedBackendFailure extends Error {
	name = 'InjectedBackendFailure';
}

export class BackendLostError extends Error {
	name = 'BackendLostError';
}

export async function fit(o: FitOptions): Promise<FitResult> {
	const { params, control } = o;
	const started = performance.now();
	const emit = (p: TrainProgress) => void Promise.resolve(o.onProgress?.(p)).catch(() => undefined);
	const bs = Math.max(1, Math.floor(params.batchSize));
	const batches = Math.ceil(o.train.rows / bs);
	// About ten batch events an epoch, and never more than 16 batches between two reads.
	const every = o.batchEvery ?? Math.min(16, Math.max(1, Math.ceil(batches / 10)));
	const earlyStopping = params.patience > 0 && o.validation.rows > 0;
	const fallbacks = [...(o.fallbacks ?? [])];
	let backend = o.backend;
	const mu = o.proximalMu ?? 0;
	if (!(mu >= 0) || !Number.isFinite(mu))
		throw new RangeError(`the proximal term's mu must be a finite number ≥ 0, not ${mu}`);
	let model = o.build();
	const anchor = mu > 0 ? await trainableSnapshot(model) : [];
	let data = upload(o.train, o.validation, anchor);
	let good: WeightSnapshot = await snapshotWeights(model);
	let best: { loss: number; epoch: number; weights: WeightSnapshot } | null = null;
	let sinceBest = 0;
	let injected = false;
	const history: EpochRecord[] = [];
	let stoppedEarly = false;
	let cancelled = false;

	async function runEpoch(epoch: number): Promise<EpochRecord | null> {
		const order = shuffle(
			Int32Array.from({ length: o.train.rows }, (_, i) => i),
			mulberry32(deriveSeed(params.seed, 1000 + epoch))
		);
		// Sums of loss × rows and metric × rows stay on the device; they are read at batch events and at the end.
		let sums: tf.Tensor1D = tf.zeros([2]);
		let totals: ArrayLike<number>;
		try {
			for (let b = 0; b < batches; b++) {
				if (control.cancelled) return null;
				const lost = o.lost?.(backend);
				if (lost) throw new BackendLostError(lost);
				if (o.failAt && !injected && o.failAt.epoch === epoch + 1 && o.failAt.batch === b + 1) {
					injected = true;
					throw new InjectedBackendFailure(`injected failure of ${backend} before batch ${b + 1}`);
				}
				reseedDropout(model, params.seed, epoch * batches + b);
				const idx = order.subarray(b * bs, Math.min(o.train.rows, (b + 1) * bs));
				const step = tf.tidy(() => {
					const i = tf.tensor1d(idx, 'int32');
					const proximal = mu > 0 ? { mu, anchor: data.anchor } : null;
					return trainStep(model, tf.gather(data.x, i), tf.gather(data.y, i), proximal);
				});
				const previous = sums;
				sums = tf.tidy(() => tf.add(previous, tf.mul(step, idx.length)));
				previous.dispose();
				control.batches++;
				try {
					if ((b + 1) % every === 0 || b + 1 === batches) {
						// The one read per `every` batches; it also keeps a GPU from queueing a whole epoch ahead.
						const [loss] = await step.data();
						emit({ kind: 'batch', epoch: epoch + 1, batch: b + 1, batches, loss });
					}
				} finally {
					step.dispose();
				}
				// A comlink `cancel()` is a message: it can only land while the loop is parked on the event queue.
				await yieldToEvents();
			}
			totals = await sums.data();
		} finally {
			sums.dispose();
		}
		const [valLoss, valMetric] = data.vx && data.vy ? await evaluate(model, data.vx, data.vy) : [NaN, NaN];
		good = await snapshotWeights(model);
		return {
			kind: 'epoch',
			epoch: epoch + 1,
			epochs: params.epochs,
			loss: totals[0] / o.train.rows,
			valLoss,
			metric: totals[1] / o.train.rows,
			valMetric,
			elapsedMs: performance.now() - started
		};
	}

	try {
		for (let epoch = 0; epoch < params.epochs;) {
			let record: EpochRecord | null;
			try {
				record = await runEpoch(epoch);
			} catch (e) {
				const next = await switchBackend(e, epoch);
				if (next === null) throw e;
				continue; // the same epoch again, on the new backend, from the last good weights
			}
			if (record === null) {
				cancelled = true;
				break;
			}
			history.push(record);
			emit(record);
			epoch++;
			if (earlyStopping) {
				// A NaN loss (a diverged epoch) never counts as the best.
				const better =
					best === null ||
					record.valLoss < best.loss ||
					(Number.isNaN(best.loss) && !Number.isNaN(record.valLoss));
				if (better) {
					best = { loss: record.valLoss, epoch: record.epoch, weights: good };
					sinceBest = 0;
				} else if (++sinceBest >= params.patience) {
					stoppedEarly = true;
					break;
				}
			}
		}
	} catch (e) {
		quietly(() => disposeModel(model));
		throw e;
	} finally {
		quietly(() => tf.dispose(tensorsOf(data)));
	}

	// With early stopping on, the model returned is the best one by validation loss (also after a cancel).
	// A cancel restores it even when it is the last finished epoch: that drops the half-trained one.
	let restoredEpoch: number | null = null;
	if (best && (cancelled || best.epoch !== history.at(-1)?.epoch)) {
		restoreWeights(model, best.weights);
		restoredEpoch = best.epoch;
	}
	emit({ kind: 'done', epochs: history.length, stoppedEarly, cancelled });
	return { model, backend, history, epochs: history.length, stoppedEarly, cancelled, restoredEpoch };

	/** Move to the next backend that activates; rebuild model and data there. Null when none is left. */
	async function switchBackend(cause: unknown, epoch: number): Promise<Backend | null> {
		if (!o.activate) return null;
		const failed = backend;
		const skipped: string[] = [];
		for (let next = fallbacks.shift(); next !== undefined; next = fallbacks.shift()) {
			const r = await o.activate(next);
			if (!r.ok) {
				skipped.push(`${next}: ${r.error}`);
				continue;
			}
			quietly(() => disposeModel(model));
			quietly(() => tf.dispose(tensorsOf(data)));
			backend = next;
			model = o.build();
			restoreWeights(model, good);
			data = upload(o.train, o.validation, anchor);
			const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
			emit({
				kind: 'backend',
				backend,
				failed: { backend: failed, error: why },
				reason:
					`${failed} failed in epoch ${epoch + 1} (${why}); restarted that epoch on ${backend} from the weights ` +
					`after epoch ${epoch} (optimizer state reset)${skipped.length ? `; could not use ${skipped.join(', ')}` : ''}`
			});
			return backend;
		}
		return null;
	}
}

async function evaluate(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<[number, number]> {
	const out = model.evaluate(x, y, { batchSize: 1024 }) as tf.Scalar[];
	try {
		const [loss, metric] = await Promise.all(out.map((t) => t.data()));
		return [loss[0], metric[0]];
	} finally {
		tf.dispose(out);
	}
}
