import { proxy, transfer, wrap, type Remote } from 'comlink';
import { dataApi, nextJob } from '$lib/data/client';
import { SAMPLES } from '$lib/data/samples';
import type { Result } from '$lib/data/types';
import { trainApi } from '$lib/train/client';
import { encode, fitPreprocessing } from '$lib/ml/preprocess';
import { range } from '$lib/ml/random';
import type { Backend, Encoded, Frame, Task, TrainProgress } from '$lib/ml/types';
import type { BareExtras, BareTrainApi } from './bare-train.worker';
import { BareDuckDB } from './bare-duckdb';
import { pagePath, workerPath, type CellPathCase, type CellPathRun } from './cell-path';

/**
 * Driven by bench/train.mjs through `window.edgebookTrainSpeed` (/bench/train-speed, an unlinked route): the app's
 * train worker (`trainApi()`, as a train cell calls it) against a hand-written TF.js loop in a plain module worker
 * (bare-train.worker.ts), same backend, same data, same model, in this one page. Raw samples only; the
 * statistics and the table are Node's.
 */

export type DataName = 'penguins' | 'synth';

export interface PrepareOptions {
	/** Rows of the generated table (1,000,000). */
	synthRows: number;
	synthWidth: number;
	/** How many times to time frame() + fitPreprocessing() + encode() of the generated table. */
	frameReps: number;
}

export interface DataInfo {
	rows: number;
	width: number;
	task: Task;
	classes: number;
	features: string[];
	target: string;
}

export interface PrepareResult {
	available: Backend[];
	adapter: { description: string; isFallbackAdapter: boolean } | null;
	versions: Record<string, string>;
	dataStartMs: number;
	/** dataApi().run() of the generating SQL (CREATE TABLE … FROM range(n)). */
	synthCreateMs: number;
	data: Record<DataName, DataInfo>;
	/** Arrow to tensor, per rep: frame() round trip, fitPreprocessing(), encode(). */
	toTensor: { frameMs: number; fitMs: number; encodeMs: number }[];
	/** structuredClone of the encoded 1M-row training set on this thread: what posting it cloned would cost. */
	cloneMs: number;
	/** The same SELECT on a bare AsyncDuckDB in this page, columns read with Vector.toArray(). */
	bareToTensor: {
		startMs: number;
		rows: number;
		columns: number;
		queryMs: number;
		toArrayMs: number;
		getLoopOneColumnMs: number;
	};
}

export interface SpeedCase {
	data: DataName;
	backend: Backend;
	/** Train on the first `rows` rows (a cap for slow backends); null for all of them. */
	rows: number | null;
	epochs: number;
	hidden: number[];
	batchSize: number;
	reps: number;
}

export interface PathRun {
	/** Round trip of the call from this page: what a notebook cell waits for. */
	ms: number;
	/** Inside the worker: the app's fit() (model build, upload, epochs), or the bare loop's equivalent. */
	inWorkerMs: number;
	backend: string;
	loss: number;
	/** The order within its rep: 0 ran first. */
	position: number;
}

export interface LongTask {
	start: number;
	duration: number;
	/** Start relative to the start of the measured run it overlaps (negative: the task began before the call). */
	atMs?: number;
}

export interface CaseResult {
	case: SpeedCase;
	rows: number;
	width: number;
	/** Warm-up runs (module load, wasm compile, shaders) before the samples: rows and round trip of each path. */
	warmup: { rows: number; appMs: number; bareMs: number };
	app: PathRun[];
	bare: PathRun[];
	/** Main-thread long tasks that overlap a measured app run, and a bare one. */
	longTasks: { app: LongTask[]; bare: LongTask[] };
}

const LEARNING_RATE = 0.01;
const SEED = 42;

let observer: PerformanceObserver | null = null;
const longTasks: LongTask[] = [];

/** Long tasks (> 50 ms) of this page's main thread, from page load on (buffered). */
export function observeLongTasks(): void {
	if (observer) return;
	observer = new PerformanceObserver((list) => {
		for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
	});
	observer.observe({ type: 'longtask', buffered: true });
}

function overlapping(windows: { start: number; end: number }[]): LongTask[] {
	for (const e of observer?.takeRecords() ?? []) longTasks.push({ start: e.startTime, duration: e.duration });
	return longTasks.flatMap((t) => {
		const w = windows.find((w) => t.start < w.end && t.start + t.duration > w.start);
		return w ? [{ ...t, atMs: t.start - w.start }] : [];
	});
}

