import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../src/lib/contract';
import { parseJson } from '../../../workers/http/json';
import { testEnv, type ErrorJson } from '../helpers';
import type { MlflowErrorJson } from '../mlflow/helpers';
import { api } from '../registry-helpers';
import { ok, snapshot } from '../v1/fixtures';

/** `{"a":{"a":…{}…}}` as text: a deep value built without recursion, which JSON.stringify would need. */
const deepObject = (depth: number) => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
const send = (path: string, body: string) =>
	api(path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

describe('JSON nesting: refused at the parser on every door, nothing stored', () => {
	it('counts brackets outside strings only, escapes included', () => {
		expect(parseJson(`{"s":"${'['.repeat(500)}\\"{{{"}`)).toEqual({ s: `${'['.repeat(500)}"{{{` });
		expect(() => parseJson(deepObject(LIMITS.jsonDepth + 1))).toThrow(/deeper than 64 levels/);
		expect(parseJson(deepObject(LIMITS.jsonDepth))).toBeTypeOf('object');
		expect(() => parseJson('{"a": [}')).toThrow(/not valid JSON/);
	});

	it('v1: a signature 6,000 deep is a 400 naming the limit, not a 500', async () => {
		await ok('/api/v1/models', { method: 'POST', json: { name: 'deep' }, status: 201 });
		const before = await snapshot(testEnv.DB);
		const res = await send('/api/v1/models/deep/versions', `{"signature":${deepObject(6000)}}`);
		expect(res.status).toBe(400);
		const err = await res.json<ErrorJson>();
		expect(err.error.code).toBe('invalid_request');
		expect(err.error.message).toMatch(/deeper than 64 levels/);
		expect(err.error.details).toEqual({ depthLimit: LIMITS.jsonDepth });
		expect(await snapshot(testEnv.DB)).toBe(before);
	});

	it('a signature within the body limit but past the stored-value limit is refused by the contract', async () => {
		await ok('/api/v1/models', { method: 'POST', json: { name: 'deep2' }, status: 201 });
		const before = await snapshot(testEnv.DB);
		const res = await send('/api/v1/models/deep2/versions', `{"signature":${deepObject(40)}}`);
		expect(res.status).toBe(400);
		expect((await res.json<ErrorJson>()).error.message).toMatch(/signature.*at most 32 levels/);
		expect(await snapshot(testEnv.DB)).toBe(before);
		await ok('/api/v1/models/deep2/versions', {
			method: 'POST',
			body: `{"signature":${deepObject(LIMITS.signatureDepth)}}`,
			headers: { 'content-type': 'application/json' },
			status: 201
		});
	});

	it('sync push: a mutation 100,000 deep is refused and nothing is logged', async () => {
		const before = await snapshot(testEnv.DB);
		const mutation = `{"type":"model.version.create","id":"v_deep","modelName":"deep","sourceRunId":null,"artifactSha256":null,"signature":${deepObject(100_000)}}`;
		const res = await send(
			'/api/v1/sync/push',
			`{"clientId":"c_deep","mutations":[{"id":"m_deep","seq":1,"at":1,"mutation":${mutation}}]}`
		);
		expect(res.status).toBe(400);
		expect((await res.json<ErrorJson>()).error.message).toMatch(/deeper than 64 levels/);
		expect(await snapshot(testEnv.DB)).toBe(before);
		const logged = await testEnv.DB.prepare('SELECT COUNT(*) AS n FROM mutations WHERE client_id = ?')
			.bind('c_deep')
			.first<{ n: number }>();
		expect(logged?.n).toBe(0);
	});

	it("MLflow: a deep body answers MLflow's BAD_REQUEST naming the limit", async () => {
		const before = await snapshot(testEnv.DB);
		const res = await send(
			'/api/2.0/mlflow/experiments/create',
			`{"name":"deep","tags":${'['.repeat(6000)}${']'.repeat(6000)}}`
		);
		expect(res.status).toBe(400);
		const err = await res.json<MlflowErrorJson>();
		expect(err.error_code).toBe('BAD_REQUEST');
		expect(err.message).toMatch(/deeper than 64 levels/);
		expect(await snapshot(testEnv.DB)).toBe(before);
	});
});
