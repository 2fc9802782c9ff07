import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, type PredictionRecord } from '../../../src/lib/contract';
import type { Preprocessing } from '../../../src/lib/ml/types';
import { logFor } from '../../../workers/predictions/log-store';
import { settle, testEnv, type ErrorJson } from '../helpers';
import { predictPath, register, upload } from '../inference/fixtures';
import { gemmModel, sklearnLikeModel } from '../inference/onnx-builder';
import { api, ok } from '../v1/fixtures';

/**
 * The prediction log: every answered row is recorded (id, time, model, version, alias, inputs or their hash,
 * outputs, latency) after the answer, buffered in the model's Durable Object, written out in NDJSON batches to R2
 * and indexed in D1, and read back by time range through the API — buffered rows included.
 */

const W = [
	[1, 0, -1],
	[0, 2, 0],
	[0, 0, 1],
	[-1, 1, 0]
];
const CHURN: Preprocessing = {
	version: 1,
	features: [{ name: 'age', kind: 'numeric', mean: 30, std: 10, impute: 30 }],
	target: { name: 'churn', task: 'binary', classes: ['no', 'yes'] },
	width: 1
};

type Answer = { predictionIds: string[]; predictions: unknown };
type Page = { predictions: PredictionRecord[]; truncated: boolean };

async function predict(path: string, json: unknown): Promise<Answer> {
	const res = await api(path, { method: 'POST', json });
	const text = await res.text();
	expect(res.status, text).toBe(200);
	await settle();
	return JSON.parse(text) as Answer;
}

const readLog = (model: string, query = '') => ok<Page>(`/api/v1/models/${model}/predictions${query}`);
const owner = (modelName: string) => ({ workspaceId: 'local', modelName });

beforeAll(async () => {
	// The first prediction an isolate serves loads ORT: here, on a model no test reads the log of.
	await register('warm', { sha: await upload(sklearnLikeModel(W)) });
	await predict(predictPath('warm', 1), { inputs: [[0, 0, 0, 0]] });
	await register('logged', { sha: await upload(sklearnLikeModel(W)) });
	await ok('/api/v1/models/logged/aliases/champion', { method: 'PUT', json: { version: 1 } });
	await register('churn', {
		sha: await upload(gemmModel({ weights: [[3]], bias: [0.5], head: 'sigmoid' })),
		prep: CHURN
	});
}, 60_000);

