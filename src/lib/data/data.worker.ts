/// <reference lib="webworker" />
import { expose, transfer } from 'comlink';
import { PACKAGE_VERSION } from '@duckdb/duckdb-wasm';
import type { Engine } from './engine';
import { startEngine } from './engine-start';
import { toRows, type JsonCell } from './rows';
import { loadFile } from './ingest';
import { runSql } from './run-sql';
import { profileTable } from './profile';
import { chartData } from './chart-data';
import { exportTable } from './export-table';
import { tableFrame } from './frame';
import { insertColumns, type InsertColumn } from './insert-columns';
import { quoteIdent } from './sql-ident';
import { friendlyDuckDBError } from './sql-text';
import type { ChartRequest, DataError, LoadProgress, Result, TableInfo } from './types';

/** DuckDB's wasm (34 MB) is over Cloudflare's static-file limit, so the Worker serves it from R2 at this path. */
export const DUCKDB_WASM_PATH = __DUCKDB_WASM_PATH__;
if (!DUCKDB_WASM_PATH.includes(`/${PACKAGE_VERSION}/`))
	throw new Error(
		`DuckDB's wasm path ${DUCKDB_WASM_PATH} is not of the loaded DuckDB-WASM ${PACKAGE_VERSION}`
	);

let engine: Promise<Engine> | null = null;

function getEngine(): Promise<Engine> {
	engine ??= startEngine(new URL(DUCKDB_WASM_PATH, self.location.origin).href).catch((e) => {
		engine = null;
		const err = new Error(`The SQL engine could not start: ${e instanceof Error ? e.message : String(e)}`);
		err.name = 'EngineStartError';
		throw err;
	});
	return engine;
}

/** Expected failures come back as values (docs/architecture.md, Conventions); only bugs reject. */
async function attempt<T extends object>(fn: () => Promise<T>): Promise<Result<T>> {
	try {
		return { ok: true, ...(await fn()) };
	} catch (e) {
		return { ok: false, error: toError(e) };
	}
}

function toError(e: unknown): DataError {
	// Our own errors carry a code in `name`; DuckDB's carry it in the message ("Catalog Error: ...").
	if (e instanceof Error && e.name && e.name !== 'Error') return { name: e.name, message: e.message };
	return friendlyDuckDBError(e instanceof Error ? e.message : String(e));
}

const api = {
	async init(): Promise<{ version: string; ms: number }> {
		const started = performance.now();
		const e = await getEngine();
		return { version: e.version, ms: performance.now() - started };
	},

	/** `onProgress` is its own argument: comlink proxies callbacks only at the top level of a call. */
	/** Start DuckDB ahead of the first query (the notebook page calls this when it opens). */
	async warm(): Promise<void> {
		await getEngine().catch(() => undefined);
	},

	async load(
		req: { file: Blob; fileName: string; table: string; job: number },
		onProgress?: (p: LoadProgress) => void
	) {
		return attempt(async () => loadFile(await getEngine(), { ...req, onProgress }));
	},

	/** Stop a load or a query, running or still waiting its turn. */
	async cancel(job: number): Promise<void> {
		if (engine) await (await engine).cancel(job);
	},

	async run(req: { sql: string; resultTable: string; job: number }) {
		// runSql returns expected failures as values; this also catches a cancel before it started.
		return runSql(await getEngine(), req).catch((e): Result<never> => ({ ok: false, error: toError(e) }));
	},

	async rows(req: { table: string; offset: number; limit: number }): Promise<Result<{ rows: JsonCell[][] }>> {
		return attempt(async () => {
			const e = await getEngine();
			const t = await e.exclusive((conn) =>
				conn.query(
					`SELECT * FROM ${quoteIdent(req.table)} LIMIT ${Math.max(0, Math.floor(req.limit))} OFFSET ${Math.max(0, Math.floor(req.offset))}`
				)
			);
			return { rows: toRows(t) };
		});
	},

	async profile(req: { table: string }) {
		return attempt(async () => ({ profile: await profileTable(await getEngine(), req.table) }));
	},

	async chart(req: ChartRequest) {
		const result = await attempt(async () => ({ data: await chartData(await getEngine(), req) }));
		if (!result.ok) return result;
		const buffers = Object.values(result.data.columns).flatMap((c) =>
			c instanceof Float64Array ? [c.buffer] : []
		);
		return transfer(result, buffers);
	},

	/** Columns for training, column-major; numeric buffers are transferred, not copied. */
	async frame(req: { table: string; columns: string[] | null }) {
		const result = await attempt(async () => ({
			frame: await tableFrame(await getEngine(), req.table, req.columns)
		}));
		if (!result.ok) return result;
		const buffers = result.frame.columns.flatMap((c) => (c.kind === 'numeric' ? [c.values.buffer] : []));
		return transfer(result, buffers);
	},

	/**
	 * The same columns posted on `port` to another worker (the train worker, frame-pipe.ts), so a table's rows
	 * never pass through the page. Posts null when the table cannot be read; answers the shape or the error.
	 */
	async frameTo(req: { table: string; columns: string[] | null }, port: MessagePort) {
		const result = await attempt(async () => ({
			frame: await tableFrame(await getEngine(), req.table, req.columns)
		}));
		if (!result.ok) {
			port.postMessage(null);
			port.close();
			return result;
		}
		const { frame } = result;
		port.postMessage(
			frame,
			frame.columns.flatMap((c) => (c.kind === 'numeric' ? [c.values.buffer] : []))
		);
		port.close();
		return { ok: true as const, rowCount: frame.rowCount };
	},

	/** Columns computed elsewhere (a predict cell's predictions) become a table, as Arrow. */
	async insertColumns(req: { table: string; columns: InsertColumn[] }): Promise<Result<object>> {
		return attempt(async () => {
			await insertColumns(await getEngine(), req.table, req.columns);
			return {};
		});
	},

	async exportTable(req: { table: string; format: 'csv' | 'parquet' }) {
		const result = await attempt(async () => ({
			bytes: await exportTable(await getEngine(), req.table, req.format)
		}));
		return result.ok ? transfer(result, [result.bytes.buffer]) : result;
	},

	async drop(req: { table: string }): Promise<void> {
		const e = await getEngine();
		await e.exclusive((conn) => conn.query(`DROP TABLE IF EXISTS ${quoteIdent(req.table)}`));
	},

	async tables(): Promise<TableInfo[]> {
		const e = await getEngine();
		return e.exclusive(async (conn) => {
			const names = (await e.tableNames(conn)).filter((n) => !n.startsWith('__loading_'));
			const out: TableInfo[] = [];
			for (const name of names) {
				out.push({ name, columns: await e.columns(conn, name), rowCount: await e.rowCount(conn, name) });
			}
			return out;
		});
	}
};

export type DataApi = typeof api;
expose(api);
