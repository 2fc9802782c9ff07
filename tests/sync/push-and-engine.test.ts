import { FakeRegistry, freshDb, pending, signedIn } from './fake-registry';
import { describe, expect, it } from 'vitest';
import { SyncEngine } from '$lib/sync/engine';
import { retryDelay } from '$lib/sync/backoff';
import { registerModelVersion } from '$lib/sync/models';
import { logMetrics, logParams, saveArtifacts } from '$lib/tracking/runs';
import { newRun } from '../tracking/helpers';
import { appModel, saveArtifacts as saveModel } from '../onnx/models';
import { useCpu } from '../train/cpu';
import { sklearnLikeModel } from '../worker/inference/onnx-builder';

function setup() {
	const d = freshDb();
	const reg = new FakeRegistry();
	const waits: number[] = [];
	const engine = new SyncEngine({
		db: d,
		fetch: reg.fetch,
		random: () => 0.5,
		locks: null,
		events: null,
		schedule: (_fn, ms) => (waits.push(ms), () => {})
	});
	return { d, reg, engine, waits };
}
const pushes = (reg: FakeRegistry) => reg.requests.filter((r) => r.path === '/api/v1/sync/push');

describe('push', () => {
	it('sends the outbox in order in chunks of at most 200 and empties it', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		const run = await newRun();
		for (let i = 0; i < 450; i++) await logMetrics(run.id, [{ key: 'loss', value: i, step: i }]);
		expect(await engine.syncNow()).toMatchObject({ ok: true, pushed: 452 });
		expect(pushes(reg).map((p) => (p.body as { mutations: unknown[] }).mutations.length)).toEqual([
			200, 200, 52
		]);
		expect(await d.outbox.count()).toBe(0);
		expect(reg.log.map((l) => l.clientSeq)).toEqual(reg.log.map((_, i) => i + 1));
	});

	it('keeps a rejected entry visible with the registry’s reason and moves on', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		const run = await newRun();
		await logParams(run.id, { epochs: 3 });
		await logMetrics(run.id, [{ key: 'loss', value: 1, step: 0 }]);
		reg.reject = (m) => (m.type === 'run.log' && m.params.length ? 'params are immutable' : null);
		expect(await engine.syncNow()).toMatchObject({ ok: true, rejected: 1 });
		const left = await d.outbox.toArray();
		expect(left).toHaveLength(1);
		expect(left[0]).toMatchObject({ state: 'rejected', error: { message: 'params are immutable' } });
		expect(engine.status.rejected).toBe(1);
	});

	it('409 out_of_order: renumbers from the expected sequence, whichever side the gap is on', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		const run = await newRun();
		// Our numbers start at 3 (e.g. entries 1-2 left before sign-in to another registry): the registry expects 1.
		await d.outbox.bulkDelete(await d.outbox.limit(0).primaryKeys());
		const [first, ...rest] = await d.outbox.toArray();
		await d.outbox.clear();
		await d.outbox.bulkAdd([first, ...rest].map((e, i) => ({ ...e, seq: 3 + i })));
		expect(await engine.syncNow()).toMatchObject({ ok: true });
		expect(reg.log.map((l) => l.clientSeq)).toEqual([1, 2]);
		// And the other way: the registry holds seq 1-5 from this client under other ids.
		for (let i = 0; i < 3; i++) reg.log.push({ ...reg.log[0], id: `other${i}`, clientSeq: 3 + i });
		await logMetrics(run.id, [{ key: 'loss', value: 1, step: 0 }]);
		expect(await engine.syncNow()).toMatchObject({ ok: true, pushed: 1 });
		expect(reg.log.at(-1)?.clientSeq).toBe(6);
	});

	it('a push whose answer was lost is sent again and applied once', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		const run = await newRun();
		await logMetrics(run.id, [{ key: 'loss', value: 1, step: 0 }]);
		const realFetch = reg.fetch;
		let lose = true;
		const lossy = new SyncEngine({
			db: d,
			locks: null,
			events: null,
			schedule: () => () => {},
			fetch: async (i, init) => {
				const res = await realFetch(i, init);
				if (lose && String(i).includes('/push')) {
					lose = false;
					throw new TypeError('connection reset');
				}
				return res;
			}
		});
		expect(await lossy.syncNow()).toMatchObject({ ok: false, reason: 'offline' });
		expect(await pending(d)).toHaveLength(3);
		expect(await lossy.syncNow()).toMatchObject({ ok: true });
		expect(reg.log).toHaveLength(3);
		expect(await d.outbox.count()).toBe(0);
		void engine;
	});

	it('uploads an artifact’s bytes before the push that links them; stores model version numbers', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		const run = await newRun();
		await useCpu();
		const model = await appModel({ spec: { kind: 'linear' }, width: 3, task: 'binary' });
		const saved = await saveModel(model);
		model.dispose();
		await saveArtifacts(run.id, [
			{ name: 'model.json', mediaType: 'application/json', data: saved.modelJson },
			{ name: 'weights.bin', mediaType: 'application/octet-stream', data: saved.weights },
			{ name: 'preprocessing.json', mediaType: 'application/json', data: '{"task":"binary"}' }
		]);
		const v = await registerModelVersion({ modelName: 'penguin-mlp', runId: run.id });
		// The version is the run's model exported to ONNX, kept as a run artifact next to the TF.js files.
		const onnx = await d.artifacts.where('[runId+name]').equals([run.id, 'model.onnx']).first();
		expect(v).toMatchObject({ version: null, artifactSha256: onnx?.sha256 });
		expect(v.signature).toMatchObject({
			preprocessing: { task: 'binary' },
			onnx: { inputFeatures: 3, task: 'binary' }
		});
		await engine.syncNow();
		const paths = reg.requests.map((r) => `${r.method} ${r.path.replace(onnx!.sha256, 'SHA')}`);
		expect(paths.indexOf('PUT /api/v1/blobs/SHA')).toBeLessThan(paths.indexOf('POST /api/v1/sync/push'));
		expect(reg.blobs.has(onnx!.sha256)).toBe(true);
		expect((await d.modelVersions.get(v.id))?.version).toBe(1);
	});

	it('an imported ONNX file registers as it is, with the signature its graph declares, and syncs', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		const run = await newRun();
		const bytes = sklearnLikeModel([
			[1, 0, 0],
			[0, 1, 0],
			[0, 0, 1],
			[0, 0, 0]
		]);
		const [file] = await saveArtifacts(run.id, [
			{ name: 'model.onnx', mediaType: 'application/onnx', data: bytes }
		]);
		const v = await registerModelVersion({ modelName: 'iris', runId: run.id });
		expect(v.artifactSha256).toBe(file.sha256);
		// No preprocessing: the edge feeds this graph tensors, checked against these specs.
		expect(v.signature).toEqual({
			inputs: [{ type: 'tensor', name: 'float_input', 'tensor-spec': { dtype: 'float32', shape: [-1, 4] } }],
			outputs: [
				{ type: 'tensor', name: 'label', 'tensor-spec': { dtype: 'int64', shape: [-1] } },
				{ type: 'tensor', name: 'probabilities', 'tensor-spec': { dtype: 'float32', shape: [-1, 3] } }
			]
		});
		// Stored once: the file is the run's artifact already, not a second copy.
		expect(await d.artifacts.where('[runId+name]').equals([run.id, 'model.onnx']).count()).toBe(1);
		await engine.syncNow();
		expect(reg.blobs.has(file.sha256)).toBe(true);
		expect((await d.modelVersions.get(v.id))?.version).toBe(1);
	});

	it('a run without a saved model cannot be registered, and nothing is written', async () => {
		const { d } = setup();
		const run = await newRun();
		await saveArtifacts(run.id, [{ name: 'weights.bin', mediaType: 'application/octet-stream', data: 'w' }]);
		const before = await d.outbox.count();
		await expect(registerModelVersion({ modelName: 'm', runId: run.id })).rejects.toMatchObject({
			name: 'NotAModel'
		});
		expect(await d.outbox.count()).toBe(before);
		expect(await d.models.count()).toBe(0);
	});
});

