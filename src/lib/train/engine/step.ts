/**
 * One optimizer step that leaves its numbers on the device. `model.trainOnBatch` reads the loss back after every
 * batch, and on a GPU that read stalls the pipeline: measured here, forced WebGPU trained ~10× slower that way.
 * The loss and metric are the compiled model's own functions, so the numbers match `trainOnBatch`/`evaluate`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * FedProx's proximal term (Li et al., 2020): μ/2 · ‖w − w_start‖² added to the minimised loss, which keeps a
 * client's local weights near the round's global ones. `anchor` holds w_start in trainable-weight order.
 */
export interface Proximal {
	mu: number;
	anchor: tf.Tensor[];
}

/**
 * [loss, metric] of the batch as a 2-vector, unread; the caller disposes it. The loss reported is the data loss
 * alone, so runs with and without a proximal term compare on the same number (Flower's FedProx reports it so).
 */
export function trainStep(
	model: tfl.LayersModel,
	x: tf.Tensor,
	y: tf.Tensor,
	proximal?: Proximal | null
): tf.Tensor1D {
	const optimizer = model.optimizer;
	// A Sequential compiles an inner functional model and keeps the loss functions there.
	const compiled = (model as tfl.LayersModel & { model?: tfl.LayersModel }).model ?? model;
	const lossFn = compiled.lossFunctions?.[0];
	const metricFn = compiled.metricsTensors?.[0]?.[0];
	if (!optimizer || !lossFn || !metricFn)
		throw new Error('trainStep needs a model compiled with a loss and a metric');
	const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
	if (proximal && proximal.anchor.length !== variables.length)
		throw new Error(
			`the proximal anchor has ${proximal.anchor.length} tensors, the model ${variables.length} trainable weights`
		);
	let metric: tf.Tensor | null = null;
	let dataLoss: tf.Tensor | null = null;
	const minimised = optimizer.minimize(
		() => {
			const predicted = model.apply(x, { training: true }) as tf.Tensor;
			metric = tf.keep(tf.mean(metricFn(y, predicted)));
			const loss = tf.mean(lossFn(y, predicted)) as tf.Scalar;
			if (!proximal || proximal.mu === 0) return loss;
			dataLoss = tf.keep(loss);
			const distance = tf.addN(
				variables.map((v, i) => tf.sum(tf.square(tf.sub(v, proximal.anchor[i]))))
			) as tf.Scalar;
			return tf.add(loss, tf.mul(proximal.mu / 2, distance)) as tf.Scalar;
		},
		true,
		variables
	) as tf.Scalar;
	const reported = (dataLoss ?? minimised) as tf.Tensor;
	const out = tf.stack([reported, metric as unknown as tf.Tensor]) as tf.Tensor1D;
	tf.dispose([minimised, reported, metric as unknown as tf.Tensor]);
	return out;
}
