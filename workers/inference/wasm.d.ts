// wrangler's CompiledWasm rule (and vitest-pool-workers, which reads the same rules) turns a `.wasm` import into
// a WebAssembly.Module compiled at deploy time: workerd refuses to compile wasm from bytes at run time.
declare module '*.wasm' {
	const module: WebAssembly.Module;
	export default module;
}
