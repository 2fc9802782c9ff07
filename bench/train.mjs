// Training speed: the app's train worker (`trainApi().train()`, as a train cell calls it) against a hand-written
// TF.js loop in a plain module worker, on the same backend, data and model, in one page; plus the cost of getting a
// 1M-row table from DuckDB into the Float32Array a model takes, and the main thread's long tasks while the app
// trains. The page side lives in src/routes/bench/train-speed (an unlinked route) and src/bench/.
import { median, round, table } from './lib.mjs';

const REPS = Number(process.env.BENCH_TRAIN_REPS ?? 2);
const FRAME_REPS = Number(process.env.BENCH_FRAME_REPS ?? 1);
const ATTRIBUTE = process.env.BENCH_TRAIN_ATTRIBUTE === '1';
// BENCH_TRAIN_CELL_ONLY=1: only the data paths (Arrow to tensor, a train cell's whole path), not the backend cases.
const CELL_ONLY = process.env.BENCH_TRAIN_CELL_ONLY === '1';
const CELL_BACKEND = process.env.BENCH_TRAIN_CELL_BACKEND ?? 'wasm';
const SYNTH_ROWS = 1_000_000;
const SYNTH_WIDTH = 20;
const BATCH = 256;
const BACKENDS = ['wasm', 'cpu', 'webgl', 'webgpu'];

// Penguins (344 rows × 4 numeric features → 3 species): many epochs, since one is two batches. WebGPU here is
// SwiftShader (a software adapter), ~10× slower than the rest per batch: a tenth of the epochs.
const PENGUINS = { hidden: [32, 32], epochs: { wasm: 50, cpu: 50, webgl: 20, webgpu: 5 } };
// The 1M × 20 table: one epoch, one run per path (a run is thousands of batches); backends that would take
// minutes for the whole table train on its first rows only, and the table says so.
const SYNTH = {
	hidden: [64, 64],
	epochs: 1,
	reps: Math.max(1, Math.floor(REPS / 2)),
	rows: { wasm: null, cpu: 100_000, webgl: 50_000, webgpu: 5_000 }
};

function cases(available) {
	return BACKENDS.filter((b) => available.includes(b)).flatMap((backend) => [
		{
			data: 'penguins',
			backend,
			rows: null,
			epochs: PENGUINS.epochs[backend],
			hidden: PENGUINS.hidden,
			batchSize: BATCH,
			reps: REPS
		},
		{
			data: 'synth',
			backend,
			rows: SYNTH.rows[backend],
			epochs: SYNTH.epochs,
			hidden: SYNTH.hidden,
			batchSize: BATCH,
			reps: SYNTH.reps
		}
	]);
}

// BENCH_TRAIN_ATTRIBUTE=1: the bare loop with the app's per-batch and per-epoch habits added one at a time.
const ATTRIBUTION_CASES = [
	{ data: 'penguins', backend: 'wasm', rows: null, epochs: 50, hidden: PENGUINS.hidden },
	{ data: 'penguins', backend: 'webgl', rows: null, epochs: 20, hidden: PENGUINS.hidden },
	{ data: 'synth', backend: 'wasm', rows: 100_000, epochs: 1, hidden: SYNTH.hidden },
	{ data: 'synth', backend: 'webgl', rows: 30_000, epochs: 1, hidden: SYNTH.hidden }
];

/** What fit.ts reads: the batch loss about ten times an epoch, never more than 16 batches apart. */
const appReadEvery = (rows) => Math.min(16, Math.max(1, Math.ceil(Math.ceil(rows / BATCH) / 10)));

function variants(rows) {
	const readEvery = appReadEvery(rows);
	return [
		{ name: 'app (trainApi)' },
		{ name: 'bare', extras: {} },
		{ name: 'bare + accuracy each batch', extras: { metric: true } },
		{ name: 'bare + yield each batch', extras: { yieldEach: true } },
		{ name: `bare + loss read every ${readEvery}`, extras: { readEvery } },
		{ name: 'bare + weights read each epoch', extras: { snapshot: true } },
		{
			name: 'bare + all four',
			extras: { metric: true, yieldEach: true, readEvery, snapshot: true }
		}
	];
}

const perSec = (rows, epochs, ms) => Math.round((rows * epochs) / (ms / 1000));
const fmt = (n) => n.toLocaleString('en-US');