describe('the prediction log', () => {
	it('records each answered row with its id, inputs, outputs and the version and alias that answered', async () => {
		const started = Date.now();
		const a = await predict('/api/v1/models/logged/predict', {
			inputs: [
				[1, 2, 3, 4],
				[0, 0, 0, 1]
			]
		});
		const b = await predict(predictPath('logged', 1), {
			dataframe_records: [{ a: 1, b: 0, c: 0, d: 0 }]
		});
		expect(a.predictionIds).toHaveLength(2);
		const page = await readLog('logged');
		expect(page.truncated).toBe(false);
		expect(page.predictions.map((r) => r.id)).toEqual([...a.predictionIds, ...b.predictionIds]);
		const [first, second, third] = page.predictions;
		expect(first).toMatchObject({
			model: 'logged',
			version: 1,
			alias: 'champion',
			inputs: { float_input: [1, 2, 3, 4] },
			outputs: { label: (a.predictions as { label: number[] }).label[0] },
			status: 'ok'
		});
		expect(second.inputs).toEqual({ float_input: [0, 0, 0, 1] });
		expect(third).toMatchObject({ alias: null, inputs: { a: 1, b: 0, c: 0, d: 0 } });
		expect(third.outputs).toEqual((b.predictions as unknown[])[0]);
		for (const r of page.predictions) {
			expect(r.at).toBeGreaterThanOrEqual(started);
			expect(r.latencyMs).toBeGreaterThanOrEqual(0);
		}
	});

	it('writes a batch to R2 with its index in D1 at the alarm, and reads the same rows back from it', async () => {
		const before = (await readLog('logged')).predictions;
		expect(before.length).toBeGreaterThan(0);
		expect(await runDurableObjectAlarm(logFor(testEnv, owner('logged')))).toBe(true);
		const index = await testEnv.DB.prepare(
			'SELECT object_key, count, first_at, last_at FROM prediction_batches WHERE model_name = ?'
		)
			.bind('logged')
			.all<{ object_key: string; count: number; first_at: number; last_at: number }>();
		expect(index.results).toHaveLength(1);
		const batch = index.results[0];
		expect(batch.count).toBe(before.length);
		const lines = (await (await testEnv.ARTIFACTS.get(batch.object_key))!.text()).trim().split('\n');
		expect(lines.map((l) => (JSON.parse(l) as PredictionRecord).id)).toEqual(before.map((r) => r.id));
		expect(await logFor(testEnv, owner('logged')).pending(0, Number.MAX_SAFE_INTEGER)).toEqual([]);
		expect((await readLog('logged')).predictions).toEqual(before);
		// A time range reads only what falls in it, both ends included.
		const at = before.at(-1)!.at;
		expect((await readLog('logged', `?from=${at}&to=${at}`)).predictions.every((r) => r.at === at)).toBe(
			true
		);
		expect((await readLog('logged', `?to=${before[0].at - 1}`)).predictions).toEqual([]);
		const limited = await readLog('logged', '?limit=1');
		expect([limited.predictions.length, limited.truncated]).toEqual([1, true]);
	});

	it('a notebook-trained model logs its raw records; hashing keeps only a SHA-256 of each row', async () => {
		const raw = await predict(predictPath('churn', 1), { rows: [{ age: 30 }, { age: 40 }] });
		await ok('/api/v1/models/churn/tags/edgebook.log.inputs', { method: 'PUT', json: { value: 'hash' } });
		const hashed = await predict(predictPath('churn', 1), { rows: [{ age: 30 }] });
		const page = await readLog('churn');
		expect(page.predictions.map((r) => r.id)).toEqual([...raw.predictionIds, ...hashed.predictionIds]);
		expect(page.predictions[0].inputs).toEqual({ age: 30 });
		expect(page.predictions[0].outputs).toEqual((raw.predictions as unknown[])[0]);
		const last = page.predictions[2];
		expect(last.inputs).toBeUndefined();
		const digest = new Uint8Array(
			await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify({ age: 30 })))
		);
		expect(last.inputsHash).toBe(Array.from(digest, (x) => x.toString(16).padStart(2, '0')).join(''));
		await ok('/api/v1/models/churn/tags/edgebook.log.inputs', { method: 'DELETE' });
	});

	it('a sample rate of 0 logs nothing and still answers with ids; refused requests are never logged', async () => {
		await register('quiet', { sha: await upload(sklearnLikeModel(W)) });
		await ok('/api/v1/models/quiet/tags/edgebook.log.sample_rate', { method: 'PUT', json: { value: '0' } });
		const unlogged = await predict(predictPath('quiet', 1), { inputs: [[1, 2, 3, 4]] });
		expect(unlogged.predictionIds).toHaveLength(1);
		for (const body of [{ inputs: [[1, 2]] }, { inputs: [['x', 1, 2, 3]] }, { nothing: 1 }]) {
			const res = await api(predictPath('quiet', 1), { method: 'POST', json: body });
			expect(res.status).toBe(400);
		}
		await ok('/api/v1/models/quiet/tags/edgebook.log.sample_rate', { method: 'PUT', json: { value: '1' } });
		for (const body of [{ inputs: [[1, 2]] }, { instances: 5 }]) {
			const res = await api(predictPath('quiet', 1), { method: 'POST', json: body });
			expect(res.status).toBe(400);
		}
		await settle();
		const logged = await predict(predictPath('quiet', 1), { inputs: [[4, 3, 2, 1]] });
		expect((await readLog('quiet')).predictions.map((r) => r.id)).toEqual(logged.predictionIds);
	});

	it(`a full batch (${LIMITS.predictRows} rows) is written out at once, without waiting for the alarm`, async () => {
		await register('busy', { sha: await upload(sklearnLikeModel(W)) });
		const rows = Array.from({ length: LIMITS.predictRows }, (_, i) => [i, 1, 0, -i]);
		const answer = await predict(predictPath('busy', 1), { inputs: rows });
		const index = await testEnv.DB.prepare('SELECT count FROM prediction_batches WHERE model_name = ?')
			.bind('busy')
			.all<{ count: number }>();
		expect(index.results).toEqual([{ count: LIMITS.predictRows }]);
		const page = await readLog('busy', `?limit=${LIMITS.predictRows}`);
		expect(page.predictions.map((r) => r.id)).toEqual(answer.predictionIds);
	});

	it('concurrent requests to one model reach its Durable Object together, as one call', async () => {
		await register('burst', { sha: await upload(sklearnLikeModel(W)) });
		const answers = await Promise.all(
			[1, 2, 3].map((i) => api(predictPath('burst', 1), { method: 'POST', json: { inputs: [[i, 0, 0, 0]] } }))
		);
		expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
		await settle();
		const chunks = await runInDurableObject(logFor(testEnv, owner('burst')), (_, state) =>
			state.storage.sql
				.exec<{ n: number; rows: number }>('SELECT COUNT(*) AS n, SUM(count) AS rows FROM pending_chunks')
				.one()
		);
		expect(chunks).toEqual({ n: 1, rows: 3 });
		expect((await readLog('burst')).predictions).toHaveLength(3);
	});

	it('requests that together pass a full batch are written out as one batch, in order', async () => {
		await register('pair', { sha: await upload(sklearnLikeModel(W)) });
		const rows = (n: number) => Array.from({ length: n }, (_, i) => [i, 0, 1, 0]);
		const first = await predict(predictPath('pair', 1), { inputs: rows(600) });
		const before = await testEnv.DB.prepare('SELECT count FROM prediction_batches WHERE model_name = ?')
			.bind('pair')
			.all<{ count: number }>();
		expect(before.results).toEqual([]);
		const second = await predict(predictPath('pair', 1), { inputs: rows(600) });
		const index = await testEnv.DB.prepare(
			'SELECT object_key, count FROM prediction_batches WHERE model_name = ?'
		)
			.bind('pair')
			.all<{ object_key: string; count: number }>();
		expect(index.results.map((r) => r.count)).toEqual([1200]);
		const lines = (await (await testEnv.ARTIFACTS.get(index.results[0].object_key))!.text())
			.trim()
			.split('\n');
		expect(lines.map((l) => (JSON.parse(l) as PredictionRecord).id)).toEqual([
			...first.predictionIds,
			...second.predictionIds
		]);
	});

	it.each([
		['?from=abc', 'query: from'],
		['?limit=0', 'query: limit'],
		['?limit=10001', 'query: limit'],
		['?from=10&to=5', 'query: from'],
		['?since=1', 'query']
	])('a bad range %s is a 400 naming it', async (query, message) => {
		const res = await api(`/api/v1/models/logged/predictions${query}`);
		expect(res.status).toBe(400);
		expect((await res.json<ErrorJson>()).error.message).toContain(message);
	});

	it('an unknown model is a 404; another workspace never reads this one’s log', async () => {
		const res = await api('/api/v1/models/nobody/predictions');
		expect(res.status).toBe(404);
		const { otherWorkspaceToken } = await import('../registry-helpers');
		const other = await api('/api/v1/models/logged/predictions', { token: await otherWorkspaceToken() });
		expect(other.status).toBe(404);
	});
});

describe('prediction ids', () => {
	it('are UUIDv7s ordered by time and, within a millisecond, by the order they were made', async () => {
		const { idSource } = await import('../../../workers/predictions/records');
		const next = idSource();
		const ids = [next(1_000), next(1_000), next(1_000), next(2_000), next(1_500)];
		for (const id of ids)
			expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect([...ids].sort()).toEqual(ids);
		expect(ids.map((id) => id.slice(0, 18))).toEqual([
			'00000000-03e8-7000',
			'00000000-03e8-7001',
			'00000000-03e8-7002',
			'00000000-07d0-7000',
			'00000000-07d0-7001'
		]);
	});
});
