// A simulated client's local work for one round, as the browser participant does it (src/lib/train/engine/
// federated-round.ts + session.ts): plain SGD from the round's global weights, E local epochs of minibatches of B
// (B = Infinity: one full batch per epoch, FedSGD when E = 1), cross-entropy plus FedProx's μ/2‖w − w_global‖²
// when the task carries μ > 0 (src/lib/ml/federated/fedprox.ts). Then its update's bytes (encodeUpdate).
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { CLASSES, PIXELS, shuffle } from './mnist-data.mjs';
import { getFlat, setFlat } from './models.mjs';

/**
 * Trains `model` on the client's rows from `global`; answers its new flat weights and the mean training loss of
 * its last epoch. `epochs` may be fewer than the task's for a straggler.
 */
export function trainLocal(model, { global, data, rows, epochs, batchSize, learningRate, mu, random }) {
	setFlat(model, global);
	const optimizer = tf.train.sgd(learningRate);
	const vars = model.trainableWeights.map((w) => w.read());
	const n = rows.length;
	const B = Math.min(n, Number.isFinite(batchSize) ? batchSize : n);
	// The client's rows once as tensors; minibatches are gathered from them.
	const x = tf.tensor2d(gather(data.x, rows, PIXELS), [n, PIXELS]);
	const y = tf.oneHot(
		tf.tensor1d(
			Int32Array.from(rows, (r) => data.y[r]),
			'int32'
		),
		CLASSES
	);
	const anchors = mu > 0 ? vars.map((v) => tf.keep(v.clone())) : [];
	let lastEpochLoss = 0;
	try {
		for (let e = 0; e < epochs; e++) {
			const order = shuffle([...Array(n).keys()], random);
			let sum = 0;
			let batches = 0;
			for (let s = 0; s < n; s += B) {
				const idx = order.slice(s, s + B);
				const cost = tf.tidy(() => {
					const full = idx.length === n && s === 0;
					const xb = full ? x : tf.gather(x, tf.tensor1d(idx, 'int32'));
					const yb = full ? y : tf.gather(y, tf.tensor1d(idx, 'int32'));
					return optimizer.minimize(() => {
						const p = tf.clipByValue(model.apply(xb, { training: true }), 1e-7, 1);
						const ce = tf.neg(tf.mean(tf.sum(tf.mul(yb, tf.log(p)), 1)));
						if (mu <= 0) return ce;
						const prox = tf.addN(vars.map((v, i) => tf.sum(tf.squaredDifference(v, anchors[i]))));
						return tf.add(ce, tf.mul(mu / 2, prox));
					}, true);
				});
				sum += cost.dataSync()[0];
				cost.dispose();
				batches++;
			}
			lastEpochLoss = sum / batches;
		}
		return { weights: getFlat(model), trainLoss: lastEpochLoss };
	} finally {
		x.dispose();
		y.dispose();
		anchors.forEach((a) => a.dispose());
		optimizer.dispose();
	}
}

function gather(x, rows, width) {
	const out = new Float32Array(rows.length * width);
	rows.forEach((r, i) => out.set(x.subarray(r * width, (r + 1) * width), i * width));
	return out;
}

/**
 * The update's body as the job's encoding wants it: float32, the new weights (little-endian, weights.bin order);
 * float16 or int8, the difference from `global` quantised by the app's own encoder (src/lib/ml/federated/
 * quantize.ts, `quantize` from loadQuantize) with error feedback: `residual` is what this client's previous update
 * left out, and the answer's `residual` is to be passed with its next one. { bytes, residual (null for float32) }.
 */
export function encodeUpdate(trained, global, encoding, quantize, residual) {
	if (encoding === 'float32')
		return { bytes: new Uint8Array(trained.buffer, trained.byteOffset, trained.byteLength), residual: null };
	if (!quantize) throw new Error(`a ${encoding} job needs the quantiser: loadQuantize() first`);
	const delta = new Float32Array(trained.length);
	for (let i = 0; i < delta.length; i++) delta[i] = trained[i] - global[i];
	return quantize.encodeUpdate(delta, encoding, residual);
}

/** src/lib/ml/federated/quantize.ts bundled by esbuild in memory and imported (as bench/federated.mjs does). */
export async function loadQuantize() {
	const { build } = await import('esbuild');
	const out = await build({
		entryPoints: [fileURLToPath(new URL('../../src/lib/ml/federated/quantize.ts', import.meta.url))],
		bundle: true,
		format: 'esm',
		platform: 'neutral',
		write: false,
		logLevel: 'silent'
	});
	return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}
