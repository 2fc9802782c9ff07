// What the first page costs: JS shipped before it is interactive (gzipped) and the time to get there, each load
// cold (a new browser context: empty HTTP cache, empty code cache).
import { gzipSync } from 'node:zlib';
import { kb, median, percentile, round, table } from './lib.mjs';

const LOADS = Number(process.env.BENCH_LOADS ?? 5);
const GOAL_GZIP_BYTES = 150 * 1024;
const TOP_CHUNKS = 5;

/**
 * Runs in the page from its first script on (addInitScript): records the moment the page's interactive element
 * exists, is laid out and enabled. performance.now() counts from navigation start. Only the JS that had fully
 * arrived by then (Resource Timing) counts as shipped before interactive.
 */
function watchInteractive(kind) {
	const find = () =>
		kind === 'notebooks'
			? [...document.querySelectorAll('button')].find(
					(b) => b.textContent?.trim() === 'New notebook' && !b.disabled
				)
			: // The first SQL cell can be typed into: the stand-in textarea, or CodeMirror once it has loaded.
				document.querySelectorAll('[data-testid="cell"]')[1]?.querySelector('textarea, .cm-content');
	const check = () => {
		const el = find();
		if (!el || el.getBoundingClientRect().height === 0) return;
		const at = performance.now();
		observer.disconnect();
		const js = performance
			.getEntriesByType('resource')
			.filter((e) => e.responseEnd <= at && /\.m?js$/.test(new URL(e.name).pathname))
			.map((e) => e.name);
		/** @type {any} */ (window).__interactive = { at, js };
	};
	const observer = new MutationObserver(check);
	observer.observe(document, { childList: true, subtree: true, attributes: true });
}

/** A notebook in IndexedDB, saved as storage state so every cold context opens it without visiting `/` first. */
async function seedNotebook({ browser, url }) {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		await page.goto(`${url}/`);
		await page.getByRole('button', { name: 'New notebook' }).click();
		await page.waitForURL(/\/nb\//);
		await page.locator('[data-testid="cell"]').nth(1).locator('.cm-content').waitFor();
		await page.waitForTimeout(600); // the autosave debounce
		return {
			path: new URL(page.url()).pathname,
			storageState: await context.storageState({ indexedDB: true })
		};
	} finally {
		await context.close();
	}
}

async function coldLoad({ browser, url, path, kind, storageState }) {
	const context = await browser.newContext({ storageState });
	try {
		const bodies = new Map();
		context.on('response', (r) => bodies.set(r.url(), r));
		const page = await context.newPage();
		await page.addInitScript(watchInteractive, kind);
		await page.goto(`${url}${path}`);
		await page.waitForFunction(() => /** @type {any} */ (window).__interactive, null, { timeout: 60_000 });
		if (kind === 'notebooks') await page.getByRole('button', { name: 'New notebook' }).click({ trial: true });
		const { at, js } = await page.evaluate(() => /** @type {any} */ (window).__interactive);
		const files = [];
		for (const u of js) {
			const body = await bodies.get(u).body();
			files.push({ file: new URL(u).pathname, bytes: body.length, gzip: gzipSync(body).length });
		}
		return { ms: at, files: files.sort((a, b) => b.gzip - a.gzip) };
	} finally {
		await context.close();
	}
}

export async function run({ browser, url }) {
	const seeded = await seedNotebook({ browser, url });
	const targets = [
		{ name: 'notebooks page', path: '/', kind: 'notebooks', ready: '"New notebook" button clickable' },
		{
			name: 'notebook page',
			path: seeded.path,
			kind: 'notebook',
			ready: 'first SQL cell editable (textarea or CodeMirror)'
		}
	];
	const results = [];
	for (const t of targets) {
		const loads = [];
		for (let i = 0; i < LOADS; i++)
			loads.push(
				await coldLoad({ browser, url, path: t.path, kind: t.kind, storageState: seeded.storageState })
			);
		// The JS is the same on every load; the first load's list is reported, the gzip size of each the same.
		const files = loads[0].files;
		const gzip = files.reduce((s, f) => s + f.gzip, 0);
		const bytes = files.reduce((s, f) => s + f.bytes, 0);
		const times = loads.map((l) => l.ms);
		results.push({
			...t,
			gzip,
			bytes,
			files,
			tti: {
				samples: times.map((x) => round(x)),
				median: round(median(times)),
				p95: round(percentile(times, 95))
			}
		});
	}
	return {
		text: report(results),
		json: {
			settings: { loads: LOADS, goalGzipBytes: GOAL_GZIP_BYTES, gzip: 'node zlib, default level' },
			results
		}
	};
}

function report(results) {
	const summaryRows = results.map((r) => [
		r.name,
		r.files.length,
		kb(r.bytes),
		kb(r.gzip),
		r.gzip <= GOAL_GZIP_BYTES ? 'yes' : 'NO',
		r.tti.median,
		r.tti.p95
	]);
	const chunkRows = results.flatMap((r) =>
		r.files.slice(0, TOP_CHUNKS).map((f) => [r.name, f.file, kb(f.bytes), kb(f.gzip)])
	);
	return [
		`First page, cold loads (new browser context each), ${LOADS} per page; JS counted until interactive:`,
		table(['page', 'JS files', 'JS raw', 'JS gzip', '< 150 KB gz', 'TTI med ms', 'TTI p95 ms'], summaryRows),
		'',
		`Interactive: ${results.map((r) => `${r.name} = ${r.ready}`).join('; ')}.`,
		'',
		`Largest chunks (top ${TOP_CHUNKS} by gzip):`,
		table(['page', 'file', 'raw', 'gzip'], chunkRows)
	].join('\n');
}
