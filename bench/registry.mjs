// The registry's write and sync paths as a client sees them, against a bare insert of the same rows into the same
// local D1. No browser: a Node HTTP client talks to the app (wrangler dev), and a D1 binding from wrangler's
// getPlatformProxy opens the same persisted state for the bare side.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { freePort } from '../scripts/server.mjs';
import { median, percentile, round, table } from './lib.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** MLflow's log-batch maximum (LIMITS.metricsPerBatch in src/lib/contract/limits.ts): every request carries it. */
const POINTS = 1000;
const REPS = Number(process.env.BENCH_REGISTRY_REPS ?? 5);
/** Clients → requests each client sends per repetition, one after another (clients run concurrently). */
const LOADS = [
	{ clients: 1, requests: 10 },
	{ clients: 20, requests: 3 }
];
const SYNC_MUTATIONS = 10; // × POINTS = the 10,000 points synced in the second table
const WORKSPACE = 'local'; // the admin token's workspace (workers/auth/tokens.ts)
const KEYS = ['loss', 'accuracy', 'val_loss', 'val_accuracy'];
const T0 = 1_750_000_000_000;

// The plain insert of a request's points (the "bare Worker, same insert" row and the platform proxy's).
const INSERT_METRICS = `INSERT INTO run_metrics (workspace_id, run_id, key, step, timestamp, value, special)
 SELECT ?1, ?2, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'),
        json_extract(j.value, '$[3]'), json_extract(j.value, '$[4]')
 FROM json_each(?3) AS j`;
// The app's statements for a run.log, copied from workers/registry/plan-runs.ts and apply.ts (keep them in step):
// the bare rows replay them without the Worker around them. Points and each key's latest point are bound, 19 rows
// of five values a statement (D1 binds at most 100), so values are stored exactly as logged.
const ROWS_PER_STATEMENT = 19;
const tuples = (n, value) =>
	Array.from({ length: n }, (_, i) => {
		const k = 3 + i * 5;
		return `(?1, ?2, ?${k}, ?${k + 1}, ?${k + 2}, ${value(k)}, ?${k + 4})`;
	}).join(', ');
const insertPointsSql = (n) =>
	`INSERT INTO run_metrics (workspace_id, run_id, key, step, timestamp, value, special) VALUES ${tuples(n, (k) => `?${k + 3}`)}`;
const upsertLatestSql = (n) =>
	`INSERT INTO latest_metrics (workspace_id, run_id, key, step, timestamp, value, special)
 VALUES ${tuples(n, (k) => `CASE ?${k + 4} WHEN 'Infinity' THEN 9e999 WHEN '-Infinity' THEN -9e999 ELSE ?${k + 3} END`)}
 ON CONFLICT (workspace_id, run_id, key) DO UPDATE SET step = excluded.step,
   timestamp = excluded.timestamp, value = excluded.value, special = excluded.special
 WHERE excluded.step > latest_metrics.step
    OR (excluded.step = latest_metrics.step AND excluded.timestamp >= latest_metrics.timestamp)`;
const LAST_SEQ =
	'SELECT COALESCE(MAX(client_seq), 0) AS n FROM mutations WHERE workspace_id = ? AND client_id = ?';
const LOGGED = 'SELECT seq, outcome, result, error FROM mutations WHERE workspace_id = ? AND mutation_id = ?';
const FIND_RUN = 'SELECT id, status, deleted_at FROM runs WHERE workspace_id = ? AND id = ?';
const TOUCH = 'UPDATE runs SET updated_at = ? WHERE workspace_id = ? AND id = ?';
const LOG_ROW = `INSERT INTO mutations (workspace_id, mutation_id, client_id, client_seq, type, body, outcome, result, error, at, applied_at)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`;

const range = (n) => Array.from({ length: n }, (_, i) => i);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

/** An HTTP agent that remembers its sockets: their byte counters are what went over the wire, headers included. */
class CountingAgent extends Agent {
	opened = [];
	createConnection(options, callback) {
		const socket = super.createConnection(options, callback);
		this.opened.push(socket);
		return socket;
	}
	get bytes() {
		return {
			sent: sum(this.opened.map((s) => s.bytesWritten)),
			received: sum(this.opened.map((s) => s.bytesRead))
		};
	}
}

const DECODE = { gzip: gunzipSync, br: brotliDecompressSync, deflate: inflateSync };

