// First: Dexie reads the global indexedDB when it loads.
import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEED_START, pullResponseSchema, type Change } from '$lib/contract';
import { SyncEngine } from '$lib/registry/engine';
import { writeConfig } from '$lib/registry/state';
import { EdgebookDB, useDb } from '$lib/tracking/db';
import { finishRun, getOrCreateExperiment, logMetrics, startRun } from '$lib/tracking/runs';
import { mulberry32, startChaosProxy } from './chaos-proxy';
import { lineage } from '../tracking/helpers';

/**
 * The sync acceptance test against the real Worker (wrangler dev, local D1): three browsers log runs through a
 * proxy that drops, duplicates, delays and reorders requests; the registry restarts in the middle of a push.
 * Once the network heals, the registry and every browser must hold exactly the same runs, params and metric
 * points: nothing lost, nothing twice.
 */

const CLIENTS = 3;
const RUNS_PER_CLIENT = 3;
const STEPS = 100; // × 3 metric keys = 300 points per run
const ADMIN = 'chaos-admin-token-0123456789';

// scripts/server.mjs is plain JS for node; loaded by path so the app's type check does not take it in.
interface Server {
	url: string;
	stop(): Promise<void>;
}
interface ServerModule {
	freePort(): Promise<number>;
	startServer(o: { port: number; persistTo: string; quiet: boolean; adminToken: string }): Promise<Server>;
}
const SERVER_MODULE = '../../scripts/server.mjs';
const { freePort, startServer } = (await import(/* @vite-ignore */ SERVER_MODULE)) as ServerModule;
let server: Server;
let port: number;
let persistTo: string;
const direct = () => `http://127.0.0.1:${port}`;

beforeAll(async () => {
	persistTo = mkdtempSync(join(tmpdir(), 'edgebook-chaos-'));
	port = await freePort();
	server = await startServer({ port, persistTo, quiet: true, adminToken: ADMIN });
}, 90_000);

afterAll(async () => {
	await server?.stop();
	rmSync(persistTo, { recursive: true, force: true });
});

/** The tracking API writes to the module's current database: one client at a time holds it. */
let turn = Promise.resolve();
function as<T>(d: EdgebookDB, fn: () => Promise<T>): Promise<T> {
	const run = turn.then(() => {
		useDb(d);
		return fn();
	});
	turn = run.then(
		() => undefined,
		() => undefined
	);
	return run;
}

async function restartServer() {
	await server.stop();
	for (let i = 0; ; i++) {
		try {
			server = await startServer({ port, persistTo, quiet: true, adminToken: ADMIN });
			return;
		} catch (e) {
			if (i > 20) throw e;
			await new Promise((ok) => setTimeout(ok, 250)); // the port is released a moment after workerd exits
		}
	}
}

/** Every change the registry applied, straight from its feed (no proxy, no exclude). */
async function registryFeed(): Promise<Change[]> {
	const out: Change[] = [];
	let cursor = FEED_START;
	for (;;) {
		const res = await fetch(`${direct()}/api/v1/sync/pull?cursor=${cursor}&limit=500`, {
			headers: { authorization: `Bearer ${ADMIN}` }
		});
		const page = pullResponseSchema.parse(await res.json());
		out.push(...page.changes);
		cursor = page.cursor;
		if (!page.hasMore) return out;
	}
}

interface Snapshot {
	runs: number;
	params: number;
	points: number;
	checksum: string;
}
function summarize(runs: Map<string, Record<string, string>>, points: string[]): Snapshot {
	const lines = [
		...[...runs].map(([id, p]) => `run ${id} ${JSON.stringify(Object.entries(p).sort())}`),
		...points
	].sort();
	return {
		runs: runs.size,
		params: [...runs.values()].reduce((n, p) => n + Object.keys(p).length, 0),
		points: points.length,
		checksum: createHash('sha256').update(lines.join('\n')).digest('hex')
	};
}
const point = (runId: string, p: { key: string; step: number; timestamp: number; value: number }) =>
	`pt ${runId} ${p.key} ${p.step} ${p.timestamp} ${p.value}`;

