// A simulated client's local work for one round, as the browser participant does it (src/lib/train/engine/
// federated-round.ts + session.ts): plain SGD from the round's global weights, E local epochs of minibatches of B
// (B = Infinity: one full batch per epoch, FedSGD when E = 1), cross-entropy plus FedProx's μ/2‖w − w_global‖²
// when the task carries μ > 0 (src/lib/ml/federated/fedprox.ts). Then its update's bytes (encodeUpdate).
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
 * The update's body as the job's encoding wants it, in one place so a quantised encoding can be added beside
 * float32 (the new weights, little-endian, weights.bin order). float16/int8 (the difference from `global`,
 * src/lib/ml/federated/quantize.ts) are the server's to define; this sim sends float32 only.
 */
export function encodeUpdate(trained, global, encoding = 'float32') {
	void global;
	if (encoding !== 'float32')
		throw new Error(`fed-sim encodes float32 updates only; ${encoding} is not implemented here yet`);
	return new Uint8Array(trained.buffer, trained.byteOffset, trained.byteLength);
}
