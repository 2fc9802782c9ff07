// `node bench/run.mjs data|first-page|train|registry|inference|search|load|serving|batch|federated|monitoring|all`: builds the app if needed, starts it as users run it (wrangler
// dev on a free port, fresh local state), runs the benchmarks (in one headless Chromium, for those that need one),
// prints each table and writes bench/results/<name>.json. Benchmarks never assert a time: they measure and report.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startServer } from '../scripts/server.mjs';
import { launchChromium, machine, round } from './lib.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCHES = {
	data: () => import('./data.mjs'),
	'first-page': () => import('./first-page.mjs'),
	train: () => import('./train.mjs'),
	registry: () => import('./registry.mjs'),
	inference: () => import('./inference.mjs'),
	search: () => import('./search.mjs'),
	load: () => import('./load.mjs'),
	serving: () => import('./serving.mjs'),
	batch: () => import('./batch.mjs'),
	federated: () => import('./federated.mjs'),
	monitoring: () => import('./monitoring.mjs')
};
// These talk to the registry API from Node: no browser to start.
const WITHOUT_BROWSER = new Set([
	'registry',
	'inference',
	'search',
	'load',
	'serving',
	'batch',
	'federated',
	'monitoring'
]);

const which = process.argv[2];
const names = which === 'all' ? Object.keys(BENCHES) : [which];
if (!names.every((n) => n in BENCHES)) {
	console.error(`usage: node bench/run.mjs ${Object.keys(BENCHES).join('|')}|all`);
	process.exit(2);
}

// The Worker serves the built SPA, so there must be one. An existing build is reused as is: rebuild after changes.
if (!existsSync(join(ROOT, 'build/index.html'))) {
	console.log('build/ is missing: running `npm run build`…');
	const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
	if (built.status !== 0) process.exit(built.status ?? 1);
}

const persistTo = mkdtempSync(join(tmpdir(), 'edgebook-bench-'));
// The registry bench calls the API as an admin of the local workspace; a fresh token per run.
const adminToken = randomBytes(24).toString('base64url');
let server = null;
let browser = null;
let cleaning = null;
// Whatever happens (a failure, Ctrl+C), wrangler, workerd and Chromium must not outlive the run.
const cleanup = () =>
	(cleaning ??= (async () => {
		await browser?.close().catch(() => undefined);
		await server?.stop();
		rmSync(persistTo, { recursive: true, force: true });
	})());
// A last resort when something exits the process before cleanup() is done (the D1 proxy of bench:registry
// installs signal handlers that exit at once): the temp state must not stay behind.
process.once('exit', () => rmSync(persistTo, { recursive: true, force: true }));
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.once(signal, () => {
		interrupted = true;
		console.error(`\n${signal}: stopping the browser and the server…`);
		void cleanup().then(() => process.exit(130));
	});
}

try {
	server = await startServer({ port: await freePort(), persistTo, quiet: true, adminToken });
	mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
	for (const name of names) {
		if (!WITHOUT_BROWSER.has(name)) browser ??= await launchChromium();
		console.log(`\n== bench:${name} (app at ${server.url}) ==`);
		const started = Date.now();
		// Other work on the machine skews every number: the load average says how busy it was around the run.
		const loadBefore = loadavg()[0];
		const { text, json } = await (
			await BENCHES[name]()
		).run({ browser, url: server.url, adminToken, persistTo });
		const load = { before: round(loadBefore, 2), after: round(loadavg()[0], 2) };
		console.log(text);
		console.log(`\nLoad average (1 min) before / after: ${load.before} / ${load.after}`);
		const out = join(ROOT, 'bench/results', `${name}.json`);
		const record = {
			bench: name,
			date: new Date().toISOString(),
			machine: { ...machine(browser), load },
			...json
		};
		writeFileSync(out, JSON.stringify(record, null, '\t') + '\n');
		console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s; wrote ${out}`);
	}
} catch (err) {
	// After a signal, the run fails only because its browser was closed under it: that is no news.
	if (!interrupted) console.error(err);
	process.exitCode = 1;
} finally {
	await cleanup();
}
