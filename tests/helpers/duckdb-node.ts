import { createRequire } from 'node:module';
import * as duckdb from '@duckdb/duckdb-wasm/blocking';

/**
 * The real DuckDB-WASM engine (the same 1.32 build the browser loads), synchronously in node: tests check our
 * text handling against the engine's own verdicts and messages instead of against our guesses.
 */
export async function openDuckDB() {
	const require = createRequire(import.meta.url);
	const dist = require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm').replace(/duckdb-eh\.wasm$/, '');
	const bundles = {
		mvp: { mainModule: `${dist}duckdb-mvp.wasm`, mainWorker: `${dist}duckdb-node-mvp.worker.cjs` },
		eh: { mainModule: `${dist}duckdb-eh.wasm`, mainWorker: `${dist}duckdb-node-eh.worker.cjs` }
	};
	const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
	await db.instantiate(() => {});
	return { db, conn: db.connect() };
}

/** The error message DuckDB gives for `sql`, or null when it runs. */
export function errorOf(conn: duckdb.DuckDBConnection, sql: string): string | null {
	try {
		conn.query(sql);
		return null;
	} catch (e) {
		return (e as Error).message;
	}
}