function trainingTable(prep, results) {
	const rows = results.map((r) => {
		const { data, backend, epochs, hidden } = r.case;
		const appMs = median(r.app.map((s) => s.ms));
		const bareMs = median(r.bare.map((s) => s.ms));
		const appIn = median(r.app.map((s) => s.inWorkerMs));
		const bareIn = median(r.bare.map((s) => s.inWorkerMs));
		const info = prep.data[data];
		const capped = r.rows < info.rows;
		const shape = `${info.width}→${hidden.join('→')}→${info.task === 'multiclass' ? info.classes : 1}`;
		const longest = Math.max(0, ...r.longTasks.app.map((t) => t.duration));
		return [
			data,
			shape,
			backend,
			`${fmt(r.rows)}${capped ? ' (cap)' : ''} × ${epochs}`,
			r.app.length,
			fmt(perSec(r.rows, epochs, appMs)),
			fmt(perSec(r.rows, epochs, bareMs)),
			`${round(bareMs / appMs, 2)}`,
			`${round(bareIn / appIn, 2)}`,
			`${round(appMs)} / ${round(bareMs)}`,
			`${r.longTasks.app.length}${r.longTasks.app.length ? ` / ${round(longest)}` : ''}`
		];
	});
	return table(
		[
			'data',
			'model',
			'backend',
			'rows × epochs',
			'runs',
			'app samples/s',
			'bare samples/s',
			'app/bare',
			'in-worker app/bare',
			'round trip ms app / bare',
			'long tasks n / max ms'
		],
		rows
	);
}

function toTensorTable(prep) {
	const t = prep.toTensor;
	const rows = prep.data.synth.rows;
	const per1M = (ms) => round((ms * 1e6) / rows);
	const line = (name, samples) => [name, round(median(samples)), per1M(median(samples))];
	const b = prep.bareToTensor;
	return table(
		['step', 'ms', 'ms per 1M rows'],
		[
			line(
				'app: frame() — DuckDB chunks streamed into a Float64Array per column, transferred',
				t.map((s) => s.frameMs)
			),
			line(
				'app: fitPreprocessing() — means, stds, classes',
				t.map((s) => s.fitMs)
			),
			line(
				'app: encode() — row-major Float32Array',
				t.map((s) => s.encodeMs)
			),
			line(
				'app: total',
				t.map((s) => s.frameMs + s.fitMs + s.encodeMs)
			),
			line('bare: conn.query() of the same SELECT on an AsyncDuckDB in the page', [b.queryMs]),
			line('bare: Vector.toArray() of every column', [b.toArrayMs]),
			line(`bare: the app's vector.get loop on 1 of ${b.columns} columns`, [b.getLoopOneColumnMs])
		]
	);
}

function attributionTable(attribution) {
	const rows = attribution.flatMap((a) => {
		const by = (name) => a.runs.filter((r) => r.name === name);
		const bareIn = median(by('bare').map((r) => r.inWorkerMs));
		const names = [...new Set(a.runs.map((r) => r.name))];
		return names.map((name) => {
			const runs = by(name);
			const inWorker = median(runs.map((r) => r.inWorkerMs));
			return [
				`${a.case.data} ${a.case.backend} ${fmt(a.rows)} × ${a.case.epochs}`,
				name,
				round(median(runs.map((r) => r.ms))),
				round(inWorker),
				`${round(inWorker - bareIn)}`,
				`${round(bareIn / inWorker, 2)}`
			];
		});
	});
	return table(
		['case', 'variant', 'round trip ms', 'in-worker ms', 'in-worker − bare ms', 'speed vs bare'],
		rows
	);
}

function cellPathTable(cell) {
	const steps = ['read', 'check', 'split', 'train', 'score'];
	const rows = cell.runs.map((r) => {
		const longest = Math.max(0, ...r.longTasks.map((t) => t.duration));
		const total = r.longTasks.reduce((a, t) => a + t.duration, 0);
		return [
			r.path === 'page' ? 'before: prepared on the page' : 'now: prepared in the train worker',
			round(r.ms),
			...steps.map((s) => round(r.steps[s] ?? NaN)),
			r.longTasks.length,
			round(longest),
			round(total),
			round(r.testAccuracy, 3)
		];
	});
	return table(
		[
			'path',
			'total ms',
			...steps.map((s) => `${s} ms`),
			'long tasks',
			'longest ms',
			'blocked ms',
			'test acc'
		],
		rows
	);
}

