import { createExecutionContext, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../workers/index';
import { takeFrom } from '../../../workers/http/rate-limiter';
import type { ErrorJson } from '../helpers';
import { ADMIN, otherWorkspaceToken } from '../registry-helpers';
import { api } from './fixtures';

/** The Worker with some vars overridden, as `wrangler dev --var` would set them. */
function withVars(vars: Record<string, string>, path: string, init: RequestInit = {}) {
	return worker.fetch(
		new Request(`http://edgebook.test${path}`, init),
		{ ...env, ...vars } as never,
		createExecutionContext()
	);
}

describe('rate limit: a token bucket per token', () => {
	it('429 rate_limited with Retry-After once a token spends its minute; other tokens go on', async () => {
		const token = await otherWorkspaceToken('ws_rl', ['read']);
		const auth = { authorization: `Bearer ${token}` };
		for (let i = 0; i < 3; i++)
			expect((await withVars({ RATE_LIMIT_PER_MINUTE: '3' }, '/api/v1/me', { headers: auth })).status).toBe(
				200
			);
		const limited = await withVars({ RATE_LIMIT_PER_MINUTE: '3' }, '/api/v1/me', { headers: auth });
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		expect((await limited.json<ErrorJson>()).error.code).toBe('rate_limited');
		const other = await otherWorkspaceToken('ws_rl', ['read']);
		expect(
			(
				await withVars({ RATE_LIMIT_PER_MINUTE: '3' }, '/api/v1/me', {
					headers: { authorization: `Bearer ${other}` }
				})
			).status
		).toBe(200);
	});

	it('refills at the per-minute rate', () => {
		const bucket = { tokens: 60, at: 0 };
		expect(takeFrom(bucket, 60, 0)).toBe(0);
		for (let i = 0; i < 59; i++) takeFrom(bucket, 60, 0);
		expect(takeFrom(bucket, 60, 0)).toBe(1);
		expect(takeFrom(bucket, 60, 1000)).toBe(0);
	});
});

describe('CORS: only listed origins', () => {
	const vars = { CORS_ORIGINS: 'https://app.example, https://other.example' };
	it("answers a listed origin's preflight without a token", async () => {
		const res = await withVars(vars, '/api/v1/runs', {
			method: 'OPTIONS',
			headers: {
				origin: 'https://app.example',
				'access-control-request-method': 'POST',
				'access-control-request-headers': 'authorization, content-type'
			}
		});
		expect(res.status).toBe(204);
		expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
		expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/);
	});

	it("adds the allow-origin header to a listed origin's answers, errors included", async () => {
		const ok = await withVars(vars, '/api/v1/me', {
			headers: { origin: 'https://other.example', authorization: `Bearer ${ADMIN}` }
		});
		expect(ok.headers.get('access-control-allow-origin')).toBe('https://other.example');
		const denied = await withVars(vars, '/api/v1/me', { headers: { origin: 'https://app.example' } });
		expect(denied.status).toBe(401);
		expect(denied.headers.get('access-control-allow-origin')).toBe('https://app.example');
	});

	it('gives other origins no CORS headers, and a preflight from them no pass', async () => {
		const pre = await withVars(vars, '/api/v1/runs', {
			method: 'OPTIONS',
			headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' }
		});
		expect(pre.headers.get('access-control-allow-origin')).toBeNull();
		expect(pre.status).toBe(401);
		const get = await withVars(vars, '/api/v1/me', {
			headers: { origin: 'https://evil.example', authorization: `Bearer ${ADMIN}` }
		});
		expect(get.status).toBe(200);
		expect(get.headers.get('access-control-allow-origin')).toBeNull();
	});

	it('is off by default (CORS_ORIGINS empty): same-origin calls need none', async () => {
		const res = await api('/api/v1/me', { headers: { origin: 'https://app.example' } });
		expect(res.status).toBe(200);
		expect(res.headers.get('access-control-allow-origin')).toBeNull();
	});
});
