import { describe, expect, it } from 'vitest';
import { otherWorkspaceToken } from '../registry-helpers';
import { api, ok } from './fixtures';

type Created = { workspace: { id: string; name: string }; token: { scopes: string[] }; secret: string };

describe('workspaces', () => {
	it('an install admin creates a workspace with a first admin token that lives only there', async () => {
		const made = await ok<Created>('/api/v1/workspaces', {
			method: 'POST',
			json: { id: 'team-a', name: 'Team A' },
			status: 201
		});
		expect(made.workspace).toMatchObject({ id: 'team-a', name: 'Team A' });
		expect(made.token.scopes).toEqual(['admin']);
		expect(await ok('/api/v1/me', { token: made.secret })).toMatchObject({ workspaceId: 'team-a' });
		expect(await ok('/api/v1/workspaces/current', { token: made.secret })).toMatchObject({ id: 'team-a' });
		// Its admin renames it, but cannot see or create other workspaces.
		await ok('/api/v1/workspaces/current', {
			method: 'PATCH',
			json: { name: 'Team A (ML)' },
			token: made.secret
		});
		expect((await api('/api/v1/workspaces', { token: made.secret })).status).toBe(403);
		const res = await api('/api/v1/workspaces', {
			method: 'POST',
			json: { id: 'team-b', name: 'B' },
			token: made.secret
		});
		expect(res.status).toBe(403);
		const list = await ok<{ workspaces: { id: string; name: string }[] }>('/api/v1/workspaces');
		expect(list.workspaces.map((w) => w.id)).toEqual(expect.arrayContaining(['local', 'team-a']));
		expect(list.workspaces.find((w) => w.id === 'team-a')?.name).toBe('Team A (ML)');
	});

	it.each([
		[{ id: 'local', name: 'again' }, 409, 'conflict'],
		[{ id: 'Upper', name: 'x' }, 400, 'invalid_request'],
		[{ id: 'a', name: 'too short an id' }, 400, 'invalid_request'],
		[{ id: 'ok-id', name: '' }, 400, 'invalid_request'],
		[{ id: 'ok-id', name: 'x', extra: 1 }, 400, 'invalid_request'],
		['not an object', 400, 'invalid_request']
	])('POST %j → %i %s, and nothing is created', async (json, status, code) => {
		const before = await ok<{ workspaces: unknown[] }>('/api/v1/workspaces');
		const res = await api('/api/v1/workspaces', { method: 'POST', json });
		expect(res.status).toBe(status);
		expect((await res.json<{ error: { code: string } }>()).error.code).toBe(code);
		expect((await ok<{ workspaces: unknown[] }>('/api/v1/workspaces')).workspaces).toHaveLength(
			before.workspaces.length
		);
	});

	it('a read-only token reads its workspace but cannot rename it', async () => {
		const reader = await otherWorkspaceToken('local', ['read']);
		expect(await ok('/api/v1/workspaces/current', { token: reader })).toMatchObject({ id: 'local' });
		expect(
			(await api('/api/v1/workspaces/current', { method: 'PATCH', json: { name: 'x' }, token: reader }))
				.status
		).toBe(403);
		expect((await api('/api/v1/workspaces', { token: reader })).status).toBe(403);
	});
});