function report(prep, results, attribution, allTasks, cell) {
	const s = prep.data.synth;
	const appTasks = results.flatMap((r) => r.longTasks.app);
	const bareTasks = results.flatMap((r) => r.longTasks.bare);
	const longest = (tasks) => round(Math.max(0, ...tasks.map((x) => x.duration)));
	const adapter = prep.adapter
		? `${prep.adapter.description || prep.adapter.vendor || 'an adapter'}${prep.adapter.isFallbackAdapter ? ', a software fallback adapter' : ''}`
		: 'unavailable';
	const cellLines = [
		`A train cell's whole path on the ${fmt(prep.data.synth.rows)}-row × ${prep.data.synth.width} table (${cell.case.backend},`,
		`${cell.case.epochs} epoch, ${prep.data.synth.width}→${cell.case.hidden.join('→')}→1, batch ${cell.case.batchSize}): read → check → split (fit + encode) → train → score`,
		'the test split; main-thread long tasks (> 50 ms) over each whole path, preparation included (goal: none):',
		cellPathTable(cell),
		''
	];
	const tensorLines = [
		`Arrow to tensor, ${fmt(s.rows)} rows × ${s.width} features + target (app steps: median of ${prep.toTensor.length};` +
			` table made by dataApi().run() in ${round(prep.synthCreateMs)} ms):`,
		toTensorTable(prep),
		`Both paths get the training set transferred, as the notebook's trainer sends it; posting the encoded`,
		`${fmt(s.rows)}-row set cloned instead would block the main thread for ${round(prep.cloneMs)} ms (its structuredClone here).`,
		''
	];
	if (CELL_ONLY) return [...cellLines, ...tensorLines].join('\n');
	return [
		...cellLines,
		...tensorLines,
		`Training: app = trainApi().train() (the notebook's train worker); bare = a hand-written TF.js loop in a plain`,
		`module worker. Same backend, data, model, Adam, batch ${BATCH}, no validation split, one warm-up run each first.`,
		`Samples/s from the round trip of the call from the page; median (nearest rank: of 2, the faster) of "runs"`,
		'per path, alternating which path goes first.',
		trainingTable(prep, results),
		'app/bare = speed ratio (goal ≥ 0.9); in-worker app/bare = the same from times taken inside each worker',
		'(app: its fit() from model build to the last epoch; bare: its loop); the rest of the round trip is posting the',
		'data, backend set-up, saving the artifacts and messages.',
		`(cap) = the first rows of the ${fmt(s.rows)}-row table only: that backend would take minutes for all of them.`,
		`WebGPU runs on ${adapter}: slow by nature here, so its work is small.`,
		'',
		`Main-thread long tasks (> 50 ms) overlapping the app's measured training runs: ${appTasks.length}` +
			(appTasks.length
				? `, longest ${longest(appTasks)} ms, starting ${appTasks.map((t) => `${round(t.atMs)}`).join(', ')} ms from the call`
				: '') +
			' (goal: none).',
		`The same for the bare runs: ${bareTasks.length}${bareTasks.length ? `, longest ${longest(bareTasks)} ms` : ''}. ` +
			`Whole page (data prep and bare DuckDB reads included): ${allTasks.length}, longest ${longest(allTasks)} ms.`,
		...(attribution.length
			? [
					'',
					'Attribution (BENCH_TRAIN_ATTRIBUTE=1): the bare loop plus one habit of the app at a time, ms (median):',
					attributionTable(attribution)
				]
			: [])
	].join('\n');
}

export async function run({ browser, url }) {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
		await page.goto(`${url}/bench/train-speed`);
		await page
			.locator('[data-testid="bench-ready"][data-ready="true"]')
			.waitFor({ timeout: 30_000 })
			.catch(() => {
				throw new Error(
					'/bench/train-speed did not start: is build/ older than src/routes/bench? Run `npm run build`.'
				);
			});
		const bench = (fn, ...args) =>
			page.evaluate(([fn, args]) => /** @type {any} */ (window).edgebookTrainSpeed[fn](...args), [fn, args]);
		let started = Date.now();
		const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
		const prep = await bench('prepare', {
			synthRows: SYNTH_ROWS,
			synthWidth: SYNTH_WIDTH,
			frameReps: FRAME_REPS
		});
		console.log(`  data: penguins and the ${fmt(SYNTH_ROWS)}-row table, Arrow to tensor: ${elapsed()}`);
		const missing = BACKENDS.filter((b) => !prep.available.includes(b));
		if (missing.length) console.log(`  not available here, skipped: ${missing.join(', ')}`);
		started = Date.now();
		const cell = await bench('cellPaths', {
			table: 'synth',
			target: 'y',
			features: prep.data.synth.features,
			backend: CELL_BACKEND,
			epochs: 1,
			hidden: SYNTH.hidden,
			batchSize: BATCH
		});
		console.log(`  a train cell's whole path, page and worker: ${elapsed()}`);
		const results = [];
		for (const c of CELL_ONLY ? [] : cases(prep.available)) {
			started = Date.now();
			const r = await bench('compare', c);
			console.log(`  ${c.data} on ${c.backend}: ${fmt(r.rows)} rows × ${c.epochs}: ${elapsed()}`);
			results.push(r);
		}
		const attribution = [];
		if (ATTRIBUTE) {
			for (const a of ATTRIBUTION_CASES.filter((a) => prep.available.includes(a.backend))) {
				started = Date.now();
				const c = { ...a, batchSize: BATCH, reps: REPS };
				const rows = a.rows ?? prep.data[a.data].rows;
				attribution.push(await bench('attribute', c, variants(rows)));
				console.log(`  attribution, ${a.data} on ${a.backend}: ${elapsed()}`);
			}
		}
		const allTasks = await bench('longTasks');
		return {
			text: report(prep, results, attribution, allTasks, cell),
			json: {
				settings: {
					reps: REPS,
					frameReps: FRAME_REPS,
					batchSize: BATCH,
					synth: { rows: SYNTH_ROWS, width: SYNTH_WIDTH, ...SYNTH },
					penguins: PENGUINS
				},
				prepare: prep,
				cellPath: cell,
				results,
				attribution,
				longTasks: allTasks
			}
		};
	} finally {
		await context.close();
	}
}