/** One request as a browser sends it (it accepts compressed responses); resolves with the decoded body. */
function http({ app, agent = app.agent, method = 'POST', path, body }) {
	return new Promise((resolve, reject) => {
		const headers = { authorization: `Bearer ${app.token}`, 'accept-encoding': 'gzip, deflate, br' };
		if (body) Object.assign(headers, { 'content-type': 'application/json', 'content-length': body.length });
		const req = request(`${app.url}${path}`, { agent, method, headers }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.once('error', reject);
			res.once('end', () => {
				const raw = Buffer.concat(chunks);
				const text = (DECODE[res.headers['content-encoding']]?.(raw) ?? raw).toString('utf8');
				resolve({ status: res.statusCode, text, encoding: res.headers['content-encoding'] ?? 'identity' });
			});
		});
		req.once('error', reject);
		req.end(body);
	});
}

/** wrangler dev rebuilds the Worker when a file under workers/ changes and drops the requests in flight. */
class WorkerRestarted extends Error {
	name = 'WorkerRestarted';
}

function ok(res, what) {
	if (res.status === 503 && /restarted mid-request/i.test(res.text))
		throw new WorkerRestarted(`${what}: the Worker restarted mid-request`);
	if (res.status < 200 || res.status > 299)
		throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
	return JSON.parse(res.text);
}

const json = (value) => Buffer.from(JSON.stringify(value));

/** A syncing client as a browser tab is one: its own id and sequence, and one run of its own. */
async function newClient(app, label) {
	const clientId = `bench-${label}-${randomUUID().slice(0, 8)}`;
	const client = { clientId, runId: `run_${clientId}`, seq: 0, points: 0 };
	const now = Date.now();
	const experiment = { id: `exp_${clientId}`, name: `bench ${clientId}`, createdAt: now };
	const run = {
		...{ id: client.runId, experimentId: experiment.id, parentId: null, name: clientId, startedAt: now },
		...{ notebookId: null, cellId: null, params: [], tags: [], lineage: null }
	};
	await pushOk(
		app,
		pushBody(client, [
			{ type: 'experiment.create', experiment },
			{ type: 'run.create', run }
		])
	);
	return client;
}

function envelope(client, mutation) {
	client.seq += 1;
	return { id: `${client.clientId}-${client.seq}`, seq: client.seq, at: Date.now(), mutation };
}

const pushBody = (client, mutations) =>
	json({ clientId: client.clientId, mutations: mutations.map((m) => envelope(client, m)) });

/** The next POINTS points of a training loop logging four metrics per step. */
function nextPoints(client) {
	return range(POINTS).map(() => {
		const i = client.points++;
		const step = Math.floor(i / KEYS.length);
		return { key: KEYS[i % KEYS.length], value: Math.random(), step, timestamp: T0 + step * 10 };
	});
}

const runLog = (client, metrics = nextPoints(client)) => ({
	type: 'run.log',
	runId: client.runId,
	metrics,
	params: [],
	tags: []
});

async function pushOk(app, body, agent) {
	const res = ok(await http({ app, agent, path: '/api/v1/sync/push', body }), 'sync push');
	const refused = res.results.find((r) => r.outcome !== 'applied');
	if (refused)
		throw new Error(`sync push: ${refused.id} ${refused.outcome}: ${JSON.stringify(refused.error)}`);
}

