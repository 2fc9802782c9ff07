// `node bench/fed-sim/check-conv-grad.mjs`: the paper's CNN's gradients on TF.js's wasm backend with the kernels of
// wasm-conv-grad.mjs, against the CPU backend's (TF.js's own kernels) for the same weights and batch. Exits 1 on a
// difference above 1e-5 relative to the gradient's largest value.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { buildModel, getFlat, setFlat } from './models.mjs';
import { registerWasmConvGrads } from './wasm-conv-grad.mjs';

registerWasmConvGrads();
const n = 4;
const x = Float32Array.from({ length: n * 784 }, (_, i) => ((i * 7919) % 255) / 255);
const labels = Int32Array.from({ length: n }, (_, i) => (i * 3) % 10);

async function gradients(backend, weights) {
	await tf.setBackend(backend);
	const m = buildModel('cnn');
	if (weights) setFlat(m, weights);
	const { grads } = tf.variableGrads(
		() => {
			const p = tf.clipByValue(m.apply(tf.tensor2d(x, [n, 784])), 1e-7, 1);
			return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.tensor1d(labels, 'int32'), 10), tf.log(p)), 1)));
		},
		m.trainableWeights.map((w) => w.read())
	);
	return { weights: getFlat(m), grads: Object.values(grads).map((g) => g.dataSync().slice()) };
}

const cpu = await gradients('cpu', null);
const wasm = await gradients('wasm', cpu.weights);
let worst = 0;
cpu.grads.forEach((g, i) => {
	let diff = 0;
	let scale = 0;
	for (let k = 0; k < g.length; k++) {
		diff = Math.max(diff, Math.abs(g[k] - wasm.grads[i][k]));
		scale = Math.max(scale, Math.abs(g[k]));
	}
	worst = Math.max(worst, diff / (scale || 1));
	console.log(
		`weight ${i} (${g.length}): max |cpu − wasm| ${diff.toExponential(2)}, max |grad| ${scale.toExponential(2)}`
	);
});
console.log(worst < 1e-5 ? 'wasm gradients match the CPU backend' : `MISMATCH: ${worst}`);
process.exitCode = worst < 1e-5 ? 0 : 1;
