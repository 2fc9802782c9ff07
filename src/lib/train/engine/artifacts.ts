/**
 * Weights in and out of a model: plain-array snapshots (they survive a backend switch, since they live in JS
 * memory rather than on a device that may be gone) and the saved artifact, TF.js's own `model.json` + one
 * weights buffer, so any TF.js loader (and our exporters) can read it.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface ModelArtifacts {
	/** TF.js Layers `model.json` (topology + weights manifest pointing at `weights.bin`). */
	modelJson: string;
	/** The bytes of `weights.bin`, in manifest order. */
	weights: ArrayBuffer;
}

export type WeightSnapshot = { shape: number[]; values: Float32Array }[];

export class ArtifactError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ArtifactError';
	}
}

export async function snapshotWeights(model: tfl.LayersModel): Promise<WeightSnapshot> {
	// getWeights() hands out the variables themselves: read, copy, never dispose them.
	return Promise.all(
		model
			.getWeights()
			.map(async (w) => ({ shape: w.shape, values: Float32Array.from((await w.data()) as Float32Array) }))
	);
}

export function restoreWeights(model: tfl.LayersModel, snapshot: WeightSnapshot): void {
	const tensors = snapshot.map((w) => tf.tensor(w.values, w.shape, 'float32'));
	try {
		model.setWeights(tensors);
	} finally {
		tf.dispose(tensors);
	}
}

export async function saveArtifacts(model: tfl.LayersModel): Promise<ModelArtifacts> {
	let saved: tf.io.ModelArtifacts | null = null;
	await model.save(
		tf.io.withSaveHandler(async (a) => {
			saved = a;
			return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
		})
	);
	const a = saved as tf.io.ModelArtifacts | null;
	if (!a?.weightSpecs || a.weightData === undefined) throw new ArtifactError('the model saved no weights');
	if (!a.modelTopology || a.modelTopology instanceof ArrayBuffer)
		throw new ArtifactError('the model saved no JSON topology');
	const json: tf.io.ModelJSON = {
		format: a.format,
		generatedBy: a.generatedBy,
		convertedBy: a.convertedBy,
		modelTopology: a.modelTopology,
		weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }]
	};
	return { modelJson: JSON.stringify(json), weights: tf.io.CompositeArrayBuffer.join(a.weightData) };
}

export async function loadArtifacts(a: ModelArtifacts): Promise<tfl.LayersModel> {
	let json: tf.io.ModelJSON;
	try {
		json = JSON.parse(a.modelJson) as tf.io.ModelJSON;
	} catch (e) {
		throw new ArtifactError(`model.json is not JSON: ${e instanceof Error ? e.message : String(e)}`);
	}
	if (!json.modelTopology || !Array.isArray(json.weightsManifest))
		throw new ArtifactError('model.json has no topology or weights manifest');
	return tfl.loadLayersModel(
		tf.io.fromMemory({
			modelTopology: json.modelTopology,
			weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
			weightData: a.weights
		})
	);
}

/** Predictions in batches, read with `await data()`; rows × outputs, row-major. */
export async function predictRows(
	model: tfl.LayersModel,
	x: Float32Array,
	rows: number,
	width: number
): Promise<{ values: Float32Array; outputs: number }> {
	const shape = model.inputs[0]?.shape;
	if (shape?.[1] !== width)
		throw new ArtifactError(`the model takes ${shape?.[1]} columns, the data has ${width}`);
	if (x.length !== rows * width)
		throw new ArtifactError(`x has ${x.length} values, not rows × width = ${rows * width}`);
	const outputs = (model.outputs[0].shape.at(-1) as number | null) ?? 1;
	const values = new Float32Array(rows * outputs);
	const step = 4096;
	for (let start = 0; start < rows; start += step) {
		const n = Math.min(step, rows - start);
		const y = tf.tidy(
			() =>
				model.predict(tf.tensor2d(x.subarray(start * width, (start + n) * width), [n, width])) as tf.Tensor
		);
		try {
			values.set((await y.data()) as Float32Array, start * outputs);
		} finally {
			y.dispose();
		}
	}
	return { values, outputs };
}