// The bare Worker: the same request body as log-batch, parsed and mapped to rows as the app maps them, then one
// INSERT (or the app's D1 statements for a run.log), with no router, auth, validation or sync bookkeeping. It runs in
// wrangler's own Miniflare (the workerd of wrangler dev) on the server's D1 file; each answer carries D1's own SQL
// time (meta.duration) for the request.
const BARE_WORKER = `
const [INSERT, LAST_SEQ, LOGGED, FIND_RUN, TOUCH, LOG_ROW] = ${JSON.stringify([INSERT_METRICS, LAST_SEQ, LOGGED, FIND_RUN, TOUCH, LOG_ROW])};
const WS = ${JSON.stringify(WORKSPACE)};
const ROWS_PER_STATEMENT = ${ROWS_PER_STATEMENT};
const tuples = ${tuples.toString()};
const insertPointsSql = ${insertPointsSql.toString()};
const upsertLatestSql = ${upsertLatestSql.toString()};
function bound(db, runId, points, sql) {
	const out = [];
	for (let at = 0; at < points.length; at += ROWS_PER_STATEMENT) {
		const chunk = points.slice(at, at + ROWS_PER_STATEMENT);
		out.push(db.prepare(sql(chunk.length)).bind(WS, runId, ...chunk.flatMap((p) => [p.key, p.step, p.timestamp, p.value, null])));
	}
	return out;
}
function latestOf(points) {
	const latest = new Map();
	for (const p of points) {
		const held = latest.get(p.key);
		if (!held || p.step > held.step || (p.step === held.step && p.timestamp >= held.timestamp)) latest.set(p.key, p);
	}
	return [...latest.values()];
}
export default {
	async fetch(request, env) {
		const url = new URL(request.url);
		const [, mode, runId] = url.pathname.split('/');
		const body = await request.json();
		const rows = JSON.stringify(body.metrics.map((p) => [p.key, p.step, p.timestamp, p.value, null]));
		const db = env.DB;
		if (mode === 'insert') {
			const res = await db.prepare(INSERT).bind(WS, runId, rows).run();
			return Response.json({ d1Ms: res.meta.duration });
		}
		const q = url.searchParams;
		const reads = [
			db.prepare(LAST_SEQ).bind(WS, q.get('client')),
			db.prepare(LOGGED).bind(WS, q.get('id')),
			db.prepare(FIND_RUN).bind(WS, runId)
		];
		let d1Ms = 0;
		for (const read of reads) d1Ms += (await read.run()).meta.duration;
		const now = Date.now();
		const written = await db.batch([
			...bound(db, runId, body.metrics, insertPointsSql),
			...bound(db, runId, latestOf(body.metrics), upsertLatestSql),
			db.prepare(TOUCH).bind(now, WS, runId),
			db.prepare(LOG_ROW).bind(WS, q.get('id'), q.get('client'), Number(q.get('seq')), 'run.log',
				JSON.stringify({ type: 'run.log', runId, ...body }), 'applied', null, null, Number(q.get('at')), now)
		]);
		for (const res of written) d1Ms += res.meta.duration;
		return Response.json({ d1Ms });
	}
};`;

async function startBareWorker(persistTo) {
	// wrangler's own copy of miniflare: the hoisted one may be another version with another workerd.
	const { Miniflare } = createRequire(join(ROOT, 'node_modules/wrangler/package.json'))('miniflare');
	const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
	const setting = (key) => new RegExp(`^${key}\\s*=\\s*"([^"]+)"`, 'm').exec(toml)?.[1];
	const mf = new Miniflare({
		modules: true,
		script: BARE_WORKER,
		compatibilityDate: setting('compatibility_date'),
		// wrangler dev keeps local D1 under <persistTo>/v3/d1, one file per database_id.
		d1Databases: { DB: setting('database_id') },
		d1Persist: join(persistTo, 'v3', 'd1'),
		host: '127.0.0.1',
		port: await freePort()
	});
	const url = await mf.ready;
	return { url: url.origin, dispose: () => mf.dispose() };
}

/** Each path turns one client's next 1000 points into a call, built before the clock starts. */
const PATHS = {
	'sync push': ({ app }, client) => {
		const body = pushBody(client, [runLog(client)]);
		return async () => void (await pushOk(app, body));
	},
	'log-batch': ({ app }, client) => {
		const body = json({ metrics: nextPoints(client), params: [], tags: [] });
		const path = `/api/v1/runs/${client.runId}/log-batch`;
		return async () => void ok(await http({ app, path, body }), 'log-batch');
	},
	'bare Worker: insert': ({ bare }, client) => {
		const body = json({ metrics: nextPoints(client), params: [], tags: [] });
		return async () => ok(await http({ app: bare, path: `/insert/${client.runId}`, body }), 'bare Worker');
	},
	"bare Worker: app's D1 work": ({ bare }, client) => {
		const metrics = nextPoints(client);
		const env = envelope(client, runLog(client, metrics));
		const body = json({ metrics, params: [], tags: [] });
		const q = new URLSearchParams({ client: client.clientId, id: env.id, seq: env.seq, at: env.at });
		const path = `/app/${client.runId}?${q}`;
		return async () => ok(await http({ app: bare, path, body }), 'bare Worker');
	},
	'bare D1 via platform proxy': ({ db }, client) => {
		const rows = JSON.stringify(nextPoints(client).map((p) => [p.key, p.step, p.timestamp, p.value, null]));
		return async () => ({
			d1Ms: (await db.prepare(INSERT_METRICS).bind(WORKSPACE, client.runId, rows).run()).meta.duration
		});
	}
};

