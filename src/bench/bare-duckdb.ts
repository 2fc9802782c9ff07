import * as duckdb from '@duckdb/duckdb-wasm';
import duckdbWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import initParquet, { ParquetFile } from 'parquet-wasm/esm/parquet_wasm.js';
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';

/**
 * DuckDB-WASM used the way its README shows, with none of the app's layers: an AsyncDuckDB on this page's
 * main thread, Parquet decoded by parquet-wasm, `conn.query` for SQL. It is the baseline the app's
 * data worker is measured against, so it must stay plain: no queue, no streaming, no staging tables.
 */
export class BareDuckDB {
	readonly version: string;
	#db: duckdb.AsyncDuckDB;
	#conn: duckdb.AsyncDuckDBConnection;
	#worker: Worker;

	private constructor(db: duckdb.AsyncDuckDB, conn: duckdb.AsyncDuckDBConnection, worker: Worker, v: string) {
		this.#db = db;
		this.#conn = conn;
		this.#worker = worker;
		this.version = v;
	}

	/** Same bundle (eh) and the same wasm file, served by our Worker, as the app's engine. */
	static async start(): Promise<BareDuckDB> {
		const worker = new Worker(duckdbWorkerUrl);
		const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
		await db.instantiate(
			new URL(`/vendor/duckdb/${duckdb.PACKAGE_VERSION}/duckdb-eh.wasm`, location.href).href
		);
		const conn = await db.connect();
		return new BareDuckDB(db, conn, worker, await db.getVersion());
	}

	/**
	 * parquet-wasm → Arrow IPC → insertArrowFromIPCStream, one row group at a time as the app does. Decoding the
	 * whole file into one IPC stream is shorter to write, but the table it makes answers the GROUP BY about 2×
	 * slower here (bench/README.md), which would compare table layouts rather than query paths.
	 */
	async load(bytes: Uint8Array, table: string): Promise<void> {
		await initParquet({ module_or_path: parquetWasmUrl });
		await this.#conn.query(`DROP TABLE IF EXISTS "${table}"`);
		const file = await ParquetFile.fromFile(new Blob([bytes as BlobPart]));
		try {
			const groups = file.metadata().numRowGroups();
			for (let i = 0; i < groups; i++) {
				const ipc = (await file.read({ rowGroups: [i] })).intoIPCStream();
				await this.#conn.insertArrowFromIPCStream(ipc, { name: table, create: i === 0 });
			}
		} finally {
			file.free();
		}
	}

	/** The bare query path: the whole result comes back to this thread as an Arrow table. */
	async query(sql: string): Promise<number> {
		return (await this.#conn.query(sql)).numRows;
	}

	/**
	 * The statements the app's cell run sends (materialise, whose answer is the row count; describe; the first 200
	 * rows), sent straight to DuckDB: the difference between this and the app's run is the cost of the app's layers,
	 * not of the work.
	 */
	async sameWorkAsCell(sql: string, table: string): Promise<number> {
		const t = `"${table}"`;
		const created = await this.#conn.query(`CREATE OR REPLACE TABLE ${t} AS\n${sql}`);
		const [, preview] = await Promise.all([
			this.#conn.query(`DESCRIBE ${t}`),
			this.#conn.query(`SELECT * FROM ${t} LIMIT 200`)
		]);
		preview.toArray();
		return Number(created.get(0)?.Count ?? 0);
	}

	/**
	 * Numbers to Float64Arrays the plain Arrow way, for bench:train: `conn.query`, then `Vector.toArray()` per
	 * column (no nulls in the bench's table, so no NaN pass). The per-value `vector.get(r)` loop the app's
	 * tableFrame runs is timed on one column for comparison (on all of them it takes too long for a benchmark).
	 */
	async numericColumns(sql: string): Promise<{
		rows: number;
		columns: number;
		queryMs: number;
		toArrayMs: number;
		getLoopOneColumnMs: number;
	}> {
		let t = performance.now();
		const result = await this.#conn.query(sql);
		const queryMs = performance.now() - t;
		t = performance.now();
		const arrays: Float64Array[] = [];
		for (let i = 0; i < result.numCols; i++) {
			const values = result.getChildAt(i)!.toArray();
			arrays.push(values instanceof Float64Array ? values : Float64Array.from(values as ArrayLike<number>));
		}
		const toArrayMs = performance.now() - t;
		t = performance.now();
		const vector = result.getChildAt(0)!;
		const out = new Float64Array(result.numRows);
		for (let r = 0; r < result.numRows; r++) {
			const v = vector.get(r);
			out[r] = v === null || v === undefined ? NaN : Number(v);
		}
		const getLoopOneColumnMs = performance.now() - t;
		if (out[0] !== arrays[0][0]) throw new Error('toArray() and get() disagree');
		return { rows: result.numRows, columns: result.numCols, queryMs, toArrayMs, getLoopOneColumnMs };
	}

	async close(): Promise<void> {
		await this.#conn.close();
		await this.#db.terminate();
		this.#worker.terminate();
	}
}
