// First: Dexie reads the global indexedDB when it loads.
import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEED_START, pullResponseSchema, type Change } from '$lib/contract';
import { SyncEngine, type SyncResult } from '$lib/sync/engine';
import { registerModelVersion, setAlias } from '$lib/sync/models';
import { writeConfig } from '$lib/sync/state';
import { EdgebookDB, useDb } from '$lib/tracking/db';
import type { EndStatus } from '$lib/tracking/run-schema';
import { finishRun, getOrCreateExperiment, logMetrics, saveArtifacts, startRun } from '$lib/tracking/runs';
import { mulberry32, startChaosProxy } from './chaos-proxy';
import { fromBrowser, fromRegistry } from './stored-rows';
import { appModel, saveArtifacts as saveModel } from '../onnx/models';
import { lineage } from '../tracking/helpers';
import { useCpu } from '../train/cpu';
import { freePort, startServer, type Server } from '../live/server';

/**
 * The sync acceptance test against the real Worker (wrangler dev, local D1): three browsers log runs (with
 * artifacts and three end statuses) and register model versions with aliases, through a proxy that drops,
 * duplicates, delays and reorders requests; the registry restarts in the middle of a push. The faults are
 * counted and asserted to have happened. Once the network heals, the rows the registry STORED (read back per
 * run, every metric point) and every browser's tables must be identical: nothing lost, nothing twice.
 */