/** Runs are this far apart, and from the copy of their data, so that no long task of the bench's own (a copy, the
 * end of the previous run) overlaps a measured run. */
const pause = () => new Promise((r) => setTimeout(r, 100));

function unwrap<T>(res: Result<T>): T {
	if (!res.ok) throw new Error(`data worker: ${res.error.name}: ${res.error.message}`);
	return res;
}

const data = new Map<DataName, { encoded: Encoded; info: DataInfo }>();

let bareRemote: Remote<BareTrainApi> | null = null;
function bare(): Remote<BareTrainApi> {
	bareRemote ??= wrap<BareTrainApi>(
		new Worker(new URL('./bare-train.worker.ts', import.meta.url), { type: 'module', name: 'bare-train' })
	);
	return bareRemote;
}

function encodeAll(frame: Frame, target: string, features: string[], task: Task) {
	const started = performance.now();
	const prep = fitPreprocessing(frame, { target, features, task, trainRows: range(frame.rowCount) });
	const fitted = performance.now();
	const encoded = encode(prep, frame);
	const classes = prep.target.task === 'regression' ? 0 : prep.target.classes.length;
	return { encoded, classes, fitMs: fitted - started, encodeMs: performance.now() - fitted };
}

export async function prepare(o: PrepareOptions): Promise<PrepareResult> {
	observeLongTasks();
	const probe = await trainApi().probe();
	const dataStart = await dataApi().init();

	// Penguins: the bundled sample, loaded as the notebook loads it; numeric features → species.
	const sample = SAMPLES.find((s) => s.id === 'penguins');
	if (!sample) throw new Error('the penguins sample is missing from SAMPLES');
	const file = await (await fetch(sample.url)).blob();
	unwrap(await dataApi().load({ file, fileName: sample.fileName, table: 'penguins', job: nextJob() }));
	const pf = unwrap(await dataApi().frame({ table: 'penguins', columns: null })).frame;
	const target = 'Species';
	const pFeatures = pf.columns.filter((c) => c.kind === 'numeric').map((c) => c.name);
	const p = encodeAll(pf, target, pFeatures, 'multiclass');
	data.set('penguins', {
		encoded: p.encoded,
		info: {
			rows: pf.rowCount,
			width: p.encoded.width,
			task: 'multiclass',
			classes: p.classes,
			features: pFeatures,
			target
		}
	});

	// The generated table, through the app's data worker. Two statements: DuckDB would re-evaluate random() if y
	// referred to the f0/f1 aliases of the same SELECT, and y would not depend on the features.
	const features = Array.from({ length: o.synthWidth }, (_, i) => `f${i}`);
	const createX =
		`CREATE OR REPLACE TABLE synth_x AS SELECT ${features.map((f) => `random() AS ${f}`).join(', ')} ` +
		`FROM range(${o.synthRows})`;
	const selectY = 'SELECT *, (f0 + f1 > 1)::INTEGER AS y FROM synth_x';
	const sql = `${createX};\n${selectY}`;
	const created = performance.now();
	unwrap(await dataApi().run({ sql, resultTable: 'synth', job: nextJob() }));
	const synthCreateMs = performance.now() - created;
	await dataApi().drop({ table: 'synth_x' });

	const toTensor: PrepareResult['toTensor'] = [];
	let synth: ReturnType<typeof encodeAll> | null = null;
	let rowCount = 0;
	for (let rep = 0; rep < o.frameReps; rep++) {
		const started = performance.now();
		const frame = unwrap(await dataApi().frame({ table: 'synth', columns: null })).frame;
		const frameMs = performance.now() - started;
		synth = encodeAll(frame, 'y', features, 'binary');
		rowCount = frame.rowCount;
		toTensor.push({ frameMs, fitMs: synth.fitMs, encodeMs: synth.encodeMs });
	}
	if (!synth) throw new Error('frameReps must be 1 or more');
	await pause();
	const cloneStarted = performance.now();
	structuredClone(synth.encoded);
	const cloneMs = performance.now() - cloneStarted;

	// The baseline of the Arrow-to-tensor step: the same table shape and the same SELECT (every column cast to
	// DOUBLE, as tableFrame does) on a bare engine, read with toArray(). Closed before any training starts.
	const bareStarted = performance.now();
	const bareDb = await BareDuckDB.start();
	let bareToTensor: PrepareResult['bareToTensor'];
	try {
		const startMs = performance.now() - bareStarted;
		await bareDb.query(createX);
		await bareDb.query(`CREATE TABLE synth AS ${selectY}`);
		await bareDb.query('DROP TABLE synth_x');
		const cols = [...features, 'y'].map((c) => `${c}::DOUBLE AS ${c}`).join(', ');
		bareToTensor = { startMs, ...(await bareDb.numericColumns(`SELECT ${cols} FROM synth`)) };
	} finally {
		await bareDb.close();
	}
	data.set('synth', {
		encoded: synth.encoded,
		info: { rows: rowCount, width: synth.encoded.width, task: 'binary', classes: 2, features, target: 'y' }
	});
	return {
		available: probe.available,
		adapter: probe.adapter,
		versions: probe.versions,
		dataStartMs: dataStart.ms,
		synthCreateMs,
		data: {
			penguins: data.get('penguins')!.info,
			synth: data.get('synth')!.info
		},
		toTensor,
		cloneMs,
		bareToTensor
	};
}

