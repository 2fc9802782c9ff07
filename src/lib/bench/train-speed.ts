import { proxy, wrap, type Remote } from 'comlink';
import { dataApi, nextJob } from '$lib/data/client';
import { SAMPLES } from '$lib/data/samples';
import type { Result } from '$lib/data/types';
import { trainApi } from '$lib/train/client';
import { encode, fitPreprocessing } from '$lib/train/preprocess';
import { range } from '$lib/train/random';
import type { Backend, Encoded, Frame, Task, TrainProgress } from '$lib/train/types';
import type { BareTrainApi } from './bare-train.worker';

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
	/** structuredClone of the encoded 1M-row training set on this thread: what posting it to a worker costs. */
	cloneMs: number;
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
}

export interface CaseResult {
	case: SpeedCase;
	rows: number;
	width: number;
	/** Warm-up runs (module load, wasm compile, shaders) before the samples: rows and round trip of each path. */
	warmup: { rows: number; appMs: number; bareMs: number };
	app: PathRun[];
	bare: PathRun[];
	/** The app's progress events in its last run (the notebook passes a callback too). */
	progressEvents: number;
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
	return longTasks.filter((t) => windows.some((w) => t.start < w.end && t.start + t.duration > w.start));
}

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
	const sql =
		`CREATE OR REPLACE TABLE synth_x AS SELECT ${features.map((f) => `random() AS ${f}`).join(', ')} ` +
		`FROM range(${o.synthRows});\nSELECT *, (f0 + f1 > 1)::INTEGER AS y FROM synth_x`;
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
	const cloneStarted = performance.now();
	structuredClone(synth.encoded);
	const cloneMs = performance.now() - cloneStarted;
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
		cloneMs
	};
}

/** The first `rows` rows, in buffers of their own (posting a view would clone its whole buffer). */
function head(e: Encoded, rows: number): Encoded {
	return { x: e.x.slice(0, rows * e.width), y: e.y.slice(0, rows), rows, width: e.width };
}

export async function compare(c: SpeedCase): Promise<CaseResult> {
	const d = data.get(c.data);
	if (!d) throw new Error(`prepare() first: no ${c.data} data`);
	const { task, classes, width } = d.info;
	const rows = Math.min(c.rows ?? d.info.rows, d.info.rows);
	const train = rows === d.info.rows ? d.encoded : head(d.encoded, rows);
	const validation: Encoded = { x: new Float32Array(0), y: new Float32Array(0), rows: 0, width };
	let progressEvents = 0;

	const app = async (t: Encoded, epochs: number): Promise<Omit<PathRun, 'position'> & { end: number }> => {
		progressEvents = 0;
		const onProgress = (_p: TrainProgress) => void progressEvents++;
		const started = performance.now();
		const r = await trainApi().train(
			{
				spec: { kind: 'mlp', layers: c.hidden.map((units) => ({ units, activation: 'relu' })), dropout: 0 },
				train: t,
				validation,
				task,
				classes,
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
			proxy(onProgress)
		);
		const end = performance.now();
		if (!r.ok) throw new Error(`app on ${c.backend}: ${r.error.name}: ${r.error.message}`);
		if (r.backend !== c.backend)
			throw new Error(`app asked for ${c.backend}, trained on ${r.backend}: ${r.reason}`);
		const last = r.history.at(-1)!;
		return { ms: end - started, inWorkerMs: last.elapsedMs, backend: r.backend, loss: last.loss, end };
	};
	const baseline = async (
		t: Encoded,
		epochs: number
	): Promise<Omit<PathRun, 'position'> & { end: number }> => {
		const started = performance.now();
		const r = await bare().train({
			backend: c.backend,
			x: t.x,
			y: t.y,
			rows: t.rows,
			width,
			task: task === 'regression' ? 'binary' : task,
			classes,
			hidden: c.hidden,
			epochs,
			batchSize: c.batchSize,
			learningRate: LEARNING_RATE,
			seed: SEED
		});
		const end = performance.now();
		if (r.backend !== c.backend) throw new Error(`bare asked for ${c.backend}, is on ${r.backend}`);
		return { ms: end - started, inWorkerMs: r.ms, backend: r.backend, loss: r.loss, end };
	};

	// Warm-up, unmeasured: backend modules, wasm compiles, shader compiles for a full and the last partial batch.
	const warmRows = rows <= 2 * c.batchSize ? rows : c.batchSize + (rows % c.batchSize || c.batchSize);
	const warm = warmRows === rows ? train : head(train, warmRows);
	const warmApp = await app(warm, 1);
	const warmBare = await baseline(warm, 1);

	const runs = { app: [] as PathRun[], bare: [] as PathRun[] };
	const windows = {
		app: [] as { start: number; end: number }[],
		bare: [] as { start: number; end: number }[]
	};
	for (let rep = 0; rep < c.reps; rep++) {
		// Alternate which path goes first, so neither always runs on the other's warm caches or leftover garbage.
		const order = rep % 2 === 0 ? (['app', 'bare'] as const) : (['bare', 'app'] as const);
		for (const [position, path] of order.entries()) {
			const r = await (path === 'app' ? app : baseline)(train, c.epochs);
			runs[path].push({ ms: r.ms, inWorkerMs: r.inWorkerMs, backend: r.backend, loss: r.loss, position });
			windows[path].push({ start: r.end - r.ms, end: r.end });
		}
	}
	// A long task is reported once it has ended; give the observer a turn before reading.
	await new Promise((r) => setTimeout(r, 50));
	return {
		case: c,
		rows,
		width,
		warmup: { rows: warmRows, appMs: warmApp.ms, bareMs: warmBare.ms },
		...runs,
		progressEvents,
		longTasks: { app: overlapping(windows.app), bare: overlapping(windows.bare) }
	};
}

/** Every long task since the page loaded, for the record. */
export function allLongTasks(): LongTask[] {
	return overlapping([{ start: 0, end: Infinity }]);
}
