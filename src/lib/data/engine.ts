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
	/** The job on the connection now; jobs are numbered by the caller so a cancel names what it stops. */
	#current: number | null = null;
	#cancelled = new Set<number>();
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
		// No extension may be fetched at run time: the app works offline (docs/architecture.md).
		// Pending queries hand control back every 50 ms, so a cancel gets through while a long statement runs.
		await db.open({ query: { castBigIntToDouble: false, queryPollingInterval: 50 } });
		const conn = await db.connect();
		await conn.query('SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;');
		return new Engine(db, conn, await db.getVersion());
	}

	get db(): duckdb.AsyncDuckDB {
		return this.#db;
	}

	/**
	 * Run `fn` alone on the connection; later calls wait their turn. A job cancelled while it waited (or while
	 * the engine was still starting) never starts.
	 */
	exclusive<T>(fn: (conn: duckdb.AsyncDuckDBConnection) => Promise<T>, job = -1): Promise<T> {
		const next = this.#queue.then(async () => {
			if (this.#cancelled.delete(job)) throw cancelled();
			this.#current = job;
			try {
				return await fn(this.#conn);
			} finally {
				this.#current = null;
				this.#cancelled.delete(job);
			}
		});
		this.#queue = next.catch(() => undefined);
		return next;
	}

	/** Stream a statement so that `cancel()` can stop it between DuckDB's polling slices. */
	async run(conn: duckdb.AsyncDuckDBConnection, sql: string): Promise<Table> {
		if (this.cancelRequested) throw cancelled();
		try {
			const reader = await conn.send(sql, true);
			const batches = [];
			for await (const batch of reader) {
				if (this.cancelRequested) throw cancelled();
				batches.push(batch);
			}
			return batches.length ? new Table(batches) : new Table(reader.schema);
		} catch (e) {
			if (this.cancelRequested) throw cancelled();
			throw e;
		}
	}

	/** Stop a job: at once if it is running (DuckDB checks between tasks), or before it starts if it waits. */
	async cancel(job: number): Promise<void> {
		this.#cancelled.add(job);
		if (this.#current === job) await this.#conn.cancelSent().catch(() => false);
	}

	isCancelled(job: number): boolean {
		return this.#cancelled.has(job);
	}

	/** The running job was asked to stop: long loops check this between steps. */
	get cancelRequested(): boolean {
		return this.#current !== null && this.#cancelled.has(this.#current);
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