/**
 * Both paths get the training set as the notebook's trainer sends it: transferred, not cloned. Each run gets a
 * copy of its own (made before the run and the pause that precedes it, so outside the measured window).
 */
function own(e: Encoded): Encoded {
	return { x: e.x.slice(), y: e.y.slice(), rows: e.rows, width: e.width };
}

/** The first `rows` rows, in buffers of their own (posting a view would clone its whole buffer). */
function head(e: Encoded, rows: number): Encoded {
	return { x: e.x.slice(0, rows * e.width), y: e.y.slice(0, rows), rows, width: e.width };
}

type Timed = Omit<PathRun, 'position'> & { end: number };

/** One training run through the app's train worker, as a train cell sends it (with a progress callback). */
async function appRun(c: SpeedCase, info: DataInfo, t: Encoded, epochs: number): Promise<Timed> {
	const validation: Encoded = { x: new Float32Array(0), y: new Float32Array(0), rows: 0, width: t.width };
	const onProgress = (_p: TrainProgress) => undefined;
	const started = performance.now();
	const r = await trainApi().train(
		transfer(
			{
				spec: { kind: 'mlp', layers: c.hidden.map((units) => ({ units, activation: 'relu' })), dropout: 0 },
				train: t,
				validation,
				task: info.task,
				classes: info.classes,
				params: {
					optimizer: 'adam',
					learningRate: LEARNING_RATE,
					momentum: 0,
					batchSize: c.batchSize,
					epochs,
					patience: 0,
					seed: SEED
				},
				preference: c.backend
			},
			[t.x.buffer, t.y.buffer]
		),
		proxy(onProgress)
	);
	const end = performance.now();
	if (!r.ok) throw new Error(`app on ${c.backend}: ${r.error.name}: ${r.error.message}`);
	if (r.backend !== c.backend)
		throw new Error(`app asked for ${c.backend}, trained on ${r.backend}: ${r.reason}`);
	const last = r.history.at(-1)!;
	return { ms: end - started, inWorkerMs: last.elapsedMs, backend: r.backend, loss: last.loss, end };
}

/** The same run through the hand-written loop, posted the same way (transferred, through comlink). */
async function bareRun(
	c: SpeedCase,
	info: DataInfo,
	t: Encoded,
	epochs: number,
	extras?: BareExtras
): Promise<Timed> {
	const started = performance.now();
	const r = await bare().train(
		transfer(
			{
				backend: c.backend,
				x: t.x,
				y: t.y,
				rows: t.rows,
				width: t.width,
				task: info.task === 'regression' ? 'binary' : info.task,
				classes: info.classes,
				hidden: c.hidden,
				epochs,
				batchSize: c.batchSize,
				learningRate: LEARNING_RATE,
				seed: SEED,
				extras
			},
			[t.x.buffer, t.y.buffer]
		)
	);
	const end = performance.now();
	if (r.backend !== c.backend) throw new Error(`bare asked for ${c.backend}, is on ${r.backend}`);
	return { ms: end - started, inWorkerMs: r.ms, backend: r.backend, loss: r.loss, end };
}

