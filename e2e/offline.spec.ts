import type { Request } from '@playwright/test';
import { test, expect } from './fixtures';
import { addFile, addTrainCell, cell, newNotebook, runCell, setSql, signedIn, trainOnce } from './helpers';

/**
 * Offline first: one visit online installs the service worker (the app shell precached, the engines' wasm fetched
 * in the background); then, with the network cut, the app opens afresh and the whole local loop runs: a notebook, a
 * CSV, a query, a chart, a training on wasm with its evaluation, the run found on /runs; the sync indicator counts
 * what waits, and back online it syncs. Nothing but sync's own attempts tries the network while offline.
 */

test.use({ serviceWorkers: 'allow' });

const TOKEN = process.env.EDGEBOOK_ADMIN_TOKEN!;
const auth = { authorization: `Bearer ${TOKEN}` };

/** Two separable classes over two measurements, as a CSV of `n` rows. */
function flowers(n: number): string {
	const lines = ['petal,sepal,kind'];
	for (let i = 0; i < n; i++) {
		const big = i % 2 === 0;
		lines.push(
			`${((big ? 5 : 1.5) + ((i * 37) % 10) / 10).toFixed(2)},${((big ? 6.5 : 4.8) + ((i * 53) % 10) / 20).toFixed(2)},${big ? 'virginica' : 'setosa'}`
		);
	}
	return lines.join('\n') + '\n';
}

test('installs online, then opens and runs the whole local loop with the network cut, and syncs when it is back', async ({
	context,
	page,
	baseURL,
	request
}) => {
	test.setTimeout(300_000);
	await signedIn(page, baseURL!);
	// The first visit: the worker installs and takes the page; the engines' wasm arrive in the background.
	await page.goto('/');
	await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
	await page.reload();
	await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
	// Every engine's wasm of this build (and DuckDB's from /vendor) lands in the runtime cache.
	const built = (await (await request.get('/offline-manifest.json')).json()) as string[];
	const engines = built.filter((p) => p.endsWith('.wasm')).length + 1;
	await expect
		.poll(
			() =>
				page.evaluate(async () => {
					const runtime = (await caches.keys()).find((n) => n.startsWith('edgebook-runtime-'));
					if (!runtime) return 0;
					return (await (await caches.open(runtime)).keys()).filter((r) => r.url.endsWith('.wasm')).length;
				}),
			{ timeout: 120_000, intervals: [1000] }
		)
		.toBe(engines);

	// The network goes away; what tries it from here on is recorded.
	await context.setOffline(true);
	const failed: string[] = [];
	const direct: string[] = [];
	const http = (r: Request) => r.url().startsWith('http');
	context.on('requestfailed', (r) => http(r) && failed.push(new URL(r.url()).pathname));
	context.on('response', (r) => {
		if (http(r.request()) && !r.fromServiceWorker()) direct.push(new URL(r.url()).pathname);
	});

	const offline = await context.newPage();
	await newNotebook(offline, 'Written offline');
	await addFile(offline, 'flowers.csv', flowers(80), 'text/csv');
	await expect(offline.locator('[data-testid="dataset"][data-name="flowers"]')).toBeVisible({
		timeout: 60_000
	});
	await setSql(
		offline,
		1,
		'SELECT kind, COUNT(*) AS n, ROUND(SUM(petal), 2) AS petals FROM flowers GROUP BY kind ORDER BY kind'
	);
	await runCell(offline, 1);
	const grid = cell(offline, 1).getByTestId('result-grid');
	await expect(grid.locator('[data-row="0"] .val')).toHaveText(['setosa', '40', await sumOf(false)]);
	await expect(grid.locator('[data-row="1"] .val')).toHaveText(['virginica', '40', await sumOf(true)]);

	// A chart of the query: the bars carry the counts.
	await cell(offline, 1).hover();
	await offline.getByRole('button', { name: '+ Chart' }).last().click();
	const chart = cell(offline, 2);
	await chart.getByLabel('chart source').selectOption('q1');
	await chart.getByLabel('chart mark').selectOption('bar');
	await chart.getByLabel('chart x').selectOption('kind');
	await chart.getByLabel('chart y').selectOption('n');
	await expect(chart.locator('g[aria-label="bar"] rect')).toHaveCount(2, { timeout: 30_000 });
	const titles = await chart.locator('g[aria-label="bar"] rect title').allTextContents();
	expect(titles.map((t) => Number(t.slice(t.lastIndexOf(': ') + 2)))).toEqual([40, 40]);

	// Training on the wasm backend, evaluated on its test split.
	const t = await addTrainCell(offline, { source: 'flowers', target: 'kind', epochs: 5, backend: 'wasm' });
	const summary = await trainOnce(offline, t);
	expect(Number(summary['test_accuracy'])).toBeGreaterThan(0.5);
	const runHref = (await cell(offline, t).getByTestId('run-link').getAttribute('href'))!;
	const runId = new URL(runHref, baseURL).searchParams.get('run')!;

	// The run is on /runs, and what waits for the registry is counted.
	await offline.goto('/runs');
	await expect(offline.locator(`[data-run="${runId}"]`).first()).toBeVisible({ timeout: 30_000 });
	const indicator = offline.getByTestId('sync-indicator');
	await expect(indicator).toHaveAttribute('data-state', 'offline', { timeout: 60_000 });
	await expect(indicator).toContainText(/Offline · \d+ pending/);

	// Only sync tried the network, and nothing reached it.
	expect(failed.filter((p) => !p.startsWith('/api/'))).toEqual([]);
	expect(direct).toEqual([]);

	// Back online: the run reaches the registry.
	await context.setOffline(false);
	await expect
		.poll(async () => (await request.get(`/api/v1/runs/${runId}`, { headers: auth })).status(), {
			timeout: 120_000,
			intervals: [1000]
		})
		.toBe(200);
	await expect(indicator).toHaveAttribute('data-state', 'synced', { timeout: 60_000 });
});

/** The query's expected petal sum per class, computed here from the same rows. */
async function sumOf(big: boolean): Promise<string> {
	const rows = flowers(80)
		.trim()
		.split('\n')
		.slice(1)
		.map((l) => l.split(','));
	const total = rows.filter((r) => (r[2] === 'virginica') === big).reduce((s, r) => s + Number(r[0]), 0);
	return String(Math.round(total * 100) / 100);
}
