import type * as Ort from 'onnxruntime-web/wasm';

/**
 * onnxruntime-web inside workerd. ORT's Emscripten glue compiles its wasm with `WebAssembly.instantiate(bytes)`,
 * which workerd refuses (no code generation from bytes at run time). So ORT gets a marker in place of the wasm
 * bytes (`env.wasm.wasmBinary`, which also stops it fetching the file), and `WebAssembly.instantiate` is wrapped
 * once to answer that marker with the module wrangler compiled at deploy time (the CompiledWasm rule). Any other
 * call goes through untouched. Threads need Web Workers and a proxy worker needs `Worker`: neither exists here.
 */

/** Not wasm (real wasm starts with "\0asm"), so no genuine module can be mistaken for it. */
const MARKER = new TextEncoder().encode('edgebook:ort-wasm');

function isMarker(source: unknown): boolean {
	const bytes = ArrayBuffer.isView(source)
		? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
		: source instanceof ArrayBuffer
			? new Uint8Array(source)
			: null;
	return !!bytes && bytes.length === MARKER.length && bytes.every((b, i) => b === MARKER[i]);
}

type Instantiate = typeof WebAssembly.instantiate;

/** Wraps WebAssembly.instantiate so the marker instantiates `module`; returns the marker to give Emscripten. */
export function routeInstantiate(module: WebAssembly.Module): Uint8Array {
	const original: Instantiate = WebAssembly.instantiate.bind(WebAssembly);
	const routed = (source: unknown, imports?: WebAssembly.Imports) =>
		isMarker(source)
			? original(module, imports).then((instance) => ({ module, instance }))
			: original(source as BufferSource, imports);
	WebAssembly.instantiate = routed as Instantiate;
	return MARKER.slice();
}

let ready: Promise<typeof Ort> | undefined;

/**
 * ORT, configured for workerd once per isolate. Imported here, not at the top: the 14 MB wasm takes seconds to
 * load in the test harness, and only what serves predictions should pay for it.
 */
export function ortForWorkerd(): Promise<typeof Ort> {
	ready ??= (async () => {
		const [ort, wasm] = await Promise.all([
			import('onnxruntime-web/wasm'),
			// A relative path, not the package's export: wrangler 4.86's wasm rule does not resolve package exports.
			import('../../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm')
		]);
		ort.env.wasm.numThreads = 1;
		ort.env.wasm.proxy = false;
		ort.env.wasm.wasmBinary = routeInstantiate(wasm.default);
		return ort;
	})();
	return ready;
}