const CLIENTS = 3;
const RUNS_PER_CLIENT = 3;
const STEPS = 100; // × 3 metric keys = 300 points per run
const ADMIN = 'chaos-admin-token-0123456789';
const MODEL = 'chaos-model';
const STATUSES: EndStatus[] = ['finished', 'failed', 'cancelled'];

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
	it('converges: the stored rows of the registry and three browsers hold the same runs, points, artifacts, models', async () => {
		const proxy = startChaosProxy({
			upstream: direct,
			seed: 20261123,
			// Each kind of fault hits a push at least once, whatever the dice do elsewhere.
			forcePush: { 2: 'dropAfter', 3: 'duplicate', 4: 'dropBefore' },
			// The restart starts while the 6th push is on its way in.
			onPush: (n) => {
				if (n === 6) {
					restarts++;
					restarting = restartServer();
				}
			}
		});
		let restarting: Promise<void> | null = null;
		let restarts = 0;
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
					random: mulberry32(i + 1),
					blobTimeoutMs: 5000,
					// A blob lost to the proxy is retried soon, so the artifacts converge within the test.
					missingRetryBaseMs: 100
				});
				return { d, engine, i };
			})
		);
		for (const c of clients) c.engine.start();

		// One small TF.js model, registered by every client from its first run (exported to ONNX on the way).
		await useCpu();
		const tfModel = await appModel({ spec: { kind: 'linear' }, width: 3, task: 'binary' });
		const saved = await saveModel(tfModel);
		tfModel.dispose();

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
					await as(d, () =>
						saveArtifacts(run.id, [
							{ name: `notes/run-${r}.txt`, mediaType: 'text/plain', data: `client ${i} run ${r}` }
						])
					);
					if (r === 0)
						await as(d, () =>
							saveArtifacts(run.id, [
								{ name: 'model.json', mediaType: 'application/json', data: saved.modelJson },
								{ name: 'weights.bin', mediaType: 'application/octet-stream', data: saved.weights },
								{ name: 'preprocessing.json', mediaType: 'application/json', data: '{"task":"binary"}' }
							])
						);
					await as(d, () => finishRun(run.id, STATUSES[r % STATUSES.length]));
					if (r === 0) {
						const v = await as(d, () => registerModelVersion({ modelName: MODEL, runId: run.id, db: d }));
						// Each client's own alias, and one they all set (the registry's apply order decides it).
						for (const alias of [`client-${i}`, 'champion'])
							await as(d, () => setAlias({ modelName: MODEL, alias, versionId: v.id, db: d }));
					}
				}
			})
		);
		expect(restarts, 'the registry restarted during a push').toBe(1);
		await restarting;
		proxy.heal();

		// Converge: each browser pushes everything and pulls everything (and the artifacts it missed), until a
		// whole round is clean; a bounded number of rounds, so a sync that never settles fails here.
		const last = new Map<number, SyncResult>();
		for (let round = 0; round < 8; round++) {
			for (const c of clients) last.set(c.i, await c.engine.syncNow());
			if (round >= 2 && [...last.values()].every((r) => r.ok && r.missing === 0)) break;
			await new Promise((ok) => setTimeout(ok, 150)); // past a missing blob's short retry wait
		}
		for (const c of clients) c.engine.stop();
		for (const c of clients)
			expect(last.get(c.i), `client ${c.i} last sync`).toMatchObject({ ok: true, missing: 0 });

		// The faults really happened: without them this test proves nothing about recovering from them.
		const st = proxy.stats;
		console.log(`chaos: ${logged.runs} runs, ${logged.points} points; proxy ${JSON.stringify(st)}`);
		expect(st.droppedBefore, 'requests dropped before the registry').toBeGreaterThan(0);
		expect(st.droppedAfter, 'answers dropped after the registry applied').toBeGreaterThan(0);
		expect(st.duplicated, 'requests sent twice').toBeGreaterThan(0);
		expect(st.delayed, 'requests delayed (reordered)').toBeGreaterThan(0);
		expect(st.pushDroppedAfter, 'pushes applied whose answer was lost').toBeGreaterThan(0);
		expect(st.pushDuplicated, 'pushes sent twice').toBeGreaterThan(0);
		expect(st.upstreamDown, 'requests that met the registry down (the restart)').toBeGreaterThan(0);
		expect(st.duplicateOutcomes, 'mutations the registry recognised as already applied').toBeGreaterThan(0);

		const feed = await registryFeed();
		const registry = fromFeed(feed);
		const ids = feed.map((c) => c.mutationId);
		expect(new Set(ids).size, 'each mutation in the feed once').toBe(ids.length);
		expect(registry).toMatchObject({
			runs: CLIENTS * RUNS_PER_CLIENT,
			params: CLIENTS * RUNS_PER_CLIENT * 4,
			points: logged.points
		});

		// The stored rows, read back from the registry per run: every point, artifact, status, version, alias.
		const runIds = feed.flatMap((c) => (c.mutation.type === 'run.create' ? [c.mutation.run.id] : []));
		const stored = await fromRegistry(direct(), ADMIN, runIds, [MODEL]);
		const runs = Object.values(stored.runs);
		expect(runs.map((r) => r.points.length)).toEqual(runs.map(() => STEPS * 3));
		expect(runs.map((r) => r.status).sort()).toEqual(
			Array.from({ length: CLIENTS * RUNS_PER_CLIENT }, (_, k) => STATUSES[k % RUNS_PER_CLIENT]).sort()
		);
		// Every run has its note; each client's first run also its model files and the ONNX export.
		expect(runs.map((r) => r.artifacts.length).sort()).toEqual(
			[...Array(CLIENTS).fill(5), ...Array(CLIENTS * (RUNS_PER_CLIENT - 1)).fill(1)].sort()
		);
		const model = stored.models[MODEL];
		expect(
			Object.values(model.versions)
				.map((v) => Number(v.split(' ')[0]))
				.sort()
		).toEqual([1, 2, 3]);
		expect(Object.keys(model.aliases).sort()).toEqual(['champion', 'client-0', 'client-1', 'client-2']);

		for (const c of clients) {
			expect(await c.d.outbox.count(), `client ${c.i} outbox empty`).toBe(0);
			expect(await fromClient(c.d), `client ${c.i} (feed summary)`).toEqual(registry);
			const mine = await fromBrowser(c.d, [MODEL]);
			for (const id of runIds) expect(mine.runs[id], `client ${c.i} run ${id}`).toEqual(stored.runs[id]);
			expect(Object.keys(mine.runs).sort()).toEqual([...runIds].sort());
			expect(mine.models, `client ${c.i} models`).toEqual(stored.models);
		}
		await proxy.close();
	}, 150_000);
});
