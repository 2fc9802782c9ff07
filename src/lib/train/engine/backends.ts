/**
 * TF.js backends inside the train worker: load each lazily, switch with verification, probe what this device
 * has, and choose by measuring (docs/architecture.md, "Measured facts": the fastest backend depends on the device).
 */
import * as tf from '@tensorflow/tfjs-core';
import { BACKENDS, type Backend } from '../../ml/types';
import {
	describeTrials,
	fallbackChain,
	fastest,
	isFallbackWebGpu,
	trialOrder,
	type BackendChoice,
	type CachedChoice,
	type Preference,
	type Trial
} from './backend-choice';
import { probeBackends, type Probe } from './probe';
import type { BackendFailure } from './backend-note';

export { probeBackends, type Probe };

/** Loading a backend module registers its factory with TF.js; nothing initialises until `setBackend`. */
const loaders: Record<Backend, () => Promise<unknown>> = {
	cpu: () => import('@tensorflow/tfjs-backend-cpu'),
	webgl: () => import('@tensorflow/tfjs-backend-webgl'),
	webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
	wasm: async () => {
		const [wasm, plain, simd, threaded] = await Promise.all([
			import('@tensorflow/tfjs-backend-wasm'),
			import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'),
			import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'),
			import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url')
		]);
		// Our own copies (offline, self-hosted), never a CDN. The threaded build hangs in a minified production
		// bundle (docs/architecture.md, "Measured facts"), so the flag is forced off before the backend first initialises; the flag exists only
		// once the module above has registered it.
		tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
		wasm.setWasmPaths({
			'tfjs-backend-wasm.wasm': plain.default,
			'tfjs-backend-wasm-simd.wasm': simd.default,
			'tfjs-backend-wasm-threaded-simd.wasm': threaded.default
		});
	}
};

const loaded = new Map<Backend, Promise<unknown>>();

function load(backend: Backend): Promise<unknown> {
	let p = loaded.get(backend);
	if (!p) {
		p = loaders[backend]().catch((e) => {
			loaded.delete(backend);
			throw e;
		});
		loaded.set(backend, p);
	}
	return p;
}

