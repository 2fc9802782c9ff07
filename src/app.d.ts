// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
	namespace App {}
	/** DuckDB's wasm as the Worker serves it (vite.config.ts `define`). */
	const __DUCKDB_WASM_PATH__: string;
}
export {};