function caseData(c: SpeedCase) {
	const d = data.get(c.data);
	if (!d) throw new Error(`prepare() first: no ${c.data} data`);
	const rows = Math.min(c.rows ?? d.info.rows, d.info.rows);
	const train = rows === d.info.rows ? d.encoded : head(d.encoded, rows);
	// Warm-up rows: one full batch and the last, partial one, so both batch shapes are compiled.
	const warmRows = rows <= 2 * c.batchSize ? rows : c.batchSize + (rows % c.batchSize || c.batchSize);
	return { info: d.info, rows, train, warmRows, warm: warmRows === rows ? train : head(train, warmRows) };
}

export async function compare(c: SpeedCase): Promise<CaseResult> {
	const { info, rows, train, warm, warmRows } = caseData(c);
	// Warm-up, unmeasured: backend modules, wasm compiles, shader compiles for a full and the last partial batch.
	const warmApp = await appRun(c, info, own(warm), 1);
	const warmBare = await bareRun(c, info, own(warm), 1);

	const runs = { app: [] as PathRun[], bare: [] as PathRun[] };
	const windows = {
		app: [] as { start: number; end: number }[],
		bare: [] as { start: number; end: number }[]
	};
	for (let rep = 0; rep < c.reps; rep++) {
		// Alternate which path goes first, so neither always runs on the other's warm caches or leftover garbage.
		const order = rep % 2 === 0 ? (['app', 'bare'] as const) : (['bare', 'app'] as const);
		for (const [position, path] of order.entries()) {
			const mine = own(train);
			await pause();
			const r = await (path === 'app' ? appRun : bareRun)(c, info, mine, c.epochs);
			runs[path].push({ ms: r.ms, inWorkerMs: r.inWorkerMs, backend: r.backend, loss: r.loss, position });
			windows[path].push({ start: r.end - r.ms, end: r.end });
			// The next run's copy is a long task of this page's own: it must not touch this run's window.
			await pause();
		}
	}
	// A long task is reported once it has ended; give the observer a turn before reading.
	await pause();
	return {
		case: c,
		rows,
		width: info.width,
		warmup: { rows: warmRows, appMs: warmApp.ms, bareMs: warmBare.ms },
		...runs,
		longTasks: { app: overlapping(windows.app), bare: overlapping(windows.bare) }
	};
}

export interface Variant {
	name: string;
	/** Absent: the app's own train worker. */
	extras?: BareExtras;
}

/**
 * Attribution of a gap (BENCH_TRAIN_ATTRIBUTE): the bare loop with the app's habits added one at a time, and the
 * app itself, each run `reps` times in turn after a warm-up; round trips and in-worker times.
 */
export async function attribute(
	c: SpeedCase,
	variants: Variant[]
): Promise<{ case: SpeedCase; rows: number; runs: { name: string; ms: number; inWorkerMs: number }[] }> {
	const { info, rows, train, warm } = caseData(c);
	await appRun(c, info, own(warm), 1);
	await bareRun(c, info, own(warm), 1);
	const runs: { name: string; ms: number; inWorkerMs: number }[] = [];
	for (let rep = 0; rep < c.reps; rep++) {
		for (const v of rep % 2 === 0 ? variants : [...variants].reverse()) {
			const mine = own(train);
			await pause();
			const r = v.extras
				? await bareRun(c, info, mine, c.epochs, v.extras)
				: await appRun(c, info, mine, c.epochs);
			runs.push({ name: v.name, ms: r.ms, inWorkerMs: r.inWorkerMs });
		}
	}
	return { case: c, rows, runs };
}

/** Every long task since the page loaded, for the record. */
export function allLongTasks(): LongTask[] {
	return overlapping([{ start: 0, end: Infinity }]);
}

export interface CellPathResult {
	case: CellPathCase;
	runs: (CellPathRun & { longTasks: LongTask[] })[];
}

/**
 * A train cell's whole path (read, check, split, train, score) on the page's main thread as before, and in the
 * train worker as now; each run's long tasks counted over its whole window (cell-path.ts).
 */
export async function cellPaths(c: CellPathCase): Promise<CellPathResult> {
	const runs: CellPathResult['runs'] = [];
	for (const run of [pagePath, workerPath]) {
		await pause();
		const r = await run(c);
		await pause();
		runs.push({ ...r, longTasks: overlapping([{ start: r.start, end: r.end }]) });
	}
	return { case: c, runs };
}
