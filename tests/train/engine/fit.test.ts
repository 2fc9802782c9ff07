import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { fit, type FitOptions } from '$lib/train/engine/fit';
import { buildModel, disposeModel } from '$lib/train/engine/models';
import { predictRows, saveArtifacts } from '$lib/train/engine/artifacts';
import { binaryProblem, splitAt } from '$bench/train-bench';
import type { Backend, Encoded, ModelSpec, TrainParams, TrainProgress } from '$lib/ml/types';
import { registerFakeBackend, useCpu } from '../cpu';

const params: TrainParams = {
	optimizer: 'adam',
	learningRate: 0.02,
	momentum: 0,
	batchSize: 32,
	epochs: 8,
	patience: 0,
	seed: 3
};
const mlp: ModelSpec = { kind: 'mlp', layers: [{ units: 16, activation: 'relu' }], dropout: 0.1 };
const [train, validation] = splitAt(binaryProblem({ rows: 500, width: 6, seed: 11 }), 400);

beforeAll(useCpu);
afterEach(useCpu);

function options(over: Partial<FitOptions> & { spec?: ModelSpec } = {}): FitOptions {
	const p = over.params ?? params;
	const data = over.train ?? train;
	const spec = over.spec ?? mlp;
	return {
		build: () => buildModel({ spec, width: data.width, task: over.task ?? 'binary', classes: 2, params: p }),
		train: data,
		validation: over.validation ?? validation,
		task: 'binary',
		params: p,
		backend: 'cpu',
		control: { cancelled: false, batches: 0 },
		...over
	};
}

async function accuracy(model: Parameters<typeof predictRows>[0], e: Encoded): Promise<number> {
	const { values } = await predictRows(model, e.x, e.rows, e.width);
	let right = 0;
	for (let i = 0; i < e.rows; i++) right += Number(values[i] > 0.5) === e.y[i] ? 1 : 0;
	return right / e.rows;
}

describe('fit', () => {
	test('learns a small binary problem; epoch events carry loss, valLoss, metric, valMetric', async () => {
		const events: TrainProgress[] = [];
		const r = await fit(options({ onProgress: (p) => events.push(p) }));
		expect(r.epochs).toBe(8);
		expect(r.history.at(-1)!.valMetric).toBeGreaterThan(0.9);
		expect(r.history.at(-1)!.loss).toBeLessThan(r.history[0].loss);
		expect(await accuracy(r.model, validation)).toBeCloseTo(r.history.at(-1)!.valMetric, 5);
		const epochs = events.filter((e) => e.kind === 'epoch');
		expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
		expect(events.filter((e) => e.kind === 'batch').length).toBeGreaterThan(8);
		expect(events.at(-1)).toEqual({ kind: 'done', epochs: 8, stoppedEarly: false, cancelled: false });
		disposeModel(r.model);
	});

	test('regression (mse, mae) and multiclass (sparse categorical) both lower their loss', async () => {
		const rows = 300;
		const x = Float32Array.from({ length: rows * 2 }, (_, i) => ((i * 7919) % 100) / 50 - 1);
		const reg: Encoded = {
			x,
			y: Float32Array.from({ length: rows }, (_, r) => 2 * x[r * 2] - x[r * 2 + 1]),
			rows,
			width: 2
		};
		const cls: Encoded = {
			x,
			y: Float32Array.from({ length: rows }, (_, r) => (x[r * 2] > 0.3 ? 2 : x[r * 2] > -0.3 ? 1 : 0)),
			rows,
			width: 2
		};
		for (const [task, data, classes] of [
			['regression', reg, 0],
			['multiclass', cls, 3]
		] as const) {
			const p = { ...params, epochs: 6 };
			const r = await fit({
				...options({ train: data, validation: data, params: p }),
				task,
				build: () => buildModel({ spec: mlp, width: 2, task, classes, params: p })
			});
			expect(r.history.at(-1)!.loss).toBeLessThan(r.history[0].loss * 0.8);
			disposeModel(r.model);
		}
	});

	test('the same seed on the same backend repeats the run exactly (dropout included)', async () => {
		const strip = (h: { elapsedMs: number }[]) => h.map(({ elapsedMs: _e, ...rest }) => rest);
		const a = await fit(options({ params: { ...params, epochs: 3 } }));
		const b = await fit(options({ params: { ...params, epochs: 3 } }));
		expect(strip(b.history)).toEqual(strip(a.history));
		const c = await fit(options({ params: { ...params, epochs: 3, seed: 4 } }));
		expect(strip(c.history)).not.toEqual(strip(a.history));
		[a, b, c].forEach((r) => disposeModel(r.model));
	});

	test('early stopping: stops after `patience` epochs without a better valLoss and restores the best weights', async () => {
		// Validation labels are the training labels flipped: the better the model fits, the worse valLoss gets.
		const flipped = { ...validation, y: validation.y.map((v) => 1 - v) };
		const r = await fit(options({ validation: flipped, params: { ...params, epochs: 20, patience: 2 } }));
		expect(r.stoppedEarly).toBe(true);
		const best = r.history.reduce((a, h) => (h.valLoss < a.valLoss ? h : a));
		expect(r.epochs).toBe(best.epoch + 2);
		expect(r.restoredEpoch).toBe(best.epoch);
		const [x, y] = [tf.tensor2d(flipped.x, [flipped.rows, 6]), tf.tensor2d(flipped.y, [flipped.rows, 1])];
		const out = r.model.evaluate(x, y) as tf.Scalar[];
		expect((await out[0].data())[0]).toBeCloseTo(best.valLoss, 4);
		tf.dispose([x, y, ...out]);
		disposeModel(r.model);
	});

	test('cancel set during a batch event stops before the next batch and keeps the partial model', async () => {
		const control = { cancelled: false, batches: 0 };
		const events: TrainProgress[] = [];
		const r = await fit(
			options({
				control,
				batchEvery: 1,
				onProgress: (p) => {
					events.push(p);
					if (p.kind === 'batch' && p.epoch === 2 && p.batch === 3) control.cancelled = true;
				}
			})
		);
		expect(r.cancelled).toBe(true);
		expect(control.batches).toBe(13 + 3); // 400 rows / 32 = 13 batches in epoch 1, then 3
		expect(r.epochs).toBe(1);
		expect(events.at(-1)).toEqual({ kind: 'done', epochs: 1, stoppedEarly: false, cancelled: true });
		expect(await accuracy(r.model, validation)).toBeGreaterThan(0.5);
		disposeModel(r.model);
	});

	test('a cancel that arrives as a separate task (like a worker message) lands within one batch', async () => {
		const control = { cancelled: false, batches: 0 };
		let atCancel = -1;
		const r = await fit(
			options({
				control,
				batchEvery: 1,
				onProgress: (p) => {
					if (p.kind === 'batch' && p.batch === 5 && atCancel < 0)
						setImmediate(() => {
							atCancel = control.batches;
							control.cancelled = true;
						});
				}
			})
		);
		expect(r.cancelled).toBe(true);
		expect(control.batches - atCancel).toBeLessThanOrEqual(1);
		disposeModel(r.model);
	});

	test('tf.memory().numTensors is flat over ten runs (fit, save, predict, dispose)', async () => {
		const counts: number[] = [];
		for (let i = 0; i < 10; i++) {
			const r = await fit(options({ params: { ...params, epochs: 2, patience: 1 } }));
			await saveArtifacts(r.model);
			await predictRows(r.model, validation.x, validation.rows, validation.width);
			disposeModel(r.model);
			counts.push(tf.memory().numTensors);
		}
		expect(new Set(counts).size).toBe(1);
	});
});

