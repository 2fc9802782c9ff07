import { describe, expect, it } from 'vitest';
import { TOKEN_PATTERN } from '../../../src/lib/contract';
import { testEnv, type ErrorJson } from '../helpers';
import { otherWorkspaceToken } from '../registry-helpers';
import { api, ok } from './fixtures';

describe('/api/v1/me and /api/v1/tokens', () => {
	it('me answers who the token is', async () => {
		expect(await ok('/api/v1/me')).toEqual({ tokenId: 'env-admin', workspaceId: 'local', scopes: ['admin'] });
	});

	it('creates a token whose secret works once shown, stores only its hash, lists without hashes, revokes at once', async () => {
		const created = await ok<{ token: { id: string; scopes: string[] }; secret: string }>('/api/v1/tokens', {
			method: 'POST',
			json: { name: 'ci', scopes: ['read', 'read', 'write'] },
			status: 201
		});
		expect(created.secret).toMatch(TOKEN_PATTERN);
		expect(created.token.scopes).toEqual(['read', 'write']);
		const row = await testEnv.DB.prepare('SELECT secret_hash FROM tokens WHERE id = ?')
			.bind(created.token.id)
			.first<{ secret_hash: string }>();
		expect(row?.secret_hash).toMatch(/^[0-9a-f]{64}$/);
		expect(row?.secret_hash).not.toContain(created.secret);

		expect(await ok('/api/v1/me', { token: created.secret })).toMatchObject({
			tokenId: created.token.id,
			scopes: ['read', 'write']
		});
		const list = await api('/api/v1/tokens');
		const text = await list.text();
		expect(text).not.toMatch(/secret|hash/i);
		expect(JSON.parse(text).tokens.map((t: { id: string }) => t.id)).toContain(created.token.id);

		expect(await ok(`/api/v1/tokens/${created.token.id}`, { method: 'DELETE' })).toMatchObject({
			token: { revokedAt: expect.any(Number) }
		});
		const after = await api('/api/v1/me', { token: created.secret });
		expect(after.status).toBe(401);
		expect((await after.json<ErrorJson>()).error.code).toBe('unauthenticated');
	});

	it("an admin sees and revokes only its own workspace's tokens", async () => {
		const mine = await ok<{ token: { id: string } }>('/api/v1/tokens', {
			method: 'POST',
			json: { name: 'x', scopes: ['read'] },
			status: 201
		});
		const other = await otherWorkspaceToken('ws_tok', ['admin']);
		const theirs = await ok<{ tokens: { id: string; workspaceId: string }[] }>('/api/v1/tokens', {
			token: other
		});
		expect(theirs.tokens.every((t) => t.workspaceId === 'ws_tok')).toBe(true);
		await ok(`/api/v1/tokens/${mine.token.id}`, { method: 'DELETE', token: other, status: 404 });
		expect(
			await ok('/api/v1/me', {
				token: (
					await ok<{ secret: string }>('/api/v1/tokens', {
						method: 'POST',
						json: { name: 'y', scopes: ['read'] },
						status: 201
					})
				).secret
			})
		).toMatchObject({ workspaceId: 'local' });
	});

	it('400 for unknown scopes or an empty name', async () => {
		for (const json of [
			{ name: 'x', scopes: ['root'] },
			{ name: ' ', scopes: ['read'] },
			{ name: 'x', scopes: [] },
			{ name: 'x', scopes: ['read'], extra: 1 }
		])
			expect((await api('/api/v1/tokens', { method: 'POST', json })).status, JSON.stringify(json)).toBe(400);
		expect((await api('/api/v1/tokens/abc', { method: 'DELETE' })).status).toBe(400);
	});
});