/** Is POST /api/v1/runs/:id/log-batch there? Any answer but a 2xx to a one-point log (a router 404) says no, and why. */
async function logBatchRoute(app) {
	const client = await newClient(app, 'probe');
	const body = json({ metrics: nextPoints(client).slice(0, 1), params: [], tags: [] });
	const res = await http({ app, path: `/api/v1/runs/${client.runId}/log-batch`, body });
	if (res.status >= 200 && res.status < 300) return { available: true };
	let message = res.text.slice(0, 200);
	try {
		message = JSON.parse(res.text).error.message;
	} catch {
		// Not our JSON error shape: keep the raw text.
	}
	return { available: false, reason: `${res.status}: ${message}` };
}

/**
 * The server and the proxy must share one D1: each writes a row the other then reads. (The bare Worker's rows are
 * counted through the proxy after each repetition, which checks it too.)
 */
async function checkSharedState(app, db) {
	const client = await newClient(app, 'shared');
	const seen = await db.prepare(FIND_RUN).bind(WORKSPACE, client.runId).first();
	if (!seen) throw new Error('The platform proxy does not see rows the app wrote: it opened other D1 state.');
	const id = `exp_proxy-${randomUUID().slice(0, 8)}`;
	await db
		.prepare(
			'INSERT INTO experiments (workspace_id, id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)'
		)
		.bind(WORKSPACE, id, id, Date.now(), Date.now())
		.run();
	const run = {
		...{ id: `run_${id}`, experimentId: id, parentId: null, name: id, startedAt: Date.now() },
		...{ notebookId: null, cellId: null, params: [], tags: [], lineage: null }
	};
	// run.create is refused with not_found unless the app sees the experiment the proxy inserted.
	await pushOk(app, pushBody(client, [{ type: 'run.create', run }]));
}

async function countPoints(db, clients) {
	const row = await db
		.prepare(
			'SELECT count(*) AS n FROM run_metrics WHERE workspace_id = ? AND run_id IN (SELECT value FROM json_each(?))'
		)
		.bind(WORKSPACE, JSON.stringify(clients.map((c) => c.runId)))
		.first();
	return row.n;
}

/**
 * A repetition cut short by a Worker reload or a dropped connection measured that, not the path: it is run again
 * with fresh clients and connections (a retried log-batch would append its points twice), and counted.
 */
async function again(ctx, label, rep) {
	for (let attempt = 1; ; attempt++) {
		const agents = [ctx.app, ctx.bare].map((side) => ({ ...side, agent: new Agent({ keepAlive: true }) }));
		try {
			return await rep({ ...ctx, app: agents[0], bare: agents[1] });
		} catch (err) {
			const transient = err instanceof WorkerRestarted || err?.code === 'ECONNRESET';
			if (!transient || attempt === 3) throw err;
			ctx.redone.push(`${label}: ${err.message}`);
			await new Promise((r) => setTimeout(r, 2000));
		} finally {
			for (const side of agents) side.agent.destroy();
		}
	}
}

/** One repetition: fresh clients and runs (set up untimed), then every client sends its requests in turn. */
async function writeRep({ ctx, path, clients, requests }) {
	const all = await Promise.all(range(clients).map((i) => newClient(ctx.app, `${clients}c${i}`)));
	const calls = all.map((c) => range(requests).map(() => PATHS[path](ctx, c)));
	const latencies = [];
	const d1Ms = [];
	const started = performance.now();
	await Promise.all(
		calls.map(async (mine) => {
			for (const call of mine) {
				const t = performance.now();
				const out = await call();
				latencies.push(performance.now() - t);
				if (out?.d1Ms !== undefined) d1Ms.push(out.d1Ms);
			}
		})
	);
	const ms = performance.now() - started;
	const points = clients * requests * POINTS;
	// Whichever door the rows came through, they must all be in run_metrics.
	const landed = await countPoints(ctx.db, all);
	if (landed !== points) throw new Error(`${path}: ${landed} of ${points} points in run_metrics`);
	return {
		ms: round(ms),
		pointsPerSec: Math.round(points / (ms / 1000)),
		latencies: latencies.map((x) => round(x)),
		d1Ms
	};
}

/** Pages through the change feed after the puller's cursor, as a second device does; counts the bytes. */
async function pull(app, puller, agent) {
	let pages = 0;
	let decoded = 0;
	let encoding = null;
	const changes = [];
	for (let more = true; more; pages++) {
		const path = `/api/v1/sync/pull?cursor=${puller.cursor}&exclude=${puller.clientId}`;
		const res = await http({ app, agent, method: 'GET', path });
		const page = ok(res, 'sync pull');
		decoded += Buffer.byteLength(res.text);
		encoding = res.encoding;
		changes.push(...page.changes);
		puller.cursor = page.cursor;
		more = page.hasMore;
	}
	return { pages, decoded, encoding, changes };
}