function fromFeed(feed: Change[]): Snapshot {
	const runs = new Map<string, Record<string, string>>();
	const points: string[] = [];
	for (const { mutation: m } of feed) {
		if (m.type === 'run.create')
			runs.set(m.run.id, Object.fromEntries(m.run.params.map((p) => [p.key, p.value])));
		if (m.type === 'run.log') {
			Object.assign(runs.get(m.runId) ?? {}, Object.fromEntries(m.params.map((p) => [p.key, p.value])));
			for (const p of m.metrics) points.push(point(m.runId, p));
		}
	}
	return summarize(runs, points);
}

async function fromClient(d: EdgebookDB): Promise<Snapshot> {
	const runs = new Map((await d.runs.toArray()).map((r) => [r.id, r.params]));
	const points = (await d.metrics.toArray()).map((p) => point(p.runId, p));
	return summarize(runs, points);
}

describe('sync under a bad network and a registry restart', () => {
	it('converges: registry and three browsers hold the same runs, params and points', async () => {
		const proxy = startChaosProxy({
			upstream: direct,
			seed: 20261123,
			// The restart starts while the 6th push is on its way in.
			onPush: (n) => {
				if (n === 6) restarting = restartServer();
			}
		});
		let restarting: Promise<void> | null = null;
		const proxyUrl = await proxy.listen();
		const clients = await Promise.all(
			Array.from({ length: CLIENTS }, async (_, i) => {
				const d = new EdgebookDB(`chaos-client-${i}-${Date.now()}`);
				await writeConfig(d, { url: proxyUrl, token: ADMIN, workspaceId: 'local', scopes: ['admin'] });
				const engine = new SyncEngine({
					db: d,
					locks: null,
					events: null,
					timeoutMs: 5000,
					debounceMs: 20,
					pollMs: 300,
					baseDelayMs: 100,
					maxDelayMs: 1500,
					random: mulberry32(i + 1)
				});
				return { d, engine, i };
			})
		);
		for (const c of clients) c.engine.start();

		const logged = { runs: 0, points: 0 };
		await Promise.all(
			clients.map(async ({ d, i }) => {
				const rand = mulberry32(100 + i);
				const exp = await as(d, () => getOrCreateExperiment('chaos'));
				for (let r = 0; r < RUNS_PER_CLIENT; r++) {
					const run = await as(d, () =>
						startRun({
							experimentId: exp.id,
							name: `client ${i} run ${r}`,
							params: { client: i, run: r, lr: 0.001 * (r + 1), seed: Math.floor(rand() * 1e6) },
							lineage
						})
					);
					logged.runs++;
					for (let s = 0; s < STEPS; s += 10) {
						const batch = Array.from({ length: 10 }, (_, k) =>
							['loss', 'accuracy', 'val_loss'].map((key) => ({
								key,
								step: s + k,
								value: rand(),
								timestamp: 1_700_000_000_000 + (s + k) * 1000
							}))
						).flat();
						await as(d, () => logMetrics(run.id, batch));
						logged.points += batch.length;
						await new Promise((ok) => setTimeout(ok, 15 + rand() * 30));
					}
					await as(d, () => finishRun(run.id, 'finished'));
				}
			})
		);
		expect(restarting, 'the registry restarted during a push').not.toBeNull();
		await restarting;
		proxy.heal();

		// Converge: each browser pushes everything and pulls everything, twice over so all see all.
		for (let round = 0; round < 3; round++)
			for (const c of clients) {
				const r = await c.engine.syncNow();
				if (!r.ok) await c.engine.syncNow();
			}
		for (const c of clients) c.engine.stop();

		const feed = await registryFeed();
		const registry = fromFeed(feed);
		const ids = feed.map((c) => c.mutationId);
		expect(new Set(ids).size, 'each mutation applied once').toBe(ids.length);
		expect(registry).toMatchObject({
			runs: CLIENTS * RUNS_PER_CLIENT,
			params: CLIENTS * RUNS_PER_CLIENT * 4,
			points: logged.points
		});
		for (const c of clients) {
			expect(await c.d.outbox.count(), `client ${c.i} outbox empty`).toBe(0);
			expect(await fromClient(c.d), `client ${c.i}`).toEqual(registry);
		}
		console.log(
			`chaos: ${logged.runs} runs, ${logged.points} points, ${feed.length} mutations applied; proxy ${JSON.stringify(proxy.stats)}`
		);
		await proxy.close();
	}, 150_000);
});
