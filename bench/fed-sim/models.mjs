// The paper's two MNIST models in TF.js layers, their model.json + weights.bin exactly as the notebook saves them
// (model.save(tf.io.withSaveHandler(…)), src/lib/train/engine/artifacts.ts), and flat float32 weights ↔ the model.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { PIXELS } from './mnist-data.mjs';

/** 2NN: 784-200-200-10, ReLU (199,210 parameters). CNN: 5×5 conv 32, pool, 5×5 conv 64, pool, 512, 10 (1,663,370). */
export function buildModel(kind) {
	const m = tfl.sequential({ name: `fedsim_${kind}` });
	if (kind === '2nn') {
		m.add(tfl.layers.dense({ units: 200, activation: 'relu', inputShape: [PIXELS] }));
		m.add(tfl.layers.dense({ units: 200, activation: 'relu' }));
	} else if (kind === 'cnn') {
		m.add(tfl.layers.reshape({ targetShape: [28, 28, 1], inputShape: [PIXELS] }));
		m.add(tfl.layers.conv2d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }));
		m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
		m.add(tfl.layers.conv2d({ filters: 64, kernelSize: 5, padding: 'same', activation: 'relu' }));
		m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
		m.add(tfl.layers.flatten());
		m.add(tfl.layers.dense({ units: 512, activation: 'relu' }));
	} else throw new Error(`unknown model ${kind}: 2nn or cnn`);
	m.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
	return m;
}

/** { modelJson, weights: Uint8Array } as the notebook uploads them. */
export async function saveArtifacts(model) {
	let saved = null;
	await model.save(
		tf.io.withSaveHandler(async (a) => {
			saved = a;
			return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
		})
	);
	const modelJson = JSON.stringify({
		format: saved.format,
		generatedBy: saved.generatedBy,
		convertedBy: saved.convertedBy,
		modelTopology: saved.modelTopology,
		weightsManifest: [{ paths: ['weights.bin'], weights: saved.weightSpecs }]
	});
	return { modelJson, weights: new Uint8Array(tf.io.CompositeArrayBuffer.join(saved.weightData)) };
}

/** Flat float32 weights (weights.bin order = model.weights order) → the model's variables. */
export function setFlat(model, flat) {
	let at = 0;
	const tensors = model.weights.map((w) => {
		const size = w.shape.reduce((a, b) => a * b, 1);
		const t = tf.tensor(flat.subarray(at, at + size), w.shape);
		at += size;
		return t;
	});
	if (at !== flat.length) throw new Error(`weights: ${flat.length} floats for a model of ${at}`);
	model.setWeights(tensors);
	tensors.forEach((t) => t.dispose());
}

export function getFlat(model) {
	const parts = model.weights.map((w) => w.read().dataSync());
	const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

/** Test accuracy and mean cross-entropy of `flat` weights on a set, in chunks. */
export function evaluate(model, flat, set, chunk = 500) {
	setFlat(model, flat);
	let right = 0;
	let loss = 0;
	for (let s = 0; s < set.n; s += chunk) {
		const n = Math.min(chunk, set.n - s);
		const probs = tf.tidy(() =>
			model.predict(tf.tensor2d(set.x.subarray(s * PIXELS, (s + n) * PIXELS), [n, PIXELS])).dataSync()
		);
		for (let i = 0; i < n; i++) {
			let best = 0;
			for (let c = 1; c < 10; c++) if (probs[i * 10 + c] > probs[i * 10 + best]) best = c;
			const y = set.y[s + i];
			if (best === y) right++;
			loss -= Math.log(Math.max(1e-7, probs[i * 10 + y]));
		}
	}
	return { accuracy: right / set.n, loss: loss / set.n };
}
