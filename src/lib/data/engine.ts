import { RecordBatchReader, Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import type { DuckDBBindings, DuckDBConnection } from '@duckdb/duckdb-wasm/blocking';
import type { ColumnInfo } from './types';
import { quoteIdent } from './sql-ident';

/** What a job does on the connection: statements, and Arrow in. Async so callers never depend on the binding. */
export interface Conn {
	query(sql: string): Promise<Table>;
	insertArrowFromIPCStream(ipc: Uint8Array, opts: { name: string; create?: boolean }): Promise<void>;
}

/** DuckDB's in-memory file system, for the files a statement reads (CSV) or writes (COPY … TO). */
export interface EngineFiles {
	registerFileBuffer(name: string, bytes: Uint8Array): Promise<void>;
	copyFileToBuffer(name: string): Promise<Uint8Array>;
	dropFile(name: string): Promise<void>;
}

/** How long DuckDB works on a statement before it hands control back (the `queryPollingInterval` it opens with). */
const POLL_SLICE_MS = 50;
/** A streamed read yields to this worker's messages (a cancel) at least this often. */
const YIELD_EVERY_MS = 20;

/**
 * One DuckDB-WASM instance and its connection, run in this worker through DuckDB's blocking bindings: a statement
 * is one call, not a message to a second worker and back (docs/architecture.md, "Cancel" and "The SQL path").
 * A long statement is run as a pending query, polled in 50 ms slices with a macrotask between them, so a cancel
 * message is taken between slices; one that never hands control back is ended by the page terminating this worker
 * after the grace period, as before.
 * All work is serialised through one queue because a connection runs one statement at a time.
 */
export class Engine {
	#db: DuckDBBindings;
	#conn: DuckDBConnection;
	#api: Conn;
	#queue: Promise<unknown> = Promise.resolve();
	/** The job on the connection now; jobs are numbered by the caller so a cancel names what it stops. */
	#current: number | null = null;
	#cancelled = new Set<number>();
	readonly version: string;
	readonly db: EngineFiles;

	private constructor(db: DuckDBBindings, version: string) {
		this.#db = db;
		this.#conn = db.connect();
		this.version = version;
		const conn = this.#conn;
		this.#api = {
			query: async (sql) => conn.query(sql),
			insertArrowFromIPCStream: async (ipc, opts) => conn.insertArrowFromIPCStream(ipc, opts)
		};
		this.db = {
			registerFileBuffer: async (name, bytes) => db.registerFileBuffer(name, bytes),
			copyFileToBuffer: async (name) => db.copyFileToBuffer(name),
			dropFile: async (name) => db.dropFile(name)
		};
	}

	/** An engine over instantiated bindings: the browser's (engine-start.ts) or Node's (tests, headless runs). */
	static async open(db: DuckDBBindings): Promise<Engine> {
		// Pending queries hand control back every POLL_SLICE_MS, so a cancel gets through while a statement runs.
		db.open({ query: { castBigIntToDouble: false, queryPollingInterval: POLL_SLICE_MS } });
		const engine = new Engine(db, db.getVersion());
		// No extension may be fetched at run time: the app works offline (docs/architecture.md).
		engine.#conn.query('SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;');
		return engine;
	}

	/**
	 * Run `fn` alone on the connection; later calls wait their turn. A job cancelled while it waited (or while
	 * the engine was still starting) never starts.
	 */
	exclusive<T>(fn: (conn: Conn) => Promise<T>, job = -1): Promise<T> {
		const next = this.#queue.then(async () => {
			if (this.#cancelled.delete(job)) throw cancelled();
			this.#current = job;
			try {
				return await fn(this.#api);
			} finally {
				this.#current = null;
				this.#cancelled.delete(job);
			}
		});
		this.#queue = next.catch(() => undefined);
		return next;
	}

	/** A statement whose result is read whole: streamed so that `cancel()` can stop it between slices. */
	async run(sql: string): Promise<Table> {
		const reader = await this.stream(sql);
		const batches: RecordBatch[] = [];
		for await (const batch of reader) batches.push(batch);
		return batches.length ? new Table(batches) : new Table(reader.schema);
	}

	/**
	 * A statement's result as it comes, one DuckDB chunk per batch, for readers that copy each chunk out (a
	 * training frame) instead of holding the whole result. Stops with `Cancelled` when the job is cancelled.
	 */
	async stream(sql: string) {
		if (this.cancelRequested) throw cancelled();
		const db = this.#db;
		const id = this.#connId();
		try {
			let header = db.startPendingQuery(id, sql, true);
			while (header === null) {
				await macrotask();
				if (this.cancelRequested) {
					db.cancelPendingQuery(id);
					throw cancelled();
				}
				header = db.pollPendingQuery(id);
			}
			return await RecordBatchReader.from(this.#chunks(id, header));
		} catch (e) {
			if (this.cancelRequested) throw cancelled();
			throw e;
		}
	}

	/** The IPC stream of a started query: its schema, then each fetched chunk, yielding to messages between. */
	async *#chunks(id: number, header: Uint8Array): AsyncGenerator<Uint8Array> {
		yield header;
		let yielded = performance.now();
		for (;;) {
			if (performance.now() - yielded > YIELD_EVERY_MS) {
				await macrotask();
				yielded = performance.now();
			}
			if (this.cancelRequested) throw cancelled();
			let chunk = this.#db.fetchQueryResults(id);
			while (chunk === null) chunk = this.#db.fetchQueryResults(id);
			if (chunk.length === 0) return;
			yield chunk;
		}
	}

	#connId(): number {
		return this.#conn.useUnsafe((_, id) => id);
	}

	/** Stop a job: at once if it is running (DuckDB checks between slices), or before it starts if it waits. */
	async cancel(job: number): Promise<void> {
		this.#cancelled.add(job);
	}

	isCancelled(job: number): boolean {
		return this.#cancelled.has(job);
	}

	/** The running job was asked to stop: long loops check this between steps. */
	get cancelRequested(): boolean {
		return this.#current !== null && this.#cancelled.has(this.#current);
	}

	async columns(conn: Conn, table: string): Promise<ColumnInfo[]> {
		const t = await conn.query(`DESCRIBE ${quoteIdent(table)}`);
		return t.toArray().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
	}

	async rowCount(conn: Conn, table: string): Promise<number> {
		const t = await conn.query(`SELECT count(*)::DOUBLE AS n FROM ${quoteIdent(table)}`);
		return Number(t.get(0)?.n ?? 0);
	}

	async tableNames(conn: Conn): Promise<string[]> {
		const t = await conn.query(
			"SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name"
		);
		return t.toArray().map((r) => String(r.table_name));
	}
}

/** A turn of this worker's event loop (a message, such as a cancel, can run), without setTimeout's clamping. */
function macrotask(): Promise<void> {
	return new Promise((resolve) => {
		const { port1, port2 } = new MessageChannel();
		port1.onmessage = () => {
			port1.close();
			resolve();
		};
		port2.postMessage(null);
	});
}

export function toIpc(table: Table): Uint8Array {
	return tableToIPC(table, 'stream');
}

export function cancelled(): Error {
	const e = new Error('Cancelled by the user.');
	e.name = 'Cancelled';
	return e;
}
