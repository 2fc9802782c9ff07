import { dataApi, nextJob } from '$lib/data/client';
import { SAMPLES } from '$lib/data/samples';
import type { Result } from '$lib/data/types';
import { BareDuckDB } from './bare-duckdb';

/** Driven by bench/data.mjs through `window.edgebookBench.run`; raw samples only, the statistics are Node's. */
export interface DataBenchOptions {
	queries: { name: string; sql: string }[];
	/** Measured runs of each query on each path (after one unmeasured cold run). */
	reps: number;
	/** Loads of the Parquet file into each engine. */
	loads: number;
}

export interface QuerySamples {
	name: string;
	sql: string;
	resultRows: number;
	/** The first run of each path, left out of the samples below. */
	cold: { app: number; bare: number };
	/** `dataApi().run` round trip from this thread: what a notebook cell waits for. */
	app: number[];
	/** The same runs as `app`, timed inside the data worker (the cell's `elapsedMs`). */
	appInWorker: number[];
	/** `conn.query` on the bare AsyncDuckDB. */
	bare: number[];
	/** The bare AsyncDuckDB sent the statements the app's run sends. */
	bareSameWork: number[];
}

export interface DataBenchResult {
	duckdbVersion: string;
	file: { name: string; bytes: number; fetchMs: number };
	tableRows: number;
	startMs: { app: number; bare: number };
	loadMs: { app: number[]; bare: number[] };
	queries: QuerySamples[];
}

const TABLE = 'flights';

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
	const started = performance.now();
	const value = await fn();
	return { ms: performance.now() - started, value };
}

/** Fails loudly: a benchmark of a failing query would time the error path. */
function unwrap<T>(res: Result<T>): T {
	if (!res.ok) throw new Error(`app: ${res.error.name}: ${res.error.message}`);
	return res;
}

async function appRun(sql: string) {
	return unwrap(await dataApi().run({ sql, resultTable: '_bench_result', job: nextJob() }));
}

/** Every step alternates which path goes first, so neither always runs on the other's warm caches. */
async function alternate(i: number, a: () => Promise<void>, b: () => Promise<void>): Promise<void> {
	if (i % 2 === 0) {
		await a();
		await b();
	} else {
		await b();
		await a();
	}
}

/**
 * One engine's start in a page that has started none: bench/data.mjs calls it in a fresh browser context per
 * start, alternating which engine goes first, since the second engine to start in a page compiles DuckDB's
 * 34 MB wasm from the cache the first one filled.
 */
export async function coldStart(which: 'app' | 'bare'): Promise<number> {
	if (which === 'app') return (await timed(() => dataApi().init())).ms;
	const started = await timed(() => BareDuckDB.start());
	await started.value.close();
	return started.ms;
}

export async function runDataBench(opts: DataBenchOptions): Promise<DataBenchResult> {
	const sample = SAMPLES.find((s) => s.id === 'flights');
	if (!sample) throw new Error('the flights sample is missing from SAMPLES');
	const fetched = await timed(async () => (await fetch(sample.url)).blob());
	const blob = fetched.value;
	const bytes = new Uint8Array(await blob.arrayBuffer());

	const appStart = await timed(() => dataApi().init());
	const bareStart = await timed(() => BareDuckDB.start());
	const bare = bareStart.value;
	try {
		const loadMs = { app: [] as number[], bare: [] as number[] };
		let tableRows = 0;
		for (let i = 0; i < opts.loads; i++) {
			await alternate(
				i,
				async () => {
					await dataApi().drop({ table: TABLE });
					const job = nextJob();
					const r = await timed(async () =>
						dataApi().load({ file: blob, fileName: sample.fileName, table: TABLE, job })
					);
					tableRows = unwrap(r.value).fingerprint.rowCount;
					loadMs.app.push(r.ms);
				},
				async () => {
					loadMs.bare.push((await timed(() => bare.load(bytes, TABLE))).ms);
				}
			);
		}

		const queries: QuerySamples[] = [];
		for (const q of opts.queries) {
			const coldApp = await timed(() => appRun(q.sql));
			const coldBare = await timed(() => bare.query(q.sql));
			if (coldApp.value.rowCount !== coldBare.value) {
				throw new Error(`${q.name}: app returned ${coldApp.value.rowCount} rows, bare ${coldBare.value}`);
			}
			const s: QuerySamples = {
				name: q.name,
				sql: q.sql,
				resultRows: coldBare.value,
				cold: { app: coldApp.ms, bare: coldBare.ms },
				app: [],
				appInWorker: [],
				bare: [],
				bareSameWork: []
			};
			for (let i = 0; i < opts.reps; i++) {
				await alternate(
					i,
					async () => {
						const r = await timed(() => appRun(q.sql));
						s.app.push(r.ms);
						s.appInWorker.push(r.value.elapsedMs);
					},
					async () => {
						s.bare.push((await timed(() => bare.query(q.sql))).ms);
						s.bareSameWork.push((await timed(() => bare.sameWorkAsCell(q.sql, '_bench_result'))).ms);
					}
				);
			}
			queries.push(s);
		}
		return {
			duckdbVersion: bare.version,
			file: { name: sample.fileName, bytes: blob.size, fetchMs: fetched.ms },
			tableRows,
			startMs: { app: appStart.ms, bare: bareStart.ms },
			loadMs,
			queries
		};
	} finally {
		await bare.close();
	}
}
