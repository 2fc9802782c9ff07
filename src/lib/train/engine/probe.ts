/**
 * What this device offers the train worker: which TF.js backends can start, and the WebGPU adapter's own
 * description (a software "fallback" adapter such as SwiftShader works, slowly, and must never win by default).
 */
import { BACKENDS, type Backend } from '../../ml/types';
import type { AdapterInfo } from './backend-choice';

export interface Probe {
	available: Backend[];
	adapter: AdapterInfo | null;
}

interface GpuAdapterLike {
	info?: Partial<AdapterInfo>;
	isFallbackAdapter?: boolean;
}

async function probeWebGpu(): Promise<AdapterInfo | null> {
	const gpu = (
		globalThis.navigator as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } } | undefined
	)?.gpu;
	if (!gpu) return null;
	const adapter = await gpu.requestAdapter().catch(() => null);
	if (!adapter) return null;
	const info = adapter.info ?? {};
	return {
		vendor: info.vendor ?? '',
		architecture: info.architecture ?? '',
		device: info.device ?? '',
		description: info.description ?? '',
		// Chrome moved the flag from the adapter onto `info`; read both.
		isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter)
	};
}

function hasWebGl(): boolean {
	try {
		if (typeof OffscreenCanvas !== 'undefined')
			return new OffscreenCanvas(1, 1).getContext('webgl2') !== null;
		if (typeof document !== 'undefined')
			return document.createElement('canvas').getContext('webgl2') !== null;
	} catch {
		// A context that throws is no context.
	}
	return false;
}

let probed: Promise<Probe> | null = null;

/** What this device offers; cached for the worker's life (adapters do not come and go between runs). */
export function probeBackends(): Promise<Probe> {
	probed ??= (async () => {
		const adapter = await probeWebGpu();
		const available = BACKENDS.filter((b) => {
			if (b === 'webgpu') return adapter !== null;
			if (b === 'webgl') return hasWebGl();
			if (b === 'wasm') return typeof WebAssembly === 'object';
			return true;
		});
		return { available, adapter };
	})();
	return probed;
}
