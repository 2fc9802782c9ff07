// Starts the whole app as users run it: the built SPA and the Worker under `wrangler dev`, with local D1 migrated
// and the DuckDB engine seeded into local R2. Used by `npm start`, `npm run dev` and the e2e global setup.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { ROOT, runWrangler, spawnWrangler } from './wrangler.mjs';

const DUCKDB_PKG = join(ROOT, 'node_modules/@duckdb/duckdb-wasm');
const DUCKDB_VERSION = JSON.parse(readFileSync(join(DUCKDB_PKG, 'package.json'), 'utf8')).version;
// The bundle the app loads; the Worker also allows duckdb-mvp.wasm should a browser ever need it.
const SEEDED_FILES = ['duckdb-eh.wasm'];
const BUCKET = 'edgebook-artifacts';
const MARKER = 'edgebook-seed.json';
const READY_TIMEOUT_MS = 60_000;

/** A port the OS says is free right now on 127.0.0.1. */
export function freePort() {
	return new Promise((res, rej) => {
		const srv = createServer();
		srv.unref();
		srv.on('error', rej);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => res(port));
		});
	});
}

function assertPortFree(port) {
	// Otherwise the health poll could find someone else's server on the port and call it ours.
	return new Promise((res, rej) => {
		const srv = createServer();
		srv.once('error', () =>
			rej(new Error(`Port ${port} on 127.0.0.1 is in use. Stop what runs there first.`))
		);
		srv.listen(port, '127.0.0.1', () => srv.close(() => res()));
	});
}

/** Uploads the DuckDB wasm to local R2 once per DuckDB version (it is 34 MB); the marker remembers it. */
async function seedArtifacts({ persistTo, quiet }) {
	const marker = join(persistTo, MARKER);
	const seeded = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : {};
	if (seeded.duckdbWasm === DUCKDB_VERSION) return;
	for (const file of SEEDED_FILES) {
		const key = `vendor/duckdb/${DUCKDB_VERSION}/${file}`;
		const src = join(DUCKDB_PKG, 'dist', file);
		if (!quiet) console.log(`Seeding ${key} into local R2…`);
		await runWrangler(
			['r2', 'object', 'put', `${BUCKET}/${key}`, '--file', src, '--local', '--persist-to', persistTo],
			{
				quiet: true
			}
		);
	}
	writeFileSync(marker, JSON.stringify({ duckdbWasm: DUCKDB_VERSION }) + '\n');
}

async function waitForHealth({ url, child, output }) {
	const deadline = Date.now() + READY_TIMEOUT_MS;
	let exited = null;
	child.once('exit', (code, signal) => (exited = signal ?? code));
	while (Date.now() < deadline) {
		if (exited !== null) throw new Error(`wrangler dev exited (${exited}) before it was ready:\n${output()}`);
		try {
			const res = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
			if (res.status === 200) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((r) => setTimeout(r, 150));
	}
	throw new Error(
		`wrangler dev did not answer ${url}/api/v1/health within ${READY_TIMEOUT_MS / 1000}s:\n${output()}`
	);
}

/**
 * Starts the app on 127.0.0.1:<port> with local state in `persistTo`.
 * Returns `{ url, stop }`; stop() ends wrangler and its workerd children (the whole process group).
 * @param {{ port?: number, persistTo?: string, quiet?: boolean, adminToken?: string | null, vars?: Record<string, string> }} [options]
 */
export async function startServer({
	port = 8787,
	persistTo = '.wrangler/state',
	quiet = false,
	adminToken = null,
	vars = {}
} = {}) {
	if (!existsSync(join(ROOT, 'build/index.html'))) {
		throw new Error(
			'build/index.html is missing: the Worker serves the built app. Run `npm run build` first.'
		);
	}
	persistTo = resolve(ROOT, persistTo);
	mkdirSync(persistTo, { recursive: true });
	await assertPortFree(port);

	await runWrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo], {
		quiet: true
	});
	await seedArtifacts({ persistTo, quiet });

	// detached: wrangler gets its own process group, so stop() can end workerd with it in one signal.
	const child = spawnWrangler(
		[
			'dev',
			'--ip',
			'127.0.0.1',
			'--port',
			String(port),
			'--persist-to',
			persistTo,
			'--show-interactive-dev-session=false',
			// Tests and benches set their own admin token; `npm start` uses .dev.vars or a minted one.
			...(adminToken ? ['--var', `EDGEBOOK_ADMIN_TOKEN:${adminToken}`] : []),
			...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])
		],
		{ detached: true }
	);
	let log = '';
	const onData = (chunk) => {
		log = (log + chunk).slice(-20_000);
		if (!quiet) process.stdout.write(chunk);
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);

	const killGroup = (signal) => {
		try {
			process.kill(-child.pid, signal);
		} catch {
			// Already gone.
		}
	};
	// A last resort if the caller never calls stop(): never leave workerd running behind us.
	const onExit = () => killGroup('SIGKILL');
	process.once('exit', onExit);

	let stopping;
	const stop = () =>
		(stopping ??= new Promise((res) => {
			process.removeListener('exit', onExit);
			if (child.exitCode !== null || child.signalCode !== null) return res();
			const force = setTimeout(() => killGroup('SIGKILL'), 5000);
			child.once('exit', () => {
				clearTimeout(force);
				killGroup('SIGKILL'); // workerd may outlive wrangler by a moment
				res();
			});
			killGroup('SIGTERM');
		}));

	const url = `http://127.0.0.1:${port}`;
	try {
		await waitForHealth({ url, child, output: () => log });
	} catch (err) {
		await stop();
		throw err;
	}
	return { url, stop };
}
