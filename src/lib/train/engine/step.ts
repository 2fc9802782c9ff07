/**
 * One optimizer step that leaves its numbers on the device. `model.trainOnBatch` reads the loss back after every
 * batch, and on a GPU that read stalls the pipeline: measured here, forced WebGPU trained ~10× slower that way.
 * The loss and metric are the compiled model's own functions, so the numbers match `trainOnBatch`/`evaluate`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** [loss, metric] of the batch as a 2-vector, unread; the caller disposes it. */
export function trainStep(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): tf.Tensor1D {
	const optimizer = model.optimizer;
	// A Sequential compiles an inner functional model and keeps the loss functions there.
	const compiled = (model as tfl.LayersModel & { model?: tfl.LayersModel }).model ?? model;
	const lossFn = compiled.lossFunctions?.[0];
	const metricFn = compiled.metricsTensors?.[0]?.[0];
	if (!optimizer || !lossFn || !metricFn)
		throw new Error('trainStep needs a model compiled with a loss and a metric');
	const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
	let metric: tf.Tensor | null = null;
	const loss = optimizer.minimize(
		() => {
			const predicted = model.apply(x, { training: true }) as tf.Tensor;
			metric = tf.keep(tf.mean(metricFn(y, predicted)));
			return tf.mean(lossFn(y, predicted)) as tf.Scalar;
		},
		true,
		variables
	) as tf.Scalar;
	const out = tf.stack([loss, metric as unknown as tf.Tensor]) as tf.Tensor1D;
	tf.dispose([loss, metric as unknown as tf.Tensor]);
	return out;
}
