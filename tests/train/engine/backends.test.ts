import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
	fallbackChain,
	fastest,
	modelShapeKey,
	trialOrder,
	type AdapterInfo
} from '$lib/train/engine/backend-choice';
import { activate, chooseBackend, currentBackend, type Probe } from '$lib/train/engine/backends';
import { buildModel } from '$lib/train/engine/models';
import { measureThroughput } from '$lib/train/engine/trial';
import type { Backend, ModelSpec } from '$lib/ml/types';
import { registerFakeBackend, useCpu } from '../cpu';

const software: AdapterInfo = {
	vendor: 'google',
	architecture: 'swiftshader',
	device: '',
	description: 'SwiftShader',
	isFallbackAdapter: true
};
const hardware: AdapterInfo = {
	...software,
	architecture: 'ampere',
	description: 'NVIDIA',
	isFallbackAdapter: false
};
const mlp: ModelSpec = {
	kind: 'mlp',
	layers: [
		{ units: 64, activation: 'relu' },
		{ units: 32, activation: 'relu' }
	],
	dropout: 0.2
};

beforeAll(useCpu);

describe('modelShapeKey', () => {
	test('the same for hyper-parameters that do not change the work per sample', () => {
		expect(modelShapeKey(mlp, 20, 2)).toBe(modelShapeKey({ ...mlp, dropout: 0 }, 20, 2));
		expect(modelShapeKey(mlp, 20, 2)).toBe('mlp|64relu-32relu|w20>o1');
	});
	test.each([
		['width', modelShapeKey(mlp, 21, 2)],
		['classes', modelShapeKey(mlp, 20, 5)],
		[
			'units',
			modelShapeKey(
				{
					...mlp,
					layers: [
						{ units: 65, activation: 'relu' },
						{ units: 32, activation: 'relu' }
					]
				},
				20,
				2
			)
		],
		['kind', modelShapeKey({ kind: 'linear' }, 20, 2)],
		[
			'cnn filters',
			modelShapeKey(
				{
					kind: 'cnn',
					image: { height: 4, width: 5, channels: 1 },
					filters: [8],
					kernel: 3,
					dense: 16,
					dropout: 0
				},
				20,
				2
			)
		]
	])('differs with %s', (_what, key) => {
		expect(key).not.toBe(modelShapeKey(mlp, 20, 2));
	});
});

describe('choice rules (pure)', () => {
	test('a fallback WebGPU adapter is tried only as a last resort; a real one first', () => {
		const all: Backend[] = ['cpu', 'wasm', 'webgl', 'webgpu'];
		expect(trialOrder(all, software)).toEqual({ first: ['webgl', 'wasm', 'cpu'], lastResort: ['webgpu'] });
		expect(trialOrder(all, hardware)).toEqual({ first: ['webgpu', 'webgl', 'wasm', 'cpu'], lastResort: [] });
	});
	test('fastest ignores failed trials; null when all failed', () => {
		expect(
			fastest([
				{ backend: 'webgl', error: 'x' },
				{ backend: 'wasm', samplesPerSec: 5 },
				{ backend: 'cpu', samplesPerSec: 9 }
			])
		).toBe('cpu');
		expect(fastest([{ backend: 'webgl', error: 'x' }])).toBeNull();
	});
	test('fallback chain: other backends fastest first, never webgpu, cpu last', () => {
		const all: Backend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
		expect(fallbackChain('webgpu', all)).toEqual(['wasm', 'webgl', 'cpu']);
		expect(
			fallbackChain('webgpu', all, [
				{ backend: 'webgl', samplesPerSec: 9 },
				{ backend: 'wasm', samplesPerSec: 3 }
			])
		).toEqual(['webgl', 'wasm', 'cpu']);
		expect(fallbackChain('wasm', ['wasm', 'cpu'])).toEqual(['cpu']);
		expect(fallbackChain('cpu', ['wasm', 'cpu'])).toEqual(['wasm']);
	});
});

