import { beforeAll, describe, expect, it } from 'vitest';
import emptyModule from './empty.wasm';
import { gemmModel } from './onnx-builder';

type Shim = typeof import('../../../workers/inference/ort-shim');
let shim: Shim;

// Loading ORT and its 14 MB wasm takes seconds in this harness: once per file, outside any one test's timeout.
beforeAll(async () => {
	shim = await import('../../../workers/inference/ort-shim');
}, 60_000);

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

	it('runs a graph in ORT single-threaded: [1, 2] · W + b', async () => {
		const ort = shim.ortForWorkerd();
		const bytes = gemmModel({ weights: [[1], [10]], bias: [0.5], head: 'linear' });
		const session = await ort.InferenceSession.create(bytes);
		const out = await session.run({ features: new ort.Tensor('float32', Float32Array.of(1, 2), [1, 2]) });
		expect(out.output.dims).toEqual([1, 1]);
		expect(Array.from(out.output.data as Float32Array)).toEqual([21.5]);
		expect(ort.env.wasm.numThreads).toBe(1);
	});
});
