import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { fitSession, type SessionRequest, type SessionRuntime } from '$lib/train/engine/session';
import { loadArtifacts } from '$lib/train/engine/artifacts';
import { binaryProblem, splitAt } from '$bench/train-bench';
import type { ModelSpec, TrainParams, TrainProgress } from '$lib/ml/types';
import { useCpu } from '../cpu';

const params: TrainParams = {
	optimizer: 'sgd',
	learningRate: 0.2,
	momentum: 0,
	batchSize: 50,
	epochs: 4,
	patience: 0,
	seed: 5
};
const mlp: ModelSpec = { kind: 'mlp', layers: [{ units: 8, activation: 'tanh' }], dropout: 0 };
const [train, validation] = splitAt(binaryProblem({ rows: 500, width: 5, seed: 21 }), 400);
// Node has the cpu backend only: the session is told so instead of probing a browser's.
const cpuOnly: SessionRuntime = {
	probe: { available: ['cpu'], adapter: null },
	activate: async (b) => {
		await tf.setBackend(b);
		return { ok: true };
	}
};

function request(over: Partial<SessionRequest> = {}): SessionRequest {
	return {
		spec: mlp,
		train,
		validation,
		task: 'binary',
		classes: 2,
		params,
		preference: 'cpu',
		...over
	};
}

const control = () => ({ cancelled: false, batches: 0 });
const floats = (b: ArrayBuffer) => Array.from(new Float32Array(b));
/** ‖a − b‖ over two weights.bin buffers. */
const distance = (a: ArrayBuffer, b: ArrayBuffer) => {
	const x = new Float32Array(a);
	const y = new Float32Array(b);
	let s = 0;
	for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2;
	return Math.sqrt(s);
};

beforeAll(useCpu);

describe('fitSession', () => {
	test('returns the weights, the example count and the kept epoch’s metrics, and reports progress', async () => {
		const events: TrainProgress[] = [];
		const r = await fitSession(request(), control(), (p) => events.push(p), cpuOnly);
		expect(r.backend).toBe('cpu');
		expect(r.exampleCount).toBe(400);
		expect(r.epochs).toBe(4);
		const last = r.history.at(-1)!;
		expect(r.metrics).toEqual({
			loss: last.loss,
			val_loss: last.valLoss,
			accuracy: last.metric,
			val_accuracy: last.valMetric
		});
		expect(r.metrics.val_accuracy).toBeGreaterThan(0.8);
		expect(events.filter((e) => e.kind === 'epoch').map((e) => (e as { epoch: number }).epoch)).toEqual([
			1, 2, 3, 4
		]);
		// The artifact loads back as a model whose weights are the bytes returned.
		const model = await loadArtifacts(r.artifacts);
		const loaded = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
		expect(loaded).toEqual(floats(r.artifacts.weights));
		model.dispose();
	});

	test('starts from the given weights: with a learning rate of 0 they come back unchanged', async () => {
		const first = await fitSession(
			request({ params: { ...params, epochs: 2 } }),
			control(),
			undefined,
			cpuOnly
		);
		const frozen = await fitSession(
			request({
				params: { ...params, learningRate: 0, epochs: 1, seed: 99 },
				initialWeights: first.artifacts.weights
			}),
			control(),
			undefined,
			cpuOnly
		);
		expect(floats(frozen.artifacts.weights)).toEqual(floats(first.artifacts.weights));
		// …and training on from them continues where the first session stopped (its loss, not a fresh model's).
		const fresh = await fitSession(
			request({ params: { ...params, epochs: 1, seed: 99 } }),
			control(),
			undefined,
			cpuOnly
		);
		const resumed = await fitSession(
			request({ params: { ...params, epochs: 1, seed: 99 }, initialWeights: first.artifacts.weights }),
			control(),
			undefined,
			cpuOnly
		);
		expect(resumed.history[0].loss).toBeLessThan(fresh.history[0].loss);
	});

	test('a proximal term keeps the weights nearer the start, and the loss it reports is the data loss alone', async () => {
		const start = await fitSession(
			request({ params: { ...params, epochs: 1 } }),
			control(),
			undefined,
			cpuOnly
		);
		const from = { initialWeights: start.artifacts.weights, params: { ...params, epochs: 3 } };
		const plain = await fitSession(request(from), control(), undefined, cpuOnly);
		const prox = await fitSession(request({ ...from, proximalMu: 5 }), control(), undefined, cpuOnly);
		const zero = await fitSession(request({ ...from, proximalMu: 0 }), control(), undefined, cpuOnly);
		expect(distance(prox.artifacts.weights, start.artifacts.weights)).toBeLessThan(
			0.5 * distance(plain.artifacts.weights, start.artifacts.weights)
		);
		// μ = 0 is plain training, weight for weight.
		expect(floats(zero.artifacts.weights)).toEqual(floats(plain.artifacts.weights));
		// The first batch starts at w = w_start, where the term is 0: the two losses agree on the untouched model.
		const lr0 = { ...from, params: { ...params, learningRate: 0, epochs: 1 } };
		const a = await fitSession(request(lr0), control(), undefined, cpuOnly);
		const b = await fitSession(request({ ...lr0, proximalMu: 5 }), control(), undefined, cpuOnly);
		expect(b.history[0].loss).toBeCloseTo(a.history[0].loss, 6);
	});

	test('bad requests are named errors: weights of another shape, a negative μ, rows that do not match', async () => {
		const other = new ArrayBuffer(12);
		await expect(
			fitSession(request({ initialWeights: other }), control(), undefined, cpuOnly)
		).rejects.toMatchObject({
			name: 'WeightsMismatchError',
			message: expect.stringContaining('12 bytes')
		});
		await expect(fitSession(request({ proximalMu: -1 }), control(), undefined, cpuOnly)).rejects.toThrow(
			/mu/
		);
		await expect(
			fitSession(request({ proximalMu: Number.NaN }), control(), undefined, cpuOnly)
		).rejects.toThrow(/mu/);
		const short = { ...train, y: train.y.subarray(0, 10) };
		await expect(fitSession(request({ train: short }), control(), undefined, cpuOnly)).rejects.toMatchObject({
			name: 'ShapeMismatchError'
		});
		const empty = { x: new Float32Array(0), y: new Float32Array(0), rows: 0, width: 5 };
		await expect(fitSession(request({ train: empty }), control(), undefined, cpuOnly)).rejects.toMatchObject({
			name: 'EmptyDataError'
		});
		// Nothing the refused sessions built is left on the backend.
		const before = tf.memory().numTensors;
		await fitSession(request({ initialWeights: other }), control(), undefined, cpuOnly).catch(
			() => undefined
		);
		expect(tf.memory().numTensors).toBe(before);
	});

	test('leaves no tensors behind, with or without a proximal term', async () => {
		const before = tf.memory().numTensors;
		const r = await fitSession(request({ params: { ...params, epochs: 1 } }), control(), undefined, cpuOnly);
		await fitSession(
			request({ params: { ...params, epochs: 1 }, initialWeights: r.artifacts.weights, proximalMu: 1 }),
			control(),
			undefined,
			cpuOnly
		);
		expect(tf.memory().numTensors).toBe(before);
	});
});