describe('retries', () => {
	it('backoff doubles to a 30 s cap with jitter', () => {
		const at = (attempt: number, r: number) => retryDelay({ attempt, random: () => r });
		expect([0, 1, 2, 3, 10].map((n) => at(n, 1))).toEqual([1000, 2000, 4000, 8000, 30_000]);
		expect(at(3, 0)).toBe(4000);
		expect(retryDelay({ attempt: 9, random: () => 0, retryAfterMs: 7000 })).toBe(7000);
	});

	it.each([
		[503, 'retrying', 750],
		['drop' as const, 'offline', 750],
		[{ status: 429, headers: { 'retry-after': '7' } }, 'retrying', 7125]
	])('%j is retried later (%s, %d ms)', async (failure, reason, wait) => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		await newRun();
		reg.failures.push(failure);
		const r = await engine.syncNow();
		expect(r).toMatchObject({ ok: false, reason, retryInMs: wait });
		expect(await pending(d)).toHaveLength(2);
		expect(await engine.syncNow()).toMatchObject({ ok: true, pushed: 2 });
	});

	it('a 4xx is final: status error, nothing lost', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		await newRun();
		reg.failures.push(401);
		expect(await engine.syncNow()).toMatchObject({ ok: false, reason: 'failed' });
		expect(engine.status.state).toBe('error');
		expect(await pending(d)).toHaveLength(2);
	});

	it('signed out: nothing is sent, everything stays queued', async () => {
		const { reg, engine } = setup();
		await newRun();
		expect(await engine.syncNow()).toMatchObject({ ok: false, reason: 'signed-out' });
		expect(reg.requests).toEqual([]);
		expect(engine.status.snapshot()).toMatchObject({ state: 'signed-out', pending: 2 });
	});

	it('reload-safe: a new engine over the same database resumes where the last one stopped', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		const run = await newRun();
		await engine.syncNow();
		await logMetrics(run.id, [{ key: 'loss', value: 2, step: 1 }]);
		reg.add({ type: 'run.update', runId: run.id, name: 'renamed' });
		const next = new SyncEngine({
			db: d,
			fetch: reg.fetch,
			locks: null,
			events: null,
			schedule: () => () => {}
		});
		expect(await next.syncNow()).toMatchObject({ ok: true, pushed: 1, pulled: 1 });
		expect(await next.syncNow()).toMatchObject({ ok: true, pushed: 0, pulled: 0 });
		expect(reg.log.filter((l) => l.clientId !== 'other')).toHaveLength(3);
	});
});
