import { createExecutionContext, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../workers/index';
import type { ErrorJson } from '../helpers';
import type { MlflowErrorJson } from '../mlflow/helpers';
import { otherWorkspaceToken } from '../registry-helpers';
import { filled, trainedVersion } from '../federated/fixtures';
import { ok } from '../v1/fixtures';

/** The Worker with a small limit, as `wrangler dev --var RATE_LIMIT_PER_MINUTE:3` would run it. */
function limited(
	path: string,
	token: string,
	perMinute = '3',
	headers: Record<string, string> = {},
	method = 'GET'
) {
	return worker.fetch(
		new Request(`http://edgebook.test${path}`, {
			method,
			headers: { authorization: `Bearer ${token}`, ...headers }
		}),
		{ ...env, RATE_LIMIT_PER_MINUTE: perMinute } as never,
		createExecutionContext()
	);
}
const V1 = '/api/v1/me';
const MLFLOW = '/api/2.0/mlflow/experiments/search?max_results=1';

// The file's first request readies the isolate (ORT among it): seconds on a loaded 2-core machine.
describe('rate limit: one bucket per token, in a Durable Object, on both APIs', { timeout: 30_000 }, () => {
	it('v1: the request after the limit is 429 rate_limited with Retry-After', async () => {
		const token = await otherWorkspaceToken('ws_rl1', ['read']);
		for (let i = 0; i < 3; i++) expect((await limited(V1, token)).status).toBe(200);
		const res = await limited(V1, token);
		expect(res.status).toBe(429);
		expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		const err = await res.json<ErrorJson>();
		expect(err.error.code).toBe('rate_limited');
		expect(err.error.message).toMatch(/3 a minute/);
	});

	it("MLflow: 429 REQUEST_LIMIT_EXCEEDED with Retry-After, in MLflow's error shape", async () => {
		const token = await otherWorkspaceToken('ws_rl2', ['read']);
		for (let i = 0; i < 3; i++) expect((await limited(MLFLOW, token)).status).toBe(200);
		const res = await limited(MLFLOW, token);
		expect(res.status).toBe(429);
		expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		const err = await res.json<MlflowErrorJson>();
		expect(Object.keys(err).sort()).toEqual(['error_code', 'message']);
		expect(err.error_code).toBe('REQUEST_LIMIT_EXCEEDED');
	});

	it('a token spends one budget across both APIs; another token keeps its own', async () => {
		const token = await otherWorkspaceToken('ws_rl3', ['read']);
		const other = await otherWorkspaceToken('ws_rl3', ['read']);
		expect((await limited(V1, token)).status).toBe(200);
		expect((await limited(MLFLOW, token)).status).toBe(200);
		expect((await limited(V1, token)).status).toBe(200);
		expect((await limited(MLFLOW, token)).status).toBe(429);
		expect((await limited(V1, token)).status).toBe(429);
		for (let i = 0; i < 3; i++) expect((await limited(MLFLOW, other)).status).toBe(200);
	});

	it('the budget lives in the Durable Object every isolate shares, not in the isolate', async () => {
		const token = await otherWorkspaceToken('ws_rl4', ['read']);
		const me = await (await limited(V1, token, '2')).json<{ tokenId: string }>();
		// What another isolate would do: reach the same object by the token's id and take from it.
		const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(me.tokenId));
		expect(await stub.take(2)).toBe(0);
		expect(await stub.take(2)).toBeGreaterThanOrEqual(1);
		expect((await limited(V1, token, '2')).status).toBe(429);
	});

	it('a limiter that cannot be reached lets the request through instead of failing it', async () => {
		const token = await otherWorkspaceToken('ws_rl_down', ['read']);
		const broken = {
			idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
			get: () => ({
				take: () => Promise.reject(new Error('Durable Object reset because its code was updated.'))
			})
		};
		const res = await worker.fetch(
			new Request(`http://edgebook.test${V1}`, { headers: { authorization: `Bearer ${token}` } }),
			{ ...env, RATE_LIMITER: broken } as never,
			createExecutionContext()
		);
		expect(res.status).toBe(200);
	});

	it('a participation token (one join link, many devices) has a bucket per participant, not one for all', async () => {
		await trainedVersion('fedrl', filled(0));
		const job = await ok<{ id: string }>('/api/v1/federated/jobs', {
			method: 'POST',
			json: { modelName: 'fedrl', version: 1, minFitClients: 2, minAvailableClients: 2 },
			status: 201
		});
		const { secret } = await ok<{ secret: string }>(`/api/v1/federated/jobs/${job.id}/tokens`, {
			method: 'POST',
			json: {},
			status: 201
		});
		const register = async (ip: string) =>
			(
				await limited(
					`/api/v1/federated/jobs/${job.id}/clients`,
					secret,
					'3',
					{ 'cf-connecting-ip': ip },
					'POST'
				)
			).json<{
				clientId: string;
				secret: string;
			}>();
		const [a, b] = [await register('192.0.2.1'), await register('192.0.2.2')];
		const task = (c: { clientId: string; secret: string }) =>
			limited(`/api/v1/federated/jobs/${job.id}/task`, secret, '3', {
				'x-edgebook-fed-client': `${c.clientId}.${c.secret}`
			});
		expect(JSON.stringify(a)).toMatch(/"clientId":"c/);
		for (let i = 0; i < 3; i++) expect((await task(a)).status).toBe(200);
		const res = await task(a);
		expect(res.status).toBe(429);
		expect((await res.json<ErrorJson>()).error.message).toMatch(/from this participant \(3 a minute\)/);
		// The other device sharing the link still has its own budget.
		for (let i = 0; i < 3; i++) expect((await task(b)).status).toBe(200);
	});
});