describe('a backend that fails mid-run', () => {
	let remove: (() => void) | null = null;
	afterEach(() => {
		remove?.();
		remove = null;
	});

	async function activate(b: Backend): Promise<{ ok: true } | { ok: false; error: string }> {
		const ok = await tf.setBackend(b).catch(() => false);
		return ok && tf.getBackend() === b ? { ok: true } : { ok: false, error: `not ${b}` };
	}

	test('falls back to the next backend, restarts the epoch from the last good weights, and says so', async () => {
		remove = registerFakeBackend('wasm');
		await tf.setBackend('wasm');
		const before = tf.memory().numTensors;
		const events: TrainProgress[] = [];
		const r = await fit(
			options({
				backend: 'wasm',
				fallbacks: ['webgl', 'cpu'], // webgl is not registered in Node: skipped, and said so
				activate,
				failAt: { epoch: 3, batch: 4 },
				onProgress: (p) => events.push(p)
			})
		);
		expect(r.backend).toBe('cpu');
		expect(tf.getBackend()).toBe('cpu');
		const switched = events.filter((e) => e.kind === 'backend');
		expect(switched).toHaveLength(1);
		expect(switched[0]).toMatchObject({ kind: 'backend', backend: 'cpu' });
		const reason = (switched[0] as { reason: string }).reason;
		expect(reason).toMatch(/wasm failed in epoch 3 \(InjectedBackendFailure/);
		expect(reason).toMatch(/from the weights after epoch 2/);
		expect(reason).toMatch(/could not use webgl/);
		expect(r.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
		expect(r.history.at(-1)!.valMetric).toBeGreaterThan(0.9);
		disposeModel(r.model);
		await tf.setBackend('wasm');
		expect(tf.memory().numTensors).toBe(before);
	});

	test('a device reported lost between batches (WebGPU `device.lost`) moves the run on as well', async () => {
		remove = registerFakeBackend('webgpu');
		await tf.setBackend('webgpu');
		const control = { cancelled: false, batches: 0 };
		const events: TrainProgress[] = [];
		const r = await fit(
			options({
				backend: 'webgpu',
				control,
				fallbacks: ['cpu'],
				activate,
				lost: (b) => (b === 'webgpu' && control.batches >= 5 ? 'WebGPU device lost (unknown): test' : null),
				onProgress: (p) => events.push(p)
			})
		);
		expect(r.backend).toBe('cpu');
		expect(events.find((e) => e.kind === 'backend')).toMatchObject({
			backend: 'cpu',
			reason: expect.stringMatching(/^webgpu failed in epoch 1 \(BackendLostError: WebGPU device lost/)
		});
		expect(r.epochs).toBe(params.epochs);
		disposeModel(r.model);
	});

	test('with no backend left, the failure is the error', async () => {
		await expect(fit(options({ fallbacks: [], activate, failAt: { epoch: 1, batch: 1 } }))).rejects.toThrow(
			/injected failure of cpu/
		);
	});
});
