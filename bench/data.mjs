// The app's SQL path against bare DuckDB-WASM on the same data, in the same page, plus time to first rows in the
// notebook UI. The page side lives in src/routes/bench/data (an unlinked route) and src/bench/.
import { median, round, summary, table } from './lib.mjs';
import { uiFirstRows } from './data-ui.mjs';

// Three shapes of analytic query; each returns few rows, so the bare path does not pay for shipping millions
// of rows to the main thread while the app keeps its result in DuckDB and sends 100.
export const QUERIES = [
	{
		name: 'group by',
		sql: 'SELECT origin, count(*) AS flights, avg(delay) AS avg_delay\nFROM flights GROUP BY origin ORDER BY avg_delay DESC'
	},
	{
		name: 'filtered aggregate',
		sql: 'SELECT count(*) AS flights, avg(delay) AS avg_delay, max(distance) AS longest\nFROM flights WHERE distance > 1000 AND delay > 15'
	},
	{
		name: 'window',
		sql: 'SELECT origin, destination, delay\nFROM flights\nQUALIFY row_number() OVER (PARTITION BY origin ORDER BY delay DESC, destination) <= 3\nORDER BY origin, delay DESC, destination'
	}
];

const REPS = Number(process.env.BENCH_REPS ?? 15);
const LOADS = Number(process.env.BENCH_LOADS ?? 3);
const UI_REPS = Number(process.env.BENCH_UI_REPS ?? 3);
const STARTS = Number(process.env.BENCH_STARTS ?? 3);

async function benchPage(context, url) {
	const page = await context.newPage();
	page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
	await page.goto(`${url}/bench/data`);
	await page
		.locator('[data-testid="bench-ready"][data-ready="true"]')
		.waitFor({ timeout: 30_000 })
		.catch(() => {
			throw new Error(
				'/bench/data did not start: is build/ older than src/routes/bench? Run `npm run build`.'
			);
		});
	return page;
}

/**
 * Engine start, each in a fresh context (empty HTTP cache) and alternating which engine goes first: in one page
 * the second engine compiles DuckDB's wasm from what the first one fetched, which is what the in-page "start"
 * column below sees (the app starts first there).
 */
async function coldStarts({ browser, url }) {
	const ms = { app: [], bare: [] };
	for (let i = 0; i < STARTS; i++) {
		for (const which of i % 2 === 0 ? ['app', 'bare'] : ['bare', 'app']) {
			const context = await browser.newContext();
			try {
				const page = await benchPage(context, url);
				ms[which].push(
					await page.evaluate((w) => /** @type {any} */ (window).edgebookBench.coldStart(w), which)
				);
			} finally {
				await context.close();
			}
		}
	}
	return ms;
}

async function engines({ browser, url }) {
	const context = await browser.newContext();
	try {
		const page = await benchPage(context, url);
		return await page.evaluate((opts) => /** @type {any} */ (window).edgebookBench.run(opts), {
			queries: QUERIES,
			reps: REPS,
			loads: LOADS
		});
	} finally {
		// Closed before the UI part, so its DuckDB instances do not compete with the notebook's for memory.
		await context.close();
	}
}

function report(engine, ui, starts) {
	const queryRows = engine.queries.map((q) => {
		const app = summary(q.app);
		const bare = summary(q.bare);
		return [
			q.name,
			q.resultRows,
			app.median,
			app.p95,
			bare.median,
			bare.p95,
			`${round(app.median / bare.median, 2)}×`,
			round(median(q.appInWorker)),
			round(median(q.bareSameWork)),
			`${round(q.cold.app)} / ${round(q.cold.bare)}`
		];
	});
	const loadRows = [
		['app (data worker)', round(engine.startMs.app), ...loadCells(engine.loadMs.app)],
		['bare duckdb-wasm', round(engine.startMs.bare), ...loadCells(engine.loadMs.bare)]
	];
	const uiRows = QUERIES.map((q) => {
		const runs = ui.runs.filter((r) => r.query === q.name);
		const first = runs.find((r) => r.rep === 0);
		return [
			q.name,
			round(first.inPageMs),
			round(median(runs.map((r) => r.inPageMs))),
			round(median(runs.map((r) => r.observedMs))),
			runs.length
		];
	});
	return [
		`Queries on ${engine.tableRows.toLocaleString('en-US')} rows, ms, ${REPS} runs each after one cold run (alternating app and bare):`,
		table(
			[
				'query',
				'rows',
				'app run med',
				'app p95',
				'bare med',
				'bare p95',
				'app/bare',
				'app in-worker med',
				'bare same-work med',
				'cold app / bare'
			],
			queryRows
		),
		'app run = dataApi().run() as a cell runs (CREATE TABLE AS, whose answer is the count; DESCRIBE; 200-row preview), timed from the page;',
		'bare = conn.query() on an AsyncDuckDB in the page; app in-worker = the same runs timed inside the data worker;',
		"bare same-work = the bare AsyncDuckDB sent the app's statements; cold = each path's first, unmeasured run.",
		'',
		`Engine start and load of ${engine.file.name} (${(engine.file.bytes / 1e6).toFixed(1)} MB, fetched in ${round(engine.file.fetchMs)} ms), ms:`,
		table(['engine', 'start', 'load med', 'load first', 'loads'], loadRows),
		'(start here: the app first, then the bare engine in the same page, its wasm already fetched.)',
		'',
		`Engine start in a fresh context each (empty cache), alternating which goes first, median of ${STARTS}, ms:`,
		table(
			['engine', 'start med', 'starts'],
			[
				['app (data worker)', round(median(starts.app)), starts.app.map(round).join(' / ')],
				['bare duckdb-wasm', round(median(starts.bare)), starts.bare.map(round).join(' / ')]
			]
		),
		`app/bare: ${(median(starts.app) / median(starts.bare)).toFixed(2)}×`,
		'',
		`Notebook UI, ms: sample click → dataset listed ${round(ui.sampleLoadMs)}; Control+Enter → first row painted:`,
		table(['query', 'first run', `median of ${UI_REPS}`, 'playwright-observed med', 'runs'], uiRows)
	].join('\n');
}

function loadCells(samples) {
	return [round(median(samples)), round(samples[0]), samples.length];
}

export async function run({ browser, url }) {
	const starts = await coldStarts({ browser, url });
	const engine = await engines({ browser, url });
	const ui = await uiFirstRows({ browser, url, queries: QUERIES, reps: UI_REPS });
	return {
		text: report(engine, ui, starts),
		json: {
			settings: { reps: REPS, loads: LOADS, uiReps: UI_REPS, starts: STARTS },
			engine,
			coldStarts: starts,
			ui
		}
	};
}