/** A fresh agent per timed step, so its sockets' counters hold that step's bytes and nothing else. */
async function onWire(step) {
	const agent = new CountingAgent({ keepAlive: true });
	try {
		const started = performance.now();
		const out = await step(agent);
		const ms = performance.now() - started;
		return { ms: round(ms), ...agent.bytes, ...out };
	} finally {
		agent.destroy();
	}
}

/** 10,000 points pushed by one client (as 10 pushes, and as one push of 10 mutations) and pulled by another. */
async function syncRep({ app, puller }) {
	const one = await newClient(app, 'push1');
	await pull(app, puller); // the second device is up to date before the points are pushed (untimed)
	const bodies = range(SYNC_MUTATIONS).map(() => pushBody(one, [runLog(one)]));
	const pushEach = await onWire(async (agent) => {
		for (const body of bodies) await pushOk(app, body, agent);
		return { requests: bodies.length };
	});
	const pulled = await onWire(async (agent) => {
		const { pages, decoded, encoding, changes } = await pull(app, puller, agent);
		const points = sum(
			changes.filter((c) => c.mutation.runId === one.runId).map((c) => c.mutation.metrics?.length ?? 0)
		);
		if (points !== SYNC_MUTATIONS * POINTS) throw new Error(`sync pull: ${points} points came back`);
		return { requests: pages, decoded, encoding };
	});
	const ten = await newClient(app, 'push10');
	const body = pushBody(
		ten,
		range(SYNC_MUTATIONS).map(() => runLog(ten))
	);
	const pushAll = await onWire(async (agent) => {
		await pushOk(app, body, agent);
		return { requests: 1 };
	});
	return { pushEach, pushAll, pull: pulled };
}

const PROXY = 'bare D1 via platform proxy';
const BARE = 'bare Worker: insert';

function throughputReport(results, logBatch) {
	const rows = [];
	for (const { clients, requests } of LOADS) {
		const byPath = results[clients];
		const speedOf = (path) => median(byPath[path].map((s) => s.pointsPerSec));
		for (const path of Object.keys(PATHS)) {
			const samples = byPath[path];
			if (!samples) {
				rows.push([path, clients, requests, `not available (${logBatch.reason})`, '', '', '', '', '', '']);
				continue;
			}
			const speeds = samples.map((s) => s.pointsPerSec);
			const lat = samples.flatMap((s) => s.latencies);
			const d1 = samples.flatMap((s) => s.d1Ms);
			rows.push([
				path,
				clients,
				requests,
				Math.round(median(speeds)),
				`${Math.min(...speeds)}-${Math.max(...speeds)}`,
				round(median(lat)),
				round(percentile(lat, 95)),
				d1.length ? round(median(d1)) : '',
				`${round(median(speeds) / speedOf(PROXY), 2)}×`,
				`${round(median(speeds) / speedOf(BARE), 2)}×`
			]);
		}
	}
	return table(
		[
			'path',
			'clients',
			'requests each',
			'points/s med',
			'min-max',
			'request ms med',
			'p95',
			'D1 SQL ms med',
			'÷ proxy insert',
			'÷ bare Worker'
		],
		rows
	);
}

