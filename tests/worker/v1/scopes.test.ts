import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorJson } from '../helpers';
import { otherWorkspaceToken } from '../registry-helpers';
import { api, ok, seed, type Seeded } from './fixtures';

/** Tokens of the admin's own workspace (`local`) with fewer scopes. */
const localToken = (scopes: string[]) => otherWorkspaceToken('local', scopes);

describe('scopes', () => {
	let s: Seeded;
	beforeAll(async () => {
		s = await seed();
	});

	it('a read-only token reads but cannot write (403 naming the scope)', async () => {
		const read = await localToken(['read']);
		await ok(`/api/v1/runs/${s.runId}`, { token: read });
		await ok(`/api/v1/models/${s.model}`, { token: read });
		for (const [method, path, json] of [
			['POST', '/api/v1/experiments', { name: 'x' }],
			['POST', `/api/v1/runs/${s.runId}/log-batch`, {}],
			['DELETE', `/api/v1/runs/${s.runId}`, undefined],
			['PUT', `/api/v1/blobs/${s.sha}`, undefined],
			['POST', '/api/v1/models', { name: 'x' }]
		] as const) {
			const res = await api(path, { method, json, token: read });
			expect(res.status, `${method} ${path}`).toBe(403);
			const body = await res.json<ErrorJson>();
			expect(body.error).toMatchObject({
				code: 'forbidden',
				message: expect.stringMatching(/"write" scope/)
			});
		}
	});

	it('a write token cannot move an alias (needs deploy); a deploy token can', async () => {
		const write = await localToken(['read', 'write']);
		const res = await api(`/api/v1/models/${s.model}/aliases/prod`, {
			method: 'PUT',
			json: { version: 1 },
			token: write
		});
		expect(res.status).toBe(403);
		expect((await res.json<ErrorJson>()).error.message).toMatch(/"deploy" scope/);
		expect(
			(await api(`/api/v1/models/${s.model}/aliases/champion`, { method: 'DELETE', token: write })).status
		).toBe(403);
		const deploy = await localToken(['deploy']);
		await ok(`/api/v1/models/${s.model}/aliases/prod`, {
			method: 'PUT',
			json: { version: 1 },
			token: deploy
		});
	});

	it('only admins manage tokens', async () => {
		const write = await localToken(['read', 'write', 'deploy']);
		expect((await api('/api/v1/tokens', { token: write })).status).toBe(403);
		expect(
			(await api('/api/v1/tokens', { method: 'POST', json: { name: 'x', scopes: ['admin'] }, token: write }))
				.status
		).toBe(403);
		expect((await api('/api/v1/tokens/abcdefgh12345678', { method: 'DELETE', token: write })).status).toBe(
			403
		);
		// Any valid token may ask who it is.
		expect(await ok('/api/v1/me', { token: write })).toMatchObject({ scopes: ['read', 'write', 'deploy'] });
	});

	it('401 for a revoked token, an unknown one, and a malformed Authorization header', async () => {
		const created = await ok<{ token: { id: string }; secret: string }>('/api/v1/tokens', {
			method: 'POST',
			json: { name: 'r', scopes: ['read'] },
			status: 201
		});
		await ok(`/api/v1/tokens/${created.token.id}`, { method: 'DELETE' });
		const cases: [string, HeadersInit][] = [
			['revoked', { authorization: `Bearer ${created.secret}` }],
			['unknown', { authorization: `Bearer eb_abcdefgh12345678_${'x'.repeat(43)}` }],
			['wrong secret', { authorization: `Bearer ${created.secret.slice(0, -1)}y` }],
			['no scheme', { authorization: created.secret }],
			['basic', { authorization: 'Basic dXNlcjpwYXNz' }],
			['empty bearer', { authorization: 'Bearer ' }],
			['two words', { authorization: 'Bearer a b' }],
			['missing', {}]
		];
		for (const [what, headers] of cases) {
			const res = await api('/api/v1/experiments', { headers, token: null });
			expect(res.status, what).toBe(401);
			expect((await res.json<ErrorJson>()).error.code, what).toBe('unauthenticated');
		}
	});
});
