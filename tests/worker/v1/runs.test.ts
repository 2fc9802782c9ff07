import { beforeEach, describe, expect, it } from 'vitest';
import type { ErrorJson } from '../helpers';
import { api, ok } from './fixtures';

let exp = '';
beforeEach(async () => {
	exp = (
		await ok<{ id: string }>('/api/v1/experiments', {
			method: 'POST',
			json: { name: `e${Math.random()}` },
			status: 201
		})
	).id;
});

const create = (json: Record<string, unknown>, status = 201) =>
	ok<Record<string, unknown>>('/api/v1/runs', {
		method: 'POST',
		json: { experimentId: exp, ...json },
		status
	});
const log = (id: string, json: unknown) => api(`/api/v1/runs/${id}/log-batch`, { method: 'POST', json });

describe('/api/v1/runs', () => {
	it('creates a run (id generated when absent) and reads it back with latest metrics and artifacts', async () => {
		const run = await create({ name: 'a', params: { lr: '0.1' }, tags: { 'mlflow.note': 'x' } });
		expect(run).toMatchObject({
			experimentId: exp,
			name: 'a',
			status: 'running',
			params: { lr: '0.1' },
			deletedAt: null
		});
		expect(run.id).toMatch(/^[0-9a-f]{32}$/);
		expect(
			(
				await log(run.id as string, {
					metrics: [
						{ key: 'loss', value: 1, step: 0, timestamp: 1 },
						{ key: 'loss', value: 0.2, step: 2, timestamp: 2 },
						{ key: 'loss', value: 0.5, step: 1, timestamp: 3 }
					]
				})
			).status
		).toBe(200);
		const got = await ok<{ metrics: unknown[]; artifacts: unknown[] }>(`/api/v1/runs/${run.id}`);
		expect(got.metrics).toEqual([{ key: 'loss', value: 0.2, step: 2, timestamp: 2 }]);
		expect(got.artifacts).toEqual([]);
	});

	it('409 for an id that exists, 404 for an unknown experiment or parent', async () => {
		await create({ id: 'r_dup' });
		await create({ id: 'r_dup' }, 409);
		await ok('/api/v1/runs', { method: 'POST', json: { experimentId: 'exp_none' }, status: 404 });
		await create({ parentId: 'nope' }, 404);
	});

	it('lists newest first in pages, filtered by experiment and status', async () => {
		for (let i = 0; i < 5; i++) await create({ id: `p${i}`, startedAt: 1000 + i });
		await ok('/api/v1/runs/p4', { method: 'PATCH', json: { status: 'finished' } });
		const seen: string[] = [];
		let cursor: string | null = null;
		do {
			const q: string = `/api/v1/runs?experimentId=${exp}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
			const page: { runs: { id: string }[]; nextCursor: string | null } = await ok(q);
			seen.push(...page.runs.map((r) => r.id));
			cursor = page.nextCursor;
		} while (cursor);
		expect(seen).toEqual(['p4', 'p3', 'p2', 'p1', 'p0']);
		const finished = await ok<{ runs: { id: string }[] }>(`/api/v1/runs?experimentId=${exp}&status=finished`);
		expect(finished.runs.map((r) => r.id)).toEqual(['p4']);
		for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'status=done', 'cursor=zzz', 'nope=1'])
			expect((await api(`/api/v1/runs?${bad}`)).status, bad).toBe(400);
	});

	it('log-batch: params immutable (same value fine, another is 400 naming the key), tags overwritten, metrics appended', async () => {
		await create({ id: 'lb', params: { lr: '0.1' } });
		expect(
			(await log('lb', { params: [{ key: 'lr', value: '0.1' }], tags: [{ key: 't', value: '1' }] })).status
		).toBe(200);
		const clash = await log('lb', {
			params: [{ key: 'lr', value: '0.2' }],
			metrics: [{ key: 'm', value: 1, step: 0, timestamp: 1 }]
		});
		expect(clash.status).toBe(400);
		expect((await clash.json<ErrorJson>()).error.message).toMatch(/"lr".*immutable/);
		expect(
			(
				await log('lb', {
					tags: [{ key: 't', value: '2' }],
					metrics: [
						{ key: 'm', value: 2, step: 0, timestamp: 5 },
						{ key: 'm', value: 3, step: 0, timestamp: 4 }
					]
				})
			).status
		).toBe(200);
		const run = await ok<{ params: object; tags: object }>('/api/v1/runs/lb');
		expect(run.params).toEqual({ lr: '0.1' });
		expect(run.tags).toEqual({ t: '2' });
		// The rejected batch wrote nothing: its metric point is absent.
		const hist = await ok<{ points: { value: number }[] }>('/api/v1/runs/lb/metrics/m');
		expect(hist.points.map((p) => p.value)).toEqual([3, 2]);
	});

	it("log-batch limits are MLflow's: 1001 metrics, 101 params or 101 tags are 400", async () => {
		await create({ id: 'lim' });
		const m = (n: number) =>
			Array.from({ length: n }, (_, i) => ({ key: 'k', value: i, step: i, timestamp: 1 }));
		expect((await log('lim', { metrics: m(1000) })).status).toBe(200);
		expect((await log('lim', { metrics: m(1001) })).status).toBe(400);
		const kv = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v' }));
		expect((await log('lim', { params: kv(101) })).status).toBe(400);
		expect((await log('lim', { tags: kv(101) })).status).toBe(400);
		expect((await log('lim', { metrics: [{ key: 'k', value: 'NaN', step: 0, timestamp: 1 }] })).status).toBe(
			400
		);
		expect((await log('nope', {})).status).toBe(404);
	});

	it('metric keys with slashes; history ordered by step then timestamp', async () => {
		await create({ id: 'sl' });
		await log('sl', {
			metrics: [
				{ key: 'train/loss', value: 2, step: 1, timestamp: 1 },
				{ key: 'train/loss', value: 1, step: 0, timestamp: 9 }
			]
		});
		const hist = await ok<{ key: string; points: unknown[] }>('/api/v1/runs/sl/metrics/train/loss');
		expect(hist).toEqual({
			key: 'train/loss',
			points: [
				{ step: 0, timestamp: 9, value: 1 },
				{ step: 1, timestamp: 1, value: 2 }
			]
		});
		expect((await api('/api/v1/runs/sl/metrics/a//b')).status).toBe(400);
	});

	it('PATCH: ends a run once; a finished run cannot be re-ended or restarted (409)', async () => {
		await create({ id: 'st' });
		const ended = await ok<{ status: string; endedAt: number }>('/api/v1/runs/st', {
			method: 'PATCH',
			json: { status: 'finished', endedAt: 42, note: 'done' }
		});
		expect(ended).toMatchObject({ status: 'finished', endedAt: 42, note: 'done' });
		await ok('/api/v1/runs/st', { method: 'PATCH', json: { status: 'failed' }, status: 409 });
		await ok('/api/v1/runs/st', { method: 'PATCH', json: { status: 'running' }, status: 409 });
		await ok('/api/v1/runs/st', { method: 'PATCH', json: {}, status: 400 });
		await create({ id: 'st2' });
		await ok('/api/v1/runs/st2', { method: 'PATCH', json: { endedAt: 5 }, status: 400 });
	});

	it('soft delete, restore, tag delete', async () => {
		await create({ id: 'del', tags: { a: '1', 'x/y': '2' } });
		expect(await ok('/api/v1/runs/del', { method: 'DELETE' })).toMatchObject({
			deletedAt: expect.any(Number)
		});
		expect((await ok<{ runs: unknown[] }>(`/api/v1/runs?experimentId=${exp}`)).runs).toEqual([]);
		expect((await log('del', {})).status).toBe(400);
		expect(await ok('/api/v1/runs/del/restore', { method: 'POST' })).toMatchObject({ deletedAt: null });
		await ok('/api/v1/runs/del/tags/x/y', { method: 'DELETE' });
		await ok('/api/v1/runs/del/tags/x/y', { method: 'DELETE', status: 404 });
		expect((await ok<{ tags: object }>('/api/v1/runs/del')).tags).toEqual({ a: '1' });
	});
});
