/**
 * The pure half of choosing a TF.js backend: the cache key, the ranking of measured trials, the fallback order.
 * No TF.js import, so the main thread (which keeps the per-device cache in IndexedDB) can use it for free.
 */
import { BACKENDS, type Backend, type ModelSpec, type Task } from '../../ml/types';
import type { BackendFailure } from './backend-note';

/** What `navigator.gpu.requestAdapter()` said about the WebGPU adapter (`adapter.info`). */
export interface AdapterInfo {
	vendor: string;
	architecture: string;
	device: string;
	description: string;
	/** A software adapter (SwiftShader and the like): it works, slowly, and must never win by default. */
	isFallbackAdapter: boolean;
}

/** One backend's measured trial: training samples per second on the real model shape, or why it could not run. */
export type Trial = { backend: Backend; samplesPerSec: number } | { backend: Backend; error: string };

export interface BackendChoice {
	backend: Backend;
	/** Why this backend: measured, forced, cached, or what went wrong on the way (in words, for the run's log). */
	reason: string;
	trials: Trial[];
	adapter: AdapterInfo | null;
	/** Backends that could not be used on the way (a failed trial, a forced one that would not start). */
	failures: BackendFailure[];
}

/** The cache entry the caller keeps per device + model shape, handed back to skip the trial. */
export interface CachedChoice {
	backend: Backend;
	trials?: Trial[];
}

export type Preference = 'auto' | Backend;

export function outputUnits(task: Task, classes: number): number {
	return task === 'multiclass' ? classes : 1;
}

/**
 * Cache key of a backend choice: what decides the speed of a batch (layer sizes, input width, outputs), not the
 * hyper-parameters that leave the work per sample unchanged (dropout rate, learning rate, seed).
 */
export function modelShapeKey(spec: ModelSpec, width: number, classes: number): string {
	const out = `w${width}>o${Math.max(1, classes > 2 ? classes : 1)}`;
	switch (spec.kind) {
		case 'linear':
			return `linear|${out}`;
		case 'mlp':
			return `mlp|${spec.layers.map((l) => `${l.units}${l.activation}`).join('-')}|${out}`;
		case 'cnn': {
			const { height, width: w, channels } = spec.image;
			return `cnn|${height}x${w}x${channels}|k${spec.kernel}|f${spec.filters.join('-')}|d${spec.dense}|${out}`;
		}
	}
}

export function isFallbackWebGpu(backend: Backend, adapter: AdapterInfo | null): boolean {
	return backend === 'webgpu' && adapter?.isFallbackAdapter === true;
}

/** The fastest measured backend, or null when every trial failed. Ties keep the earlier (BACKENDS order). */
export function fastest(trials: Trial[]): Backend | null {
	let best: { backend: Backend; samplesPerSec: number } | null = null;
	for (const t of trials) {
		if ('samplesPerSec' in t && (best === null || t.samplesPerSec > best.samplesPerSec)) best = t;
	}
	return best?.backend ?? null;
}

/**
 * Where training goes when its backend fails mid-run: the other measured backends fastest first, else the
 * robust order wasm → webgl; cpu always last. A failed GPU rarely comes back, so webgpu is never a fallback.
 */
export function fallbackChain(failed: Backend, available: Backend[], trials: Trial[] = []): Backend[] {
	const speed = new Map(trials.flatMap((t) => ('samplesPerSec' in t ? [[t.backend, t.samplesPerSec]] : [])));
	const order: Backend[] = ['wasm', 'webgl'];
	const chain = available
		.filter((b) => b !== failed && b !== 'cpu' && b !== 'webgpu')
		.sort((a, b) => (speed.get(b) ?? -1) - (speed.get(a) ?? -1) || order.indexOf(a) - order.indexOf(b));
	return failed === 'cpu' ? chain : [...chain, 'cpu'];
}

/** Backends in the order `auto` tries them; BACKENDS order, a fallback WebGPU adapter only as a last resort. */
export function trialOrder(
	available: Backend[],
	adapter: AdapterInfo | null
): { first: Backend[]; lastResort: Backend[] } {
	const known = BACKENDS.filter((b) => available.includes(b));
	return {
		first: known.filter((b) => !isFallbackWebGpu(b, adapter)),
		lastResort: known.filter((b) => isFallbackWebGpu(b, adapter))
	};
}

export function describeTrials(trials: Trial[]): string {
	return trials
		.map((t) =>
			'samplesPerSec' in t ? `${t.backend} ${Math.round(t.samplesPerSec)}/s` : `${t.backend}: ${t.error}`
		)
		.join(', ');
}
