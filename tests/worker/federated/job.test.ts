import { env, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { FederatedJob } from '../../../workers/federated/job-object';
import { api, ok } from '../v1/fixtures';
import { createJob, job, join, send, task, weightsOf } from './client';
import { PARAMS, filled, trainedVersion } from './fixtures';

/**
 * Federated jobs inside workerd: the rounds' state machine in the job's Durable Object, FedAvg over the clients'
 * float32 updates, each round published as a model version the edge serves, a restart mid-round losing nothing,
 * stragglers and retries, and bad updates refused with the round's aggregate unchanged.
 */

const stubOf = (id: string) => env.FEDERATED_JOB.get(env.FEDERATED_JOB.idFromName(`local\n${id}`));

beforeAll(async () => {
	expect(await trainedVersion('fed', filled(0))).toBe(1);
}, 60_000);

describe('a federated job runs its rounds', () => {
	it('samples registered clients, averages their updates by example count, and publishes each round as a version the edge serves', async () => {
		const j = await createJob({
			modelName: 'fed',
			version: 1,
			rounds: 2,
			minFitClients: 2,
			minAvailableClients: 2,
			followAlias: 'federated'
		});
		expect([j.state, j.round, j.rounds]).toEqual(['waiting', 0, 2]);
		const a = await join(j.id);
		expect((await task(j.id, a)).kind).toBe('wait');
		const b = await join(j.id);
		const t = await task(j.id, a);
		expect(t).toMatchObject({ kind: 'train', round: 1, localEpochs: 1, mu: 0 });
		expect(Array.from(await weightsOf(j.id, 1))).toEqual(Array.from(filled(0)));

		const first = await send(j.id, a, filled(1), { round: 1, numExamples: 10, trainLoss: 0.5 });
		expect(first.status).toBe(202);
		expect(await first.json()).toMatchObject({ round: 1, received: 1, sampled: 2 });
		expect((await send(j.id, b, filled(4), { round: 1, numExamples: 30, trainLoss: 0.9 })).status).toBe(202);

		// (10·1 + 30·4) / 40 = 3.25 in every parameter; round 2 opens at once with the same two clients.
		const after = await job(j.id);
		expect([after.state, after.round]).toEqual(['round_open', 2]);
		expect(Array.from(await weightsOf(j.id, 2))).toEqual(Array.from(filled(3.25)));
		const r1 = after.history[0];
		expect(r1).toMatchObject({ round: 1, version: 2, sampled: 2, completed: 2, dropped: 0, examples: 40 });
		expect(r1.trainLoss).toBeCloseTo((10 * 0.5 + 30 * 0.9) / 40, 12);

		// The round is a child run of the job's run, with its figures, and the version came from it.
		const run = await ok<{ parentId: string; status: string; metrics: { key: string; value: number }[] }>(
			`/api/v1/runs/${r1.runId}`
		);
		expect(run.parentId).toBe(j.runId);
		expect(run.status).toBe('finished');
		const v2 = await ok<{ sourceRunId: string; signature: { preprocessing: unknown } }>(
			'/api/v1/models/fed/versions/2'
		);
		expect(v2.sourceRunId).toBe(r1.runId);
		expect(v2.signature.preprocessing).toBeTruthy();
		// Equal weights everywhere: every class gets 1/3 from the edge, through the alias that follows the rounds.
		const res = await api('/api/v1/models/fed/aliases/federated/predict', {
			method: 'POST',
			json: { dataframe_records: [{ a: 1, b: 2, c: 3, d: 4 }] }
		});
		expect(res.status).toBe(200);
		expect(res.headers.get('x-edgebook-version')).toBe('2');
		const body = await res.json<{ predictions: { probabilities: Record<string, number> }[] }>();
		for (const p of Object.values(body.predictions[0].probabilities)) expect(p).toBeCloseTo(1 / 3, 5);

		expect((await send(j.id, a, filled(2), { round: 2, numExamples: 1 })).status).toBe(202);
		expect((await send(j.id, b, filled(6), { round: 2, numExamples: 1 })).status).toBe(202);
		const done = await job(j.id);
		expect([done.state, done.history.length, done.history[1].version]).toEqual(['done', 2, 3]);
		expect((await ok<{ status: string }>(`/api/v1/runs/${j.runId}`)).status).toBe('finished');
		expect(await task(j.id, a)).toMatchObject({ kind: 'done', state: 'done' });
		expect((await ok<{ version: number }>('/api/v1/models/fed/aliases/federated')).version).toBe(3);
	});

	it('a restart mid-round loses no accepted update: a fresh object on the same storage finishes the round', async () => {
		const j = await createJob({ modelName: 'fed', version: 1, rounds: 1 });
		const [a, b] = [await join(j.id), await join(j.id)];
		expect((await send(j.id, a, filled(2), { round: 1, numExamples: 1 })).status).toBe(202);
		// The object as it would come back after an eviction or a `wrangler dev` restart: only its storage.
		const meta = { round: 1, numExamples: 3, encoding: 'float32' as const };
		const got = await runInDurableObject(stubOf(j.id), async (_old: FederatedJob, state) => {
			const fresh = new FederatedJob(state, env);
			return fresh.submit(b.clientId, b.secret, meta, new Uint8Array(filled(6).buffer));
		});
		expect(got).toMatchObject({ ok: true, value: { received: 2, sampled: 2 } });
		const done = await job(j.id);
		expect(done.state).toBe('done');
		// (1·2 + 3·6) / 4 = 5: the update accepted before the restart is in it.
		const v = done.history[0].version;
		const files = await ok<{ artifacts: { name: string; sha256: string }[] }>(
			`/api/v1/runs/${done.history[0].runId}/artifacts`
		);
		expect(files.artifacts.map((f) => f.name).sort()).toEqual([
			'model.json',
			'model.onnx',
			'preprocessing.json',
			'weights.bin'
		]);
		const sha = files.artifacts.find((f) => f.name === 'weights.bin')!.sha256;
		const blob = await env.ARTIFACTS.get(`blobs/${sha}`);
		expect(Array.from(new Float32Array(await blob!.arrayBuffer()))).toEqual(Array.from(filled(5)));
		expect(v).toBeGreaterThan(1);
	});

	it('a round below the completion rate at its deadline is retried, then the job fails saying why', async () => {
		const j = await createJob({ modelName: 'fed', version: 1, rounds: 1, retries: 1, roundDeadlineS: 60 });
		const [a] = [await join(j.id), await join(j.id)];
		expect((await send(j.id, a, filled(1), { round: 1, numExamples: 1 })).status).toBe(202);
		await runInDurableObject(stubOf(j.id), (o: FederatedJob) => o.expireRound());
		const retried = await job(j.id);
		expect([retried.state, retried.round, retried.attempt, retried.received]).toEqual([
			'round_open',
			1,
			1,
			0
		]);
		await runInDurableObject(stubOf(j.id), (o: FederatedJob) => o.expireRound());
		const failed = await job(j.id);
		expect(failed.state).toBe('failed');
		expect(failed.error).toMatch(
			/round 1 had 0 of 2 sampled clients' updates by its deadline; the job needs 100%/
		);
		expect((await ok<{ status: string }>(`/api/v1/runs/${j.runId}`)).status).toBe('failed');
		expect((await send(j.id, a, filled(1), { round: 1, numExamples: 1 })).status).toBe(409);
	});

	it('stragglers are dropped at the deadline when enough clients sent', async () => {
		const j = await createJob({ modelName: 'fed', version: 1, rounds: 1, minCompletionRate: 0.5 });
		const [a] = [await join(j.id), await join(j.id)];
		expect((await send(j.id, a, filled(7), { round: 1, numExamples: 2 })).status).toBe(202);
		await runInDurableObject(stubOf(j.id), (o: FederatedJob) => o.expireRound());
		const done = await job(j.id);
		expect(done.state).toBe('done');
		expect(done.history[0]).toMatchObject({ sampled: 2, completed: 1, dropped: 1, examples: 2 });
	});
});

describe('bad updates are refused with their reason, and the round’s aggregate is unchanged', () => {
	it.each([
		[
			'an update of the wrong length',
			'short',
			400,
			/is 56 bytes; the model has 15 float32 parameters \(60 bytes\)/
		],
		['NaN', 'nan', 400, /parameter 3 is NaN: only finite values/],
		['Infinity', 'inf', 400, /parameter 0 is Infinity/],
		['bytes that are not whole floats', 'ragged', 400, /is 61 bytes/],
		['JSON weights', 'json', 400, /float32 bytes sent as application\/octet-stream, not application\/json/],
		['no client header', 'anonymous', 400, /x-edgebook-fed-client must be/],
		['a wrong client secret', 'impostor', 403, /wrong client secret/],
		['meta that is not JSON', 'meta', 400, /x-edgebook-fed-meta must be JSON/],
		['an example count of zero', 'zero', 400, /numExamples/],
		['an absurd example count', 'absurd', 400, /numExamples/],
		['a stale round', 'stale', 409, /for round 7; round 1 is open/],
		['a client not sampled', 'late', 403, /was not sampled for round 1/],
		['a second update in the round', 'twice', 409, /already sent its update for round 1/],
		['an unknown job', 'nojob', 404, /No such federated job/],
		['no token', 'notoken', 401, /./]
	])('%s', async (_what, kind, status, message) => {
		const j = await createJob({
			modelName: 'fed',
			version: 1,
			rounds: 1,
			minAvailableClients: 3,
			minFitClients: 3
		});
		const [a, b, c] = [await join(j.id), await join(j.id), await join(j.id)];
		const good = { round: 1, numExamples: 5 };
		if (kind === 'twice') expect((await send(j.id, a, filled(1), good)).status).toBe(202);
		const late = kind === 'late' ? await join(j.id) : null;
		const nan = filled(1);
		nan[3] = NaN;
		const inf = filled(1);
		inf[0] = Infinity;
		const res = await {
			short: () => send(j.id, a, new Float32Array(14), good),
			nan: () => send(j.id, a, nan, good),
			inf: () => send(j.id, a, inf, good),
			ragged: () => send(j.id, a, new Uint8Array(61), good),
			json: () => send(j.id, a, filled(1), good, { 'content-type': 'application/json' }),
			anonymous: () => send(j.id, null, filled(1), good),
			impostor: () => send(j.id, { ...a, secret: 'x'.repeat(32) }, filled(1), good),
			meta: () => send(j.id, a, filled(1), '{round: 1'),
			zero: () => send(j.id, a, filled(1), { round: 1, numExamples: 0 }),
			absurd: () => send(j.id, a, filled(1), { round: 1, numExamples: 1e12 }),
			stale: () => send(j.id, a, filled(1), { round: 7, numExamples: 5 }),
			late: () => send(j.id, late, filled(1), good),
			twice: () => send(j.id, a, filled(100), good),
			nojob: () => send('0'.repeat(32), a, filled(1), good),
			notoken: () =>
				api(`/api/v1/federated/jobs/${j.id}/updates`, {
					method: 'POST',
					token: null,
					body: new Uint8Array(PARAMS * 4),
					headers: { 'content-type': 'application/octet-stream' }
				})
		}[kind]!();
		expect(res.status).toBe(status);
		const err = await res.json<{ error: { message: string } }>();
		expect(err.error.message).toMatch(message);
		// Then every sampled client sends a good update: the average is theirs alone (nothing refused got in).
		for (const [client, value] of [
			[a, 1],
			[b, 2],
			[c, 6]
		] as const)
			if (!(kind === 'twice' && client === a))
				expect((await send(j.id, client, filled(value), good)).status).toBe(202);
		const done = await job(j.id);
		expect(done.state).toBe('done');
		const files = await ok<{ artifacts: { name: string; sha256: string }[] }>(
			`/api/v1/runs/${done.history[0].runId}/artifacts`
		);
		const sha = files.artifacts.find((f) => f.name === 'weights.bin')!.sha256;
		const blob = await env.ARTIFACTS.get(`blobs/${sha}`);
		expect(Array.from(new Float32Array(await blob!.arrayBuffer()))).toEqual(Array.from(filled(3)));
	});
});

describe('creating a job', () => {
	it.each([
		[{ modelName: 'nope', version: 1 }, 404, /No registered model named "nope"/],
		[{ modelName: 'fed', version: 99 }, 404, /has no version 99/],
		[
			{ modelName: 'fed', version: 1, dp: { noiseMultiplier: 1, delta: 1e-5 } },
			400,
			/clips each update first: set clipNorm/
		],
		[
			{ modelName: 'fed', version: 1, minFitClients: 5, minAvailableClients: 2 },
			400,
			/cannot exceed minAvailableClients/
		],
		[{ modelName: 'fed', version: 1, strategy: { name: 'fedsgd' } }, 400, /strategy/],
		[{ modelName: 'fed', version: 1, rounds: 0 }, 400, /rounds/]
	])('%j is refused', async (body, status, message) => {
		const res = await api('/api/v1/federated/jobs', { method: 'POST', json: body });
		expect(res.status).toBe(status);
		expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(message);
	});

	it('a version with no trainable weights (an imported ONNX graph) cannot start a job', async () => {
		await ok('/api/v1/models', { method: 'POST', json: { name: 'graph-only' }, status: 201 });
		await ok('/api/v1/models/graph-only/versions', { method: 'POST', json: {}, status: 201 });
		const res = await api('/api/v1/federated/jobs', {
			method: 'POST',
			json: { modelName: 'graph-only', version: 1 }
		});
		expect(res.status).toBe(409);
		expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(/no source run/);
	});
});

describe('while a round is aggregated', () => {
	it('an update that arrives is refused and the straggler is told to wait, so no update lands after the sum is read', async () => {
		const j = await createJob({ modelName: 'fed', version: 1, rounds: 1 });
		const [a, b] = [await join(j.id), await join(j.id)];
		expect((await send(j.id, a, filled(1), { round: 1, numExamples: 1 })).status).toBe(202);
		await runInDurableObject(stubOf(j.id), (_o: FederatedJob, state) => {
			state.storage.sql.exec(`UPDATE job SET state = 'aggregating' WHERE k = 1`);
		});
		expect(await task(j.id, b)).toMatchObject({ kind: 'wait', state: 'aggregating' });
		const late = await send(j.id, b, filled(9), { round: 1, numExamples: 1 });
		expect(late.status).toBe(409);
		expect((await late.json<{ error: { message: string } }>()).error.message).toMatch(/is aggregating/);
	});
});

describe('strategies beyond FedAvg, in the object', () => {
	async function oneRound(settings: Record<string, unknown>, values: number[]) {
		const j = await createJob({
			modelName: 'fed',
			version: 1,
			rounds: 1,
			minFitClients: values.length,
			minAvailableClients: values.length,
			...settings
		});
		const clients = [];
		for (const _ of values) clients.push(await join(j.id));
		for (const [k, v] of values.entries())
			expect((await send(j.id, clients[k], filled(v), { round: 1, numExamples: k + 1 })).status).toBe(202);
		const done = await job(j.id);
		expect(done.state).toBe('done');
		const files = await ok<{ artifacts: { name: string; sha256: string }[] }>(
			`/api/v1/runs/${done.history[0].runId}/artifacts`
		);
		const sha = files.artifacts.find((f) => f.name === 'weights.bin')!.sha256;
		const blob = await env.ARTIFACTS.get(`blobs/${sha}`);
		return { done, weights: new Float32Array(await blob!.arrayBuffer()) };
	}

	it('FedMedian takes the coordinate-wise median: an outlier client moves nothing', async () => {
		const { weights } = await oneRound({ strategy: { name: 'fedmedian' } }, [1, 2, 100]);
		expect(Array.from(weights)).toEqual(Array.from(filled(2)));
	});

	it('FedTrimmedAvg (β 0.2 of 5) drops the highest and lowest per coordinate, then averages', async () => {
		const { weights } = await oneRound(
			{ strategy: { name: 'fedtrimmedavg', beta: 0.2 } },
			[-50, 1, 2, 3, 90]
		);
		expect(Array.from(weights)).toEqual(Array.from(filled(2)));
	});

	it('clipping bounds each update around the global model, and central DP reports ε', async () => {
		// Global 0: an update of 15 parameters at 1 has norm √15 > 1, clipped to norm 1 (each 1/√15).
		const { done } = await oneRound(
			{ clipNorm: 1, dp: { noiseMultiplier: 1.1, delta: 1e-5 }, followAlias: 'dp' },
			[1, 1]
		);
		const r = done.history[0];
		expect(r.clipped).toBe(2);
		expect(r.epsilon).toBeGreaterThan(0);
		expect(Number.isFinite(r.epsilon)).toBe(true);
		const run = await ok<{ metrics: { key: string; value: number }[] } & Record<string, unknown>>(
			`/api/v1/runs/${r.runId}`
		);
		expect(JSON.stringify(run)).toContain('epsilon');
	});

	it('adaptive clipping moves the bound toward the target quantile of the update norms, round by round', async () => {
		// Global 0; 15 parameters at v have norm v·√15. Round 1 at C = 1: two of three updates within the bound
		// (0.1·√15 ≈ 0.39), one beyond (√15), so b = 2/3 and C ← exp(−0.2·(2/3 − 0.5)).
		const j = await createJob({
			modelName: 'fed',
			version: 1,
			rounds: 2,
			minFitClients: 3,
			minAvailableClients: 3,
			clipNorm: 1,
			adaptiveClipping: { targetQuantile: 0.5, clipNormLr: 0.2 }
		});
		const cs = [await join(j.id), await join(j.id), await join(j.id)];
		for (const [k, v] of [0.1, 0.1, 1].entries())
			expect((await send(j.id, cs[k], filled(v), { round: 1, numExamples: 1 })).status).toBe(202);
		const c2 = Math.exp(-0.2 * (2 / 3 - 0.5));
		// Round 2 starts from the round-1 model; updates far beyond the bound are clipped to the new C exactly.
		const start = await weightsOf(j.id, 2);
		for (const [k, v] of [5, 5, 5].entries())
			expect((await send(j.id, cs[k], filled(v), { round: 2, numExamples: 1 })).status).toBe(202);
		const done = await job(j.id);
		expect(done.state).toBe('done');
		expect(done.history.map((h) => h.clipNorm)).toEqual([1, expect.closeTo(c2, 12)]);
		expect(done.history.map((h) => h.clipped)).toEqual([1, 3]);
		const files = await ok<{ artifacts: { name: string; sha256: string }[] }>(
			`/api/v1/runs/${done.history[1].runId}/artifacts`
		);
		const sha = files.artifacts.find((f) => f.name === 'weights.bin')!.sha256;
		const last = new Float32Array(await (await env.ARTIFACTS.get(`blobs/${sha}`))!.arrayBuffer());
		let norm = 0;
		for (let i = 0; i < last.length; i++) norm += (last[i] - start[i]) ** 2;
		expect(Math.sqrt(norm)).toBeCloseTo(c2, 5);
	});

	it('adaptive clipping needs a starting clipNorm', async () => {
		const res = await api('/api/v1/federated/jobs', {
			method: 'POST',
			json: { modelName: 'fed', version: 1, adaptiveClipping: {} }
		});
		expect(res.status).toBe(400);
		expect(await res.text()).toMatch(/adaptive clipping starts from clipNorm/);
	});
});
