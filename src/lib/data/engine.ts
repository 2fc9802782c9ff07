import * as duckdb from '@duckdb/duckdb-wasm';
import { Table, tableToIPC } from 'apache-arrow';
import type { ColumnInfo } from './types';
import { quoteIdent } from './sql-ident';

/**
 * One DuckDB-WASM instance and its connection. DuckDB runs in its own worker (spawned from the data worker),
 * so a long statement never blocks this worker: it stays free to take a cancel.
 * All work is serialised through one queue because a connection runs one pending query at a time.
 */
export class Engine {
	#db: duckdb.AsyncDuckDB;
	#conn: duckdb.AsyncDuckDBConnection;
	#queue: Promise<unknown> = Promise.resolve();
	#running = false;
	#cancelRequested = false;
	readonly version: string;

	private constructor(db: duckdb.AsyncDuckDB, conn: duckdb.AsyncDuckDBConnection, version: string) {
		this.#db = db;
		this.#conn = conn;
		this.version = version;
	}

	static async start(opts: { workerUrl: string; wasmUrl: string }): Promise<Engine> {
		const worker = new Worker(opts.workerUrl);
		const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
		await db.instantiate(opts.wasmUrl, null);
		// No extension may be fetched at run time: the app works offline (DESIGN.md).
		await db.open({ query: { castBigIntToDouble: false } });
		const conn = await db.connect();
		await conn.query("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;");
		return new Engine(db, conn, await db.getVersion());
	}

	get db(): duckdb.AsyncDuckDB {
		return this.#db;
	}

	/** Run `fn` alone on the connection; later calls wait their turn. */
	exclusive<T>(fn: (conn: duckdb.AsyncDuckDBConnection) => Promise<T>): Promise<T> {
		const next = this.#queue.then(async () => {
			this.#running = true;
			this.#cancelRequested = false;
			try {
				return await fn(this.#conn);
			} finally {
				this.#running = false;
			}
		});
		this.#queue = next.catch(() => undefined);
		return next;
	}

	/** Stream a statement so that `cancel()` can stop it between DuckDB's polling slices. */
	async run(conn: duckdb.AsyncDuckDBConnection, sql: string): Promise<Table> {
		if (this.#cancelRequested) throw cancelled();
		try {
			const reader = await conn.send(sql, true);
			const batches = [];
			for await (const batch of reader) {
				if (this.#cancelRequested) throw cancelled();
				batches.push(batch);
			}
			return batches.length ? new Table(batches) : new Table(reader.schema);
		} catch (e) {
			if (this.#cancelRequested) throw cancelled();
			throw e;
		}
	}

	/** Ask the running statement to stop. Resolves false when nothing was running. */
	async cancel(): Promise<boolean> {
		if (!this.#running) return false;
		this.#cancelRequested = true;
		await this.#conn.cancelSent().catch(() => false);
		return true;
	}

	get cancelRequested(): boolean {
		return this.#cancelRequested;
	}

	async columns(conn: duckdb.AsyncDuckDBConnection, table: string): Promise<ColumnInfo[]> {
		const t = await conn.query(`DESCRIBE ${quoteIdent(table)}`);
		return t.toArray().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
	}

	async rowCount(conn: duckdb.AsyncDuckDBConnection, table: string): Promise<number> {
		const t = await conn.query(`SELECT count(*)::DOUBLE AS n FROM ${quoteIdent(table)}`);
		return Number(t.get(0)?.n ?? 0);
	}

	async tableNames(conn: duckdb.AsyncDuckDBConnection): Promise<string[]> {
		const t = await conn.query(
			"SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name"
		);
		return t.toArray().map((r) => String(r.table_name));
	}
}

export function toIpc(table: Table): Uint8Array {
	return tableToIPC(table, 'stream');
}

export function cancelled(): Error {
	const e = new Error('Cancelled by the user.');
	e.name = 'Cancelled';
	return e;
}
