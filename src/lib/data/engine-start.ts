import * as duckdb from '$duckdb-browser-blocking';
import { Engine } from './engine';

/**
 * DuckDB-WASM's browser build of its blocking bindings, instantiated in this (the data) worker: no second worker
 * (docs/architecture.md, "The SQL path"). Only the exception-handling (eh) build is served; every browser the
 * app supports has wasm exceptions, so it stands for both of the loader's choices.
 */
export async function startEngine(wasmUrl: string): Promise<Engine> {
	const bundle = { mainModule: wasmUrl, mainWorker: '' };
	const db = await duckdb.createDuckDB(
		{ mvp: bundle, eh: bundle },
		new duckdb.VoidLogger(),
		duckdb.BROWSER_RUNTIME
	);
	await db.instantiate(() => undefined);
	return Engine.open(db);
}