describe('chooseBackend (cpu and stand-ins in Node)', () => {
	const removers: (() => void)[] = [];
	afterEach(async () => {
		removers.splice(0).forEach((r) => r());
		await useCpu();
	});
	const fakes = (...names: Backend[]) => names.forEach((n) => removers.push(registerFakeBackend(n)));
	// Switches among the registered stand-ins without loading the real backend modules (wasm, webgl, webgpu).
	const standIn = async (b: Backend) => {
		const ok = await tf.setBackend(b).catch(() => false);
		return ok && tf.getBackend() === b
			? ({ ok: true } as const)
			: ({ ok: false, error: `no ${b} here` } as const);
	};
	const speeds = (s: Partial<Record<Backend, number | Error>>) => async (b: Backend) => {
		expect(currentBackend()).toBe(b); // each trial runs on the backend it measures
		const v = s[b];
		if (v instanceof Error) throw v;
		return v ?? 1;
	};

	test('auto: the fastest measured backend wins, verified with tf.getBackend()', async () => {
		fakes('wasm', 'webgl');
		const probe: Probe = { available: ['webgl', 'wasm', 'cpu'], adapter: null };
		const c = await chooseBackend({
			activate: standIn,
			preference: 'auto',
			probe,
			trial: speeds({ webgl: 10, wasm: 80, cpu: 20 })
		});
		expect(c.backend).toBe('wasm');
		expect(tf.getBackend()).toBe('wasm');
		expect(c.trials).toEqual([
			{ backend: 'webgl', samplesPerSec: 10 },
			{ backend: 'wasm', samplesPerSec: 80 },
			{ backend: 'cpu', samplesPerSec: 20 }
		]);
		expect(c.reason).toMatch(/fastest in a measured trial/);
	});

	test('auto never picks a fallback (software) WebGPU adapter while anything else works', async () => {
		fakes('webgpu');
		const probe: Probe = { available: ['webgpu', 'cpu'], adapter: software };
		const c = await chooseBackend({
			activate: standIn,
			preference: 'auto',
			probe,
			trial: speeds({ webgpu: 1e9, cpu: 5 })
		});
		expect(c.backend).toBe('cpu');
		expect(c.adapter).toEqual(software);
		expect(c.trials).toContainEqual({
			backend: 'webgpu',
			error: 'skipped: fallback (software) WebGPU adapter'
		});
	});

	test('…but uses it when nothing else works', async () => {
		fakes('webgpu');
		const probe: Probe = { available: ['webgpu', 'cpu'], adapter: software };
		const c = await chooseBackend({
			activate: standIn,
			preference: 'auto',
			probe,
			trial: speeds({ webgpu: 3, cpu: new Error('boom') })
		});
		expect(c.backend).toBe('webgpu');
		expect(c.trials).toEqual([
			{ backend: 'cpu', error: 'Error: boom' },
			{ backend: 'webgpu', samplesPerSec: 3 }
		]);
	});

	test('a real (hardware) WebGPU adapter competes like any backend', async () => {
		fakes('webgpu');
		const probe: Probe = { available: ['webgpu', 'cpu'], adapter: hardware };
		const c = await chooseBackend({
			activate: standIn,
			preference: 'auto',
			probe,
			trial: speeds({ webgpu: 50, cpu: 5 })
		});
		expect(c.backend).toBe('webgpu');
	});

	test('forced: that backend, no trial', async () => {
		fakes('webgl');
		const probe: Probe = { available: ['webgl', 'cpu'], adapter: null };
		const c = await chooseBackend({
			activate: standIn,
			preference: 'webgl',
			probe,
			trial: () => Promise.reject(new Error('no trial'))
		});
		expect(c).toMatchObject({ backend: 'webgl', reason: 'forced webgl', trials: [] });
		expect(tf.getBackend()).toBe('webgl');
	});

	test('forced backend that silently fails to start: falls back and says so', async () => {
		// No webgpu in Node: TF.js's setBackend returns false and stays where it was.
		const probe: Probe = { available: ['webgpu', 'cpu'], adapter: software };
		const c = await chooseBackend({
			preference: 'webgpu',
			probe,
			trial: () => Promise.reject(new Error('no trial'))
		});
		expect(c.backend).toBe('cpu');
		expect(tf.getBackend()).toBe('cpu');
		expect(c.reason).toMatch(/^asked for webgpu, but .*; fell back to cpu$/);
	});

	test('a cached choice skips the trial; a stale one (backend gone) measures again', async () => {
		fakes('wasm');
		const probe: Probe = { available: ['wasm', 'cpu'], adapter: null };
		const never = () => Promise.reject(new Error('trial should not run'));
		const cached = await chooseBackend({
			activate: standIn,
			preference: 'auto',
			probe,
			cached: { backend: 'wasm' },
			trial: never
		});
		expect(cached).toMatchObject({
			backend: 'wasm',
			reason: 'cached choice for this device and model shape'
		});
		const stale = await chooseBackend({
			activate: standIn,
			preference: 'auto',
			probe: { available: ['cpu'], adapter: null },
			cached: { backend: 'wasm' },
			trial: speeds({ cpu: 7 })
		});
		expect(stale).toMatchObject({ backend: 'cpu', trials: [{ backend: 'cpu', samplesPerSec: 7 }] });
	});

	test('activate reports a backend that does not exist instead of pretending', async () => {
		const r = await activate('webgpu');
		expect(r.ok).toBe(false);
		expect(tf.getBackend()).toBe('cpu');
	});
});

test('measureThroughput trains the real model shape and leaves no tensors behind', async () => {
	const before = tf.memory().numTensors;
	const params = { optimizer: 'adam' as const, learningRate: 0.01, momentum: 0, seed: 1 };
	const sps = await measureThroughput({
		build: () => buildModel({ spec: mlp, width: 20, task: 'multiclass', classes: 3, params }),
		width: 20,
		task: 'multiclass',
		classes: 3,
		batchSize: 64,
		seed: 1,
		maxBatches: 3
	});
	expect(sps).toBeGreaterThan(0);
	expect(tf.memory().numTensors).toBe(before);
});
