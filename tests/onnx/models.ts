/** TF.js models for the export tests, built with the app's own builder and saved through its own path. */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { predictRows, restoreWeights, saveArtifacts, snapshotWeights } from '$lib/train/engine/artifacts';
import { buildModel } from '$lib/train/engine/models';
import type { ModelSpec, Task } from '$lib/ml/types';

const params = { optimizer: 'adam' as const, learningRate: 0.01, momentum: 0, seed: 11 };

/** A small seeded generator: the same inputs and weights on every run. */
export function random(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (s * 1664525 + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
}

/**
 * Built by buildModel, then every weight redrawn: fresh models have zero biases, which would let a dropped or
 * misplaced bias pass unnoticed.
 */
export async function appModel(opts: {
	spec: ModelSpec;
	width: number;
	task: Task;
	classes?: number;
}): Promise<tfl.LayersModel> {
	const model = buildModel({ ...opts, classes: opts.classes ?? 2, params });
	const next = random(opts.width * 7 + 3);
	const snapshot = (await snapshotWeights(model)).map((w) => ({
		shape: w.shape,
		values: w.values.map(() => (next() - 0.5) * 1.2)
	}));
	restoreWeights(model, snapshot);
	return model;
}

export function randomRows(rows: number, width: number, seed: number): Float32Array {
	const next = random(seed);
	return Float32Array.from({ length: rows * width }, () => (next() - 0.5) * 4);
}

export async function tfPredict(model: tfl.LayersModel, x: Float32Array, rows: number, width: number) {
	return (await predictRows(model, x, rows, width)).values;
}

export { saveArtifacts, tf };
