/**
 * DuckDB-WASM 1.32 ships a browser build of its blocking bindings but does not export it (its `./blocking` entry
 * is the Node build): vite.config.ts aliases this name to the file. The API is the same as the Node build's.
 */
declare module '$duckdb-browser-blocking' {
	import type { DuckDBBindings, DuckDBBundles, DuckDBRuntime, Logger } from '@duckdb/duckdb-wasm/blocking';
	export { VoidLogger } from '@duckdb/duckdb-wasm/blocking';
	export const BROWSER_RUNTIME: DuckDBRuntime;
	export function createDuckDB(
		bundles: DuckDBBundles,
		logger: Logger,
		runtime: DuckDBRuntime
	): Promise<DuckDBBindings>;
}
