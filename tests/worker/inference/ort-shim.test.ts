import { describe, expect, it } from 'vitest';
import emptyModule from './empty.wasm';
import * as shim from '../../../workers/inference/ort-shim';

// ORT itself runs through the shim in predict.test.ts: loading its 14 MB wasm costs seconds per test file here.

/** Smallest valid wasm module: magic and version, no sections. */
const EMPTY_WASM = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);

describe('ort-shim', () => {
	it('workerd refuses to compile wasm from bytes, which is why the shim exists', async () => {
		await expect(WebAssembly.instantiate(EMPTY_WASM)).rejects.toThrow();
	});

	it('routes the marker to the precompiled module and leaves every other call alone', async () => {
		const before = WebAssembly.instantiate;
		try {
			const marker = shim.routeInstantiate(emptyModule);
			// What Emscripten does with `wasmBinary`: a fresh view of the bytes, then instantiate with its imports.
			const routed = (await WebAssembly.instantiate(new Uint8Array(marker), {})) as unknown as {
				module: WebAssembly.Module;
				instance: WebAssembly.Instance;
			};
			expect(routed.module).toBe(emptyModule);
			expect(routed.instance).toBeInstanceOf(WebAssembly.Instance);
			await expect(WebAssembly.instantiate(EMPTY_WASM)).rejects.toThrow();
		} finally {
			WebAssembly.instantiate = before;
		}
	});
});