export function errorText(e: unknown): string {
	return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * Switch to `backend` and report where TF.js really is: `setBackend` can fail quietly (it returns false and stays
 * where it was), so the answer is always read back with `tf.getBackend()`.
 */
export async function activate(backend: Backend): Promise<{ ok: true } | { ok: false; error: string }> {
	const gone = backendLost(backend);
	if (gone) return { ok: false, error: `${gone} (start a new worker to try WebGPU again)` };
	try {
		await load(backend);
		const switched = await tf.setBackend(backend);
		const actual = tf.getBackend();
		if (switched && actual === backend) {
			if (backend === 'webgpu') watchDevice();
			return { ok: true };
		}
		return { ok: false, error: `TF.js did not switch to ${backend} (it is on ${actual ?? 'no backend'})` };
	} catch (e) {
		return { ok: false, error: errorText(e) };
	}
}

let deviceLost: string | null = null;
const watched = new WeakSet<object>();

/**
 * WebGPU reports a lost device (driver reset, GPU removed, tab backgrounded on some systems) on `device.lost`,
 * not as an error of the next op, and TF.js does not listen: remember it, so the fit loop can move on.
 */
function watchDevice(): void {
	type Lost = Promise<{ reason: string; message: string }>;
	const device = (tf.findBackend('webgpu') as unknown as { device?: { lost?: Lost } } | null)?.device;
	if (!device?.lost || watched.has(device)) return;
	watched.add(device);
	void device.lost.then((info) => {
		deviceLost = `WebGPU device lost (${info.reason || 'unknown'}): ${info.message}`;
	});
}

/** Why `backend` can no longer run in this worker, or null while it can. */
export function backendLost(backend: Backend): string | null {
	return backend === 'webgpu' ? deviceLost : null;
}

/** The backend TF.js is on now, or null before the first `activate` (reading it does not initialise one). */
export function currentBackend(): Backend | null {
	const name = tf.getBackend();
	return (BACKENDS as readonly string[]).includes(name) ? (name as Backend) : null;
}

export interface ChooseOptions {
	preference: Preference;
	/** Train the real model shape for a few batches on the active backend; samples per second. */
	trial: (backend: Backend) => Promise<number>;
	cached?: CachedChoice | null;
	/** For tests; defaults to `probeBackends()`. */
	probe?: Probe;
	/** For tests (stand-in backends in Node); defaults to `activate`, which loads the real backend modules. */
	activate?: Activate;
}

type Activate = (backend: Backend) => Promise<{ ok: true } | { ok: false; error: string }>;

/** Pick a backend, activate it, verify it. Never throws: cpu is the floor. */
export async function chooseBackend(opts: ChooseOptions): Promise<BackendChoice> {
	const { available, adapter } = opts.probe ?? (await probeBackends());
	const use = opts.activate ?? activate;
	const runTrial = async (backend: Backend): Promise<Trial> => {
		const r = await use(backend);
		if (!r.ok) return { backend, error: r.error };
		try {
			return { backend, samplesPerSec: await opts.trial(backend) };
		} catch (e) {
			return { backend, error: errorText(e) };
		}
	};
	/** The first backend of `order` that activates; cpu when none does (it always can). */
	const firstWorking = async (order: Backend[]): Promise<Backend> => {
		for (const b of order) if ((await use(b)).ok) return b;
		await use('cpu');
		return 'cpu';
	};
	const failed = (trials: Trial[]): BackendFailure[] =>
		trials.flatMap((t) => ('error' in t ? [{ backend: t.backend, error: t.error }] : []));
	const done = (
		backend: Backend,
		reason: string,
		trials: Trial[] = [],
		failures: BackendFailure[] = failed(trials)
	): BackendChoice => ({ backend, reason, trials, adapter, failures });

	if (opts.preference !== 'auto') {
		const forced = opts.preference;
		const r = await use(forced);
		if (r.ok)
			return done(
				forced,
				`forced ${forced}${isFallbackWebGpu(forced, adapter) ? ' (software adapter)' : ''}`
			);
		const rescue = await firstWorking(fallbackChain(forced, available));
		return done(
			rescue,
			`asked for ${forced}, but ${r.error}; fell back to ${rescue}`,
			[],
			[{ backend: forced, error: r.error }]
		);
	}

	if (opts.cached && available.includes(opts.cached.backend)) {
		const r = await use(opts.cached.backend);
		if (r.ok)
			return done(opts.cached.backend, `cached choice for this device and model shape`, opts.cached.trials);
	}

	const { first, lastResort } = trialOrder(available, adapter);
	const trials: Trial[] = [];
	for (const backend of first) trials.push(await runTrial(backend));
	for (const backend of lastResort) {
		if (fastest(trials) === null) trials.push(await runTrial(backend));
		else trials.push({ backend, error: 'skipped: fallback (software) WebGPU adapter' });
	}

	const winner = fastest(trials);
	if (winner !== null) {
		const r = await use(winner);
		if (r.ok) return done(winner, `fastest in a measured trial (${describeTrials(trials)})`, trials);
		const rescue = await firstWorking(fallbackChain(winner, available, trials));
		return done(rescue, `${winner} won the trial but then ${r.error}; fell back to ${rescue}`, trials, [
			...failed(trials),
			{ backend: winner, error: r.error }
		]);
	}
	const rescue = await firstWorking(['cpu']);
	return done(rescue, `every trial failed (${describeTrials(trials)}); using ${rescue}`, trials);
}

/** Make sure some backend is active before touching a tensor (an unset TF.js would pick by its own priority, which
 * ranks a software WebGPU adapter first). `preferred` when it works, else the current one, else wasm, else cpu. */
export async function ensureBackend(preferred?: Backend): Promise<Backend> {
	if (preferred && (await activate(preferred)).ok) return preferred;
	const now = currentBackend();
	if (now) return now;
	return (await activate('wasm')).ok ? 'wasm' : (await activate('cpu'), 'cpu');
}
