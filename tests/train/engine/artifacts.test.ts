import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ArtifactError, loadArtifacts, predictRows, saveArtifacts } from '$lib/train/engine/artifacts';
import { buildModel, disposeModel } from '$lib/train/engine/models';
import type { ModelSpec } from '$lib/ml/types';
import { useCpu } from '../cpu';

beforeAll(useCpu);

const params = { optimizer: 'adam' as const, learningRate: 0.01, momentum: 0, seed: 5 };

test.each([
	[
		'mlp with dropout',
		{ kind: 'mlp', layers: [{ units: 8, activation: 'elu' }], dropout: 0.3 } as ModelSpec,
		12
	],
	[
		'cnn',
		{
			kind: 'cnn',
			image: { height: 4, width: 3, channels: 1 },
			filters: [2],
			kernel: 2,
			dense: 4,
			dropout: 0
		} as ModelSpec,
		12
	]
])('%s: saved model.json + weights load back and predict the same', async (_name, spec, width) => {
	const model = buildModel({ spec, width, task: 'multiclass', classes: 3, params });
	const x = Float32Array.from({ length: 5 * width }, (_, i) => Math.sin(i));
	const before = await predictRows(model, x, 5, width);
	const a = await saveArtifacts(model);
	const json = JSON.parse(a.modelJson);
	expect(json.format).toBe('layers-model');
	expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
	const bytes = json.weightsManifest[0].weights.reduce(
		(n: number, w: { shape: number[] }) => n + 4 * w.shape.reduce((p, d) => p * d, 1),
		0
	);
	expect(a.weights.byteLength).toBe(bytes);

	const loaded = await loadArtifacts(a);
	const after = await predictRows(loaded, x, 5, width);
	expect(after.outputs).toBe(3);
	expect(Array.from(after.values)).toEqual(Array.from(before.values));
	disposeModel(model);
	loaded.dispose();
});

test('predictRows refuses data of another width, and broken artifacts are ArtifactErrors', async () => {
	const model = buildModel({ spec: { kind: 'linear' }, width: 3, task: 'binary', classes: 2, params });
	const n = tf.memory().numTensors;
	await expect(predictRows(model, new Float32Array(8), 2, 4)).rejects.toThrow(ArtifactError);
	await expect(loadArtifacts({ modelJson: '{not json', weights: new ArrayBuffer(0) })).rejects.toThrow(
		ArtifactError
	);
	expect(tf.memory().numTensors).toBe(n);
	disposeModel(model);
});
