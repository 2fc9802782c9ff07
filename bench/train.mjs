// Training speed: the app's train worker (`trainApi().train()`, as a train cell calls it) against a hand-written
// TF.js loop in a plain module worker, on the same backend, data and model, in one page; plus the cost of getting a
// 1M-row table from DuckDB into the Float32Array a model takes, and the main thread's long tasks while the app
// trains. The page side lives in src/routes/bench/train-speed (an unlinked route) and src/lib/bench/.
import { median, round, table } from './lib.mjs';

const REPS = Number(process.env.BENCH_TRAIN_REPS ?? 2);
const FRAME_REPS = Number(process.env.BENCH_FRAME_REPS ?? 3);
const SYNTH_ROWS = 1_000_000;
const SYNTH_WIDTH = 20;
const BATCH = 256;
const BACKENDS = ['wasm', 'cpu', 'webgl', 'webgpu'];

// Penguins (344 rows × 4 numeric features → 3 species): many epochs, since one is two batches. WebGPU here is
// SwiftShader (a software adapter): a tenth of the work keeps it to seconds.
const PENGUINS = { hidden: [32, 32], epochs: { wasm: 50, cpu: 50, webgl: 50, webgpu: 5 } };
// The 1M × 20 table: one epoch; backends that would take minutes train on the first rows only (printed).
const SYNTH = {
	hidden: [64, 64],
	epochs: 1,
	rows: { wasm: null, cpu: 200_000, webgl: 100_000, webgpu: 10_000 }
};

function cases(available) {
	const out = [];
	for (const backend of BACKENDS) {
		if (!available.includes(backend)) continue;
		out.push({
			data: 'penguins',
			backend,
			rows: null,
			epochs: PENGUINS.epochs[backend],
			hidden: PENGUINS.hidden,
			batchSize: BATCH,
			reps: REPS
		});
		out.push({
			data: 'synth',
			backend,
			rows: SYNTH.rows[backend],
			epochs: SYNTH.epochs,
			hidden: SYNTH.hidden,
			batchSize: BATCH,
			reps: REPS
		});
	}
	return out;
}

const perSec = (rows, epochs, ms) => Math.round((rows * epochs) / (ms / 1000));
const fmt = (n) => n.toLocaleString('en-US');

function report(prep, results, allTasks) {
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
			fmt(perSec(r.rows, epochs, appMs)),
			fmt(perSec(r.rows, epochs, bareMs)),
			`${round(bareMs / appMs, 2)}`,
			`${round(bareIn / appIn, 2)}`,
			`${round(appMs)} / ${round(bareMs)}`,
			`${r.longTasks.app.length}${r.longTasks.app.length ? ` / ${round(longest)}` : ''}`
		];
	});
	const t = prep.toTensor;
	const per1M = (ms) => round((ms * 1e6) / prep.data.synth.rows);
	const steps = [
		['frame(): DuckDB → Arrow → Float64Array columns, transferred', t.map((s) => s.frameMs)],
		['fitPreprocessing(): means, stds, classes', t.map((s) => s.fitMs)],
		['encode(): → row-major Float32Array', t.map((s) => s.encodeMs)],
		['total', t.map((s) => s.frameMs + s.fitMs + s.encodeMs)]
	].map(([name, samples]) => [
		name,
		round(median(samples)),
		per1M(median(samples)),
		round(Math.min(...samples))
	]);
	const appTasks = results.flatMap((r) => r.longTasks.app);
	const longest = Math.max(0, ...appTasks.map((x) => x.duration));
	const s = prep.data.synth;
	return [
		`Training: app = trainApi().train() (the notebook's train worker), bare = a hand-written TF.js loop in a plain`,
		`module worker; same backend, data, model, Adam, batch ${BATCH}, no validation split. Samples/s from the round trip`,
		`of the call from the page (median of ${REPS} per path, alternating which goes first, after one warm-up each).`,
		table(
			[
				'data',
				'model',
				'backend',
				'rows × epochs',
				'app samples/s',
				'bare samples/s',
				'app/bare',
				'in-worker app/bare',
				'round trip ms app / bare',
				'long tasks n / max ms'
			],
			rows
		),
		'app/bare = speed ratio (goal ≥ 0.9); in-worker = the same from times taken inside each worker (the app: fit());',
		'the rest of the round trip is posting the data, model and backend set-up, saving the artifacts, messages.',
		`(cap) = the first rows of the ${fmt(s.rows)}-row table only: that backend would take minutes for all of them.`,
		`WebGPU is ${prep.adapter ? `${prep.adapter.description || 'an adapter'}${prep.adapter.isFallbackAdapter ? ' (software fallback adapter)' : ''}` : 'unavailable'}: expect it slow.`,
		'',
		`Arrow to tensor, ${fmt(s.rows)} rows × ${s.width} features + target (${t.length} runs; table made in ${round(prep.synthCreateMs)} ms by dataApi().run()):`,
		table(['step', 'median ms', 'ms per 1M rows', 'best ms'], steps),
		`structuredClone of the encoded ${fmt(s.rows)}-row training set on the main thread: ${round(prep.cloneMs)} ms (what posting`,
		'it to a worker without transferring costs: train() is sent it that way, by the notebook and by this bench).',
		'',
		`Main-thread long tasks (> 50 ms) overlapping the app's measured training runs: ${appTasks.length}` +
			(appTasks.length ? `, longest ${round(longest)} ms` : '') +
			` (goal: none); during the whole page's life: ${allTasks.length}` +
			(allTasks.length ? `, longest ${round(Math.max(...allTasks.map((x) => x.duration)))} ms.` : '.')
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
		const prep = await page.evaluate((o) => /** @type {any} */ (window).edgebookTrainSpeed.prepare(o), {
			synthRows: SYNTH_ROWS,
			synthWidth: SYNTH_WIDTH,
			frameReps: FRAME_REPS
		});
		const missing = BACKENDS.filter((b) => !prep.available.includes(b));
		if (missing.length) console.log(`not available here, skipped: ${missing.join(', ')}`);
		const results = [];
		for (const c of cases(prep.available)) {
			const started = Date.now();
			const r = await page.evaluate((c) => /** @type {any} */ (window).edgebookTrainSpeed.compare(c), c);
			console.log(
				`  ${c.data} on ${c.backend}: ${fmt(r.rows)} rows × ${c.epochs}, ${((Date.now() - started) / 1000).toFixed(1)} s`
			);
			results.push(r);
		}
		const allTasks = await page.evaluate(() => /** @type {any} */ (window).edgebookTrainSpeed.longTasks());
		return {
			text: report(prep, results, allTasks),
			json: {
				settings: {
					reps: REPS,
					frameReps: FRAME_REPS,
					batchSize: BATCH,
					synth: { rows: SYNTH_ROWS, width: SYNTH_WIDTH, ...SYNTH },
					penguins: PENGUINS
				},
				prepare: prep,
				results,
				longTasks: allTasks
			}
		};
	} finally {
		await context.close();
	}
}
