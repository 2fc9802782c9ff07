import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
	buildModel,
	disposeModel,
	ModelShapeError,
	reseedDropout,
	type BuildOptions
} from '$lib/train/engine/models';
import type { ModelSpec } from '$lib/ml/types';
import { useCpu } from '../cpu';

const params: BuildOptions['params'] = { optimizer: 'adam', learningRate: 0.01, momentum: 0, seed: 7 };
const mlp: ModelSpec = {
	kind: 'mlp',
	layers: [
		{ units: 8, activation: 'relu' },
		{ units: 4, activation: 'tanh' }
	],
	dropout: 0.25
};
const cnn: ModelSpec = {
	kind: 'cnn',
	image: { height: 8, width: 8, channels: 1 },
	filters: [4, 8],
	kernel: 3,
	dense: 16,
	dropout: 0.1
};

beforeAll(useCpu);

async function weightsOf(o: BuildOptions): Promise<number[][]> {
	const m = buildModel(o);
	const w = await Promise.all(m.getWeights().map(async (t) => Array.from(await t.data())));
	disposeModel(m);
	return w;
}

describe('buildModel', () => {
	test.each([
		{
			name: 'linear regression',
			spec: { kind: 'linear' } as ModelSpec,
			width: 5,
			task: 'regression',
			classes: 0,
			out: 1,
			act: 'linear',
			loss: 'meanSquaredError',
			metric: 'mae'
		},
		{
			name: 'logistic (binary)',
			spec: { kind: 'linear' } as ModelSpec,
			width: 5,
			task: 'binary',
			classes: 2,
			out: 1,
			act: 'sigmoid',
			loss: 'binaryCrossentropy',
			metric: 'acc'
		},
		{
			name: 'softmax (multiclass)',
			spec: { kind: 'linear' } as ModelSpec,
			width: 5,
			task: 'multiclass',
			classes: 4,
			out: 4,
			act: 'softmax',
			loss: 'sparseCategoricalCrossentropy',
			metric: 'acc'
		},
		{
			name: 'mlp binary',
			spec: mlp,
			width: 6,
			task: 'binary',
			classes: 2,
			out: 1,
			act: 'sigmoid',
			loss: 'binaryCrossentropy',
			metric: 'acc'
		},
		{
			name: 'cnn multiclass',
			spec: cnn,
			width: 64,
			task: 'multiclass',
			classes: 3,
			out: 3,
			act: 'softmax',
			loss: 'sparseCategoricalCrossentropy',
			metric: 'acc'
		}
	] as const)('$name', ({ spec, width, task, classes, out, act, loss, metric }) => {
		const m = buildModel({ spec, width, task, classes, params });
		expect(m.inputs[0].shape).toEqual([null, width]);
		expect(m.outputs[0].shape).toEqual([null, out]);
		expect((m.layers.at(-1)?.getConfig() as { activation: string }).activation).toBe(act);
		expect(m.loss).toBe(loss);
		expect(m.metricsNames).toEqual(['loss', metric]);
		disposeModel(m);
	});

	test('mlp: one dense (+ dropout) per hidden layer, then the output', () => {
		const m = buildModel({ spec: mlp, width: 6, task: 'binary', classes: 2, params });
		expect(m.layers.map((l) => l.getClassName())).toEqual(['Dense', 'Dropout', 'Dense', 'Dropout', 'Dense']);
		disposeModel(m);
	});

	test('cnn: reshape, conv + pool per filter count, flatten, dense, dropout, output', () => {
		const m = buildModel({ spec: cnn, width: 64, task: 'binary', classes: 2, params });
		expect(m.layers.map((l) => l.getClassName())).toEqual([
			'Reshape',
			'Conv2D',
			'MaxPooling2D',
			'Conv2D',
			'MaxPooling2D',
			'Flatten',
			'Dense',
			'Dropout',
			'Dense'
		]);
		disposeModel(m);
	});

	test('the same seed gives the same initial weights; another seed other weights', async () => {
		const o: BuildOptions = { spec: mlp, width: 6, task: 'binary', classes: 2, params };
		const a = await weightsOf(o);
		expect(await weightsOf(o)).toEqual(a);
		expect(await weightsOf({ ...o, params: { ...params, seed: 8 } })).not.toEqual(a);
	});

	test('sgd with and without momentum, adam', () => {
		for (const p of [
			{ ...params, optimizer: 'sgd' as const, momentum: 0 },
			{ ...params, optimizer: 'sgd' as const, momentum: 0.9 },
			params
		]) {
			const m = buildModel({ spec: { kind: 'linear' }, width: 2, task: 'regression', classes: 0, params: p });
			expect(m.optimizer).toBeDefined();
			disposeModel(m);
		}
	});
});

describe('ModelShapeError: a spec that does not fit the data', () => {
	test.each([
		{
			why: 'cnn image size ≠ width',
			spec: cnn,
			width: 63,
			task: 'binary',
			classes: 2,
			msg: /64 values, but each row has 63/
		},
		{
			why: 'zero units',
			spec: { kind: 'mlp', layers: [{ units: 0, activation: 'relu' }], dropout: 0 },
			width: 3,
			task: 'binary',
			classes: 2,
			msg: /0 units/
		},
		{
			why: 'no hidden layer',
			spec: { kind: 'mlp', layers: [], dropout: 0 },
			width: 3,
			task: 'binary',
			classes: 2,
			msg: /at least one hidden layer/
		},
		{ why: 'dropout 1', spec: { ...mlp, dropout: 1 }, width: 3, task: 'binary', classes: 2, msg: /dropout/ },
		{
			why: 'zero width',
			spec: { kind: 'linear' },
			width: 0,
			task: 'regression',
			classes: 0,
			msg: /0 columns/
		},
		{
			why: 'multiclass with one class',
			spec: { kind: 'linear' },
			width: 3,
			task: 'multiclass',
			classes: 1,
			msg: /2\+ classes/
		},
		{
			why: 'cnn without filters',
			spec: { ...cnn, filters: [] },
			width: 64,
			task: 'binary',
			classes: 2,
			msg: /filters/
		},
		{
			why: 'cnn image too small for its blocks',
			spec: { ...cnn, image: { height: 2, width: 32, channels: 1 } },
			width: 64,
			task: 'binary',
			classes: 2,
			msg: /too small/
		}
	] as {
		why: string;
		spec: ModelSpec;
		width: number;
		task: 'binary' | 'multiclass' | 'regression';
		classes: number;
		msg: RegExp;
	}[])('$why', ({ spec, width, task, classes, msg }) => {
		const before = tf.memory().numTensors;
		let err: unknown;
		try {
			buildModel({ spec, width, task, classes, params });
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(ModelShapeError);
		expect((err as Error).name).toBe('ModelShapeError');
		expect((err as Error).message).toMatch(msg);
		expect(tf.memory().numTensors).toBe(before);
	});
});

test('reseedDropout: a new mask per step, the same mask for the same step', async () => {
	const m = buildModel({
		spec: { kind: 'mlp', layers: [{ units: 32, activation: 'relu' }], dropout: 0.5 },
		width: 4,
		task: 'regression',
		classes: 0,
		params
	});
	const x = tf.ones([1, 4]);
	const run = async (step: number) => {
		reseedDropout(m, 1, step);
		const y = m.apply(x, { training: true }) as tf.Tensor;
		const v = Array.from(await y.data());
		y.dispose();
		return v;
	};
	const a = await run(0);
	expect(await run(0)).toEqual(a);
	expect(await run(1)).not.toEqual(a);
	x.dispose();
	disposeModel(m);
});
