import { describe, expect, it } from 'vitest';
import { experimentIdForName } from '../../../src/lib/contract';
import type { ErrorJson } from '../helpers';
import { api, ok } from './fixtures';

describe('/api/v1/experiments', () => {
	it('creates with the id derived from the name, lists, renames, soft-deletes and restores', async () => {
		const created = await ok<{ id: string; name: string; deletedAt: null }>('/api/v1/experiments', {
			method: 'POST',
			json: { name: '  penguins ' },
			status: 201
		});
		expect(created).toMatchObject({ id: experimentIdForName('penguins'), name: 'penguins', deletedAt: null });
		const id = created.id;
		expect(
			(await ok<{ experiments: { id: string }[] }>('/api/v1/experiments')).experiments.map((e) => e.id)
		).toEqual([id, experimentIdForName('Default')]); // every workspace has MLflow's Default (migration 0005)
		expect(await ok(`/api/v1/experiments/${id}`)).toMatchObject({ name: 'penguins' });
		expect(await ok(`/api/v1/experiments/${id}`, { method: 'PATCH', json: { name: 'birds' } })).toMatchObject(
			{ name: 'birds' }
		);
		const deleted = await ok<{ deletedAt: number | null }>(`/api/v1/experiments/${id}`, { method: 'DELETE' });
		expect(deleted.deletedAt).toBeTypeOf('number');
		expect(
			(await ok<{ experiments: { id: string }[] }>('/api/v1/experiments')).experiments.map((e) => e.id)
		).toEqual([experimentIdForName('Default')]);
		expect(
			(await ok<{ experiments: unknown[] }>('/api/v1/experiments?lifecycle=deleted')).experiments
		).toHaveLength(1);
		expect(await ok(`/api/v1/experiments/${id}/restore`, { method: 'POST' })).toMatchObject({
			deletedAt: null
		});
	});

	it('409 for a name that exists, naming it', async () => {
		await ok('/api/v1/experiments', { method: 'POST', json: { name: 'dup' }, status: 201 });
		const res = await api('/api/v1/experiments', { method: 'POST', json: { name: 'dup' } });
		expect(res.status).toBe(409);
		expect((await res.json<ErrorJson>()).error.message).toMatch(/"dup" already exists/);
		await ok('/api/v1/experiments', { method: 'POST', json: { name: 'other' }, status: 201 });
		const rename = await api(`/api/v1/experiments/${experimentIdForName('other')}`, {
			method: 'PATCH',
			json: { name: 'dup' }
		});
		expect(rename.status).toBe(409);
	});

	it('400 naming the field for a bad body, 404 for an unknown id, 400 for a malformed one', async () => {
		const res = await api('/api/v1/experiments', { method: 'POST', json: { name: '' } });
		expect(res.status).toBe(400);
		expect((await res.json<ErrorJson>()).error.message).toMatch(/^Invalid body: name:/);
		expect((await api('/api/v1/experiments/exp_nope')).status).toBe(404);
		const bad = await api('/api/v1/experiments/a.b');
		expect(bad.status).toBe(400);
		expect((await bad.json<ErrorJson>()).error.message).toMatch(/path parameter "id"/);
		expect((await api('/api/v1/experiments?lifecycle=gone')).status).toBe(400);
	});
});