function syncReport(samples) {
	const steps = [
		['push: 10 requests of 1 mutation', 'pushEach'],
		['push: 1 request of 10 mutations', 'pushAll'],
		['pull: second client, all pages', 'pull']
	];
	const rows = steps.map(([label, key]) => {
		const s = samples.map((x) => x[key]);
		const ms = s.map((x) => x.ms);
		const last = s[s.length - 1];
		return [
			label,
			last.requests,
			round(median(ms)),
			Math.min(...ms),
			Math.round(median(ms) > 0 ? (SYNC_MUTATIONS * POINTS) / (median(ms) / 1000) : 0),
			kib(last.sent),
			kib(last.received),
			last.decoded ? kib(last.decoded) : '',
			round((last.sent + last.received) / (SYNC_MUTATIONS * POINTS), 1)
		];
	});
	return table(
		['step', 'requests', 'ms med', 'min', 'points/s', 'sent', 'received', 'received decoded', 'wire B/point'],
		rows
	);
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

export async function run({ url, adminToken, persistTo }) {
	// Loaded here so the browser benchmarks do not pay for it. Both bare sides open the server's persisted state
	// (wrangler dev keeps it under <persistTo>/v3, the layout getPlatformProxy expects) in workerds of their own.
	const { getPlatformProxy } = await import('wrangler');
	const proxy = await getPlatformProxy({
		configPath: join(ROOT, 'wrangler.toml'),
		persist: { path: join(persistTo, 'v3') },
		remoteBindings: false,
		envFiles: []
	});
	const bareWorker = await startBareWorker(persistTo);
	const app = { url, token: adminToken, agent: new Agent({ keepAlive: true }) };
	const bare = { url: bareWorker.url, token: '', agent: new Agent({ keepAlive: true }) };
	try {
		const ctx = { app, bare, db: proxy.env.DB, redone: [] };
		await checkSharedState(app, ctx.db);
		// What the proxy adds to every D1 call: a statement that does no work.
		const proxyCallMs = [];
		for (const _ of range(10)) {
			const t = performance.now();
			await ctx.db.prepare('SELECT 1').first();
			proxyCallMs.push(performance.now() - t);
		}
		const logBatch = await logBatchRoute(app);
		const paths = Object.keys(PATHS).filter((p) => p !== 'log-batch' || logBatch.available);

		// The sync table first, while the change feed is short: the puller's untimed catch-up stays small.
		const begun = performance.now();
		const progress = (what) =>
			process.stderr.write(`  ${what} done at ${Math.round((performance.now() - begun) / 1000)} s\n`);
		const puller = { clientId: `bench-pull-${randomUUID().slice(0, 8)}`, cursor: 0 };
		const sync = [];
		for (const rep of range(REPS))
			sync.push(await again(ctx, `sync ${rep + 1}`, (c) => syncRep({ app: c.app, puller })));
		progress('sync');

		const throughput = {};
		for (const { clients, requests } of LOADS) {
			throughput[clients] = Object.fromEntries(paths.map((p) => [p, []]));
			for (const rep of range(REPS)) {
				// Each repetition starts with another path, so a slow spell of the machine does not land on one path.
				for (const i of range(paths.length)) {
					const path = paths[(rep + i) % paths.length];
					const label = `${path}, ${clients} client(s), repetition ${rep + 1}`;
					const sample = await again(ctx, label, (c) => writeRep({ ctx: c, path, clients, requests }));
					throughput[clients][path].push(sample);
				}
				progress(`${clients} client(s), repetition ${rep + 1} of ${REPS}`);
			}
		}

		const text = [
			`Writes: ${POINTS} metric points per request, each client to its own run; points/s over a repetition's wall`,
			`time; median, min and max of ${REPS} repetitions, request latency over all of their requests:`,
			throughputReport(throughput, logBatch),
			'sync push = POST /api/v1/sync/push with one run.log mutation; log-batch = POST /api/v1/runs/:id/log-batch;',
			'bare Worker = the same body POSTed to a Worker of a few lines in Miniflare on the same D1 file: "insert" runs',
			'one INSERT … json_each statement for the 1000 points (the plain way), "app\'s D1 work" every D1 statement the',
			"app runs for a run.log (sequence check, mutation and run lookups; then in one batch the points and each key's latest",
			'point bound 19 rows a statement so values stay exact, touch and mutation log);',
			`bare D1 via platform proxy = the INSERT through getPlatformProxy's DB binding from Node, where a call that does`,
			`no work (SELECT 1) takes ${round(median(proxyCallMs))} ms. D1 SQL ms = D1's own meta.duration per request.`,
			'',
			`Sync of ${(SYNC_MUTATIONS * POINTS).toLocaleString('en-US')} points (run.log mutations of ${POINTS}); median of ${REPS}; bytes on the wire`,
			'(headers included) from the last repetition; responses as a browser accepts them (compressed):',
			syncReport(sync),
			...(ctx.redone.length ? ['', 'Redone (a Worker reload or a dropped connection):', ...ctx.redone] : [])
		].join('\n');
		return {
			text,
			json: {
				settings: { reps: REPS, pointsPerRequest: POINTS, loads: LOADS, syncPoints: SYNC_MUTATIONS * POINTS },
				bare: {
					d1: 'the server persist dir, opened by getPlatformProxy and by a Miniflare Worker (shared state checked)',
					proxyCallMs: proxyCallMs.map((x) => round(x))
				},
				logBatch,
				redone: ctx.redone,
				throughput,
				sync
			}
		};
	} finally {
		app.agent.destroy();
		bare.agent.destroy();
		await bareWorker.dispose();
		await proxy.dispose();
	}
}
