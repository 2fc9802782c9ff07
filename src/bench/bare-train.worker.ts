/// <reference lib="webworker" />
/**
 * The baseline of bench:train: a hand-written TF.js training loop in a plain module worker, with nothing of the
 * app's train worker (no backend choice, no fit loop, no progress stream, no weight snapshots, no artifacts).
 * The same model (tfjs-layers dense layers, Glorot-uniform init, sigmoid/softmax head), the same optimizer
 * (Adam) and loss as the app, on the same backend modules and wasm files; the data is uploaded once, each epoch
 * gathers shuffled mini-batches from it, and the loss is read once per epoch. Driven through comlink, as the app's
 * worker is, so both pay the same messaging.
 */
import { expose } from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { snapshotWeights } from '$lib/train/engine/artifacts';
import { yieldToEvents } from '$lib/train/engine/yield';

type Backend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface BareTrainRequest {
	backend: Backend;
	/** rows × width, row-major, as `encode()` makes it. */
	x: Float32Array;
	/** A class index per row (0/1 for binary). */
	y: Float32Array;
	rows: number;
	width: number;
	task: 'binary' | 'multiclass';
	classes: number;
	hidden: number[];
	epochs: number;
	batchSize: number;
	learningRate: number;
	seed: number;
	/** Off by default: adds some of the app's habits to the loop, to attribute a gap (BENCH_TRAIN_ATTRIBUTE). */
	extras?: BareExtras;
}

export interface BareExtras {
	/** Accuracy next to the loss every batch, stacked into one 2-vector, as the app's trainStep does. */
	metric?: boolean;
	/** A MessageChannel turn after every batch (the app's yieldToEvents, so that a cancel can land). */
	yieldEach?: boolean;
	/** Read the batch's loss every this many batches, as the app's progress events do (0: never). */
	readEvery?: number;
	/** Read every weight back after each epoch (the app's snapshot, kept for a backend fallback). */
	snapshot?: boolean;
}

export interface BareTrainResult {
	/** `tf.getBackend()` after training. */
	backend: string;
	/** Inside this worker, from the model build to the last epoch's loss read. */
	ms: number;
	loss: number;
	batches: number;
}

const loaders: Record<Backend, () => Promise<unknown>> = {
	cpu: () => import('@tensorflow/tfjs-backend-cpu'),
	webgl: () => import('@tensorflow/tfjs-backend-webgl'),
	webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
	wasm: async () => {
		const [wasm, plain, simd, threaded] = await Promise.all([
			import('@tensorflow/tfjs-backend-wasm'),
			import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'),
			import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'),
			import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url')
		]);
		// As the app does (docs/architecture.md, "Measured facts"): the threaded build hangs in a minified production bundle.
		tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
		wasm.setWasmPaths({
			'tfjs-backend-wasm.wasm': plain.default,
			'tfjs-backend-wasm-simd.wasm': simd.default,
			'tfjs-backend-wasm-threaded-simd.wasm': threaded.default
		});
	}
};
const loaded = new Map<Backend, Promise<unknown>>();

async function use(backend: Backend): Promise<void> {
	if (!loaded.has(backend)) loaded.set(backend, loaders[backend]());
	await loaded.get(backend);
	// setBackend can fail quietly and stay where it was: read it back.
	if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend)
		throw new Error(`TF.js did not switch to ${backend} (it is on ${tf.getBackend()})`);
}

function shuffle(order: Int32Array): void {
	for (let i = order.length - 1; i > 0; i--) {
		const j = Math.floor(Math.random() * (i + 1));
		const t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

const api = {
	async train(req: BareTrainRequest): Promise<BareTrainResult> {
		await use(req.backend);
		const started = performance.now();
		const { rows, width, batchSize: bs } = req;
		const model = tfl.sequential();
		req.hidden.forEach((units, i) =>
			model.add(
				tfl.layers.dense({
					...(i === 0 ? { inputShape: [width] } : {}),
					units,
					activation: 'relu',
					kernelInitializer: tfl.initializers.glorotUniform({ seed: req.seed + i })
				})
			)
		);
		const multiclass = req.task === 'multiclass';
		model.add(
			tfl.layers.dense({
				units: multiclass ? req.classes : 1,
				activation: multiclass ? 'softmax' : 'sigmoid',
				kernelInitializer: tfl.initializers.glorotUniform({ seed: req.seed + req.hidden.length })
			})
		);
		const optimizer = tf.train.adam(req.learningRate);
		const lossFn = multiclass ? tfl.metrics.categoricalCrossentropy : tfl.metrics.binaryCrossentropy;
		const metricFn = multiclass ? tfl.metrics.categoricalAccuracy : tfl.metrics.binaryAccuracy;
		const { metric = false, yieldEach = false, readEvery = 0, snapshot = false } = req.extras ?? {};
		const xs = tf.tensor2d(req.x, [rows, width]);
		// One-hot once, up front: the per-batch work is the same gather as for binary labels.
		const ys = multiclass
			? tf.tidy(() =>
					tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(req.y), 'int32'), req.classes), 'float32')
				)
			: tf.tensor2d(req.y, [rows, 1]);
		const order = Int32Array.from({ length: rows }, (_, i) => i);
		const batches = Math.ceil(rows / bs);
		let loss = NaN;
		try {
			for (let epoch = 0; epoch < req.epochs; epoch++) {
				shuffle(order);
				// The loss (and the metric) summed over the epoch on the device, read once at its end.
				let sum: tf.Tensor = tf.zeros(metric ? [2] : []);
				for (let b = 0; b < batches; b++) {
					const idx = order.subarray(b * bs, Math.min(rows, (b + 1) * bs));
					const step = tf.tidy(() => {
						const i = tf.tensor1d(idx, 'int32');
						const bx = tf.gather(xs, i);
						const by = tf.gather(ys, i);
						const kept: { acc?: tf.Tensor } = {};
						const cost = optimizer.minimize(() => {
							const predicted = model.apply(bx, { training: true }) as tf.Tensor;
							if (metric) kept.acc = tf.keep(tf.mean(metricFn(by, predicted)));
							return tf.mean(lossFn(by, predicted)) as tf.Scalar;
						}, true) as tf.Scalar;
						if (!kept.acc) return cost;
						const both = tf.stack([cost, kept.acc]);
						kept.acc.dispose(); // kept tensors outlive tidy: dispose it by hand, as the app's trainStep does
						return both;
					});
					const previous = sum;
					sum = tf.tidy(() => tf.add(previous, tf.mul(step, idx.length)));
					previous.dispose();
					if (readEvery > 0 && ((b + 1) % readEvery === 0 || b + 1 === batches)) await step.data();
					step.dispose();
					if (yieldEach) await yieldToEvents();
				}
				loss = (await sum.data())[0] / rows;
				sum.dispose();
				if (snapshot) await snapshotWeights(model);
			}
			return {
				backend: tf.getBackend(),
				ms: performance.now() - started,
				loss,
				batches: batches * req.epochs
			};
		} finally {
			tf.dispose([xs, ys]);
			model.dispose();
			optimizer.dispose();
		}
	}
};

export type BareTrainApi = typeof api;

expose(api);
