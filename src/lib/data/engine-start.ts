/// <reference lib="webworker" />
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
	await untilDownloadFails(
		db.instantiate(() => undefined),
		wasmUrl
	);
	return Engine.open(db);
}

/**
 * DuckDB-WASM's loader compiles the wasm with `instantiateStreaming(...).then(...)` and no rejection handler, so a
 * download that fails (the network drops, the server ends the response) leaves `instantiate()` pending forever and
 * the notebook waiting on an engine that never comes. Its failure surfaces only as an unhandled rejection in this
 * worker: while the engine starts, one of those ends the start with an error naming the file, and the next call
 * starts the engine again.
 */
function untilDownloadFails<T>(instantiating: Promise<T>, wasmUrl: string): Promise<T> {
	const scope = self as unknown as WorkerGlobalScope;
	let onRejection: (e: PromiseRejectionEvent) => void = () => undefined;
	const failed = new Promise<never>((_, reject) => {
		onRejection = (e) => {
			e.preventDefault();
			const why = e.reason instanceof Error ? e.reason.message : String(e.reason);
			reject(new Error(`DuckDB's engine file ${new URL(wasmUrl).pathname} could not be loaded (${why}).`));
		};
	});
	scope.addEventListener('unhandledrejection', onRejection);
	return Promise.race([instantiating, failed]).finally(() =>
		scope.removeEventListener('unhandledrejection', onRejection)
	);
}
