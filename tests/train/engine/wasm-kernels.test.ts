/**
 * The real tfjs-backend-wasm (4.22) in Node: it has no Conv2DBackpropFilter kernel, so a CNN cannot train on it
 * while an MLP can. This pins the fact behind the backend note (src/lib/train/engine/backend-note.ts) and drives the
 * real fallback: fit starts on wasm, the first step throws TF.js's own error, and training ends on cpu.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { fit } from '$lib/train/engine/fit';
import { buildModel, disposeModel } from '$lib/train/engine/models';
import { backendNote, type BackendFailure } from '$lib/train/engine/backend-note';
import { binaryProblem, splitAt } from '$bench/train-bench';
import type { Backend, ModelSpec, TrainParams, TrainProgress } from '$lib/ml/types';

const params: TrainParams = {
	optimizer: 'adam',
	learningRate: 0.01,
	momentum: 0,
	batchSize: 16,
	epochs: 2,
	patience: 0,
	seed: 5
};
const cnn: ModelSpec = {
	kind: 'cnn',
	image: { height: 4, width: 4, channels: 1 },
	filters: [2],
	kernel: 3,
	dense: 8,
	dropout: 0
};
const mlp: ModelSpec = { kind: 'mlp', layers: [{ units: 8, activation: 'relu' }], dropout: 0 };
const [train, validation] = splitAt(binaryProblem({ rows: 120, width: 16, seed: 3 }), 96);

async function activate(b: Backend): Promise<{ ok: true } | { ok: false; error: string }> {
	const ok = await tf.setBackend(b);
	return ok && tf.getBackend() === b ? { ok: true } : { ok: false, error: `not ${b}` };
}

async function trainOnWasm(spec: ModelSpec) {
	expect((await activate('wasm')).ok).toBe(true);
	const events: TrainProgress[] = [];
	const r = await fit({
		build: () => buildModel({ spec, width: 16, task: 'binary', classes: 2, params }),
		train,
		validation,
		task: 'binary',
		params,
		backend: 'wasm',
		control: { cancelled: false, batches: 0 },
		fallbacks: ['cpu'],
		activate,
		onProgress: (e) => void events.push(e)
	});
	disposeModel(r.model);
	const failures: BackendFailure[] = events.flatMap((e) =>
		e.kind === 'backend' && e.failed ? [{ ...e.failed, duringTraining: true }] : []
	);
	return { r, failures };
}

beforeAll(() => {
	// Not IS_TEST: in that mode TF.js checks each kernel for leaked ids, which wasm's fusedMatMul fails.
	tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
});

describe('tfjs-backend-wasm and convolutions', () => {
	test('a CNN cannot train on wasm (no Conv2DBackpropFilter): fit moves to cpu and the note says why', async () => {
		const { r, failures } = await trainOnWasm(cnn);
		expect(failures).toEqual([
			{
				backend: 'wasm',
				error: expect.stringContaining("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"),
				duringTraining: true
			}
		]);
		expect(r.backend).toBe('cpu');
		expect(r.epochs).toBe(params.epochs);
		expect(backendNote({ used: r.backend, failures })).toBe(
			'wasm could not run this model (no kernel for Conv2DBackpropFilter); trained on cpu instead'
		);
	});

	test('an MLP trains on wasm itself, with nothing to say', async () => {
		const { r, failures } = await trainOnWasm(mlp);
		expect(failures).toEqual([]);
		expect(r.backend).toBe('wasm');
		expect(backendNote({ used: r.backend, failures })).toBe('');
	});
});
