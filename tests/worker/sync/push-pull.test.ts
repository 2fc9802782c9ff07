import { describe, expect, it } from 'vitest';
import type { PullResponse, PushResponse } from '../../../src/lib/contract';
import { api, envelope, experiment, otherWorkspaceToken, runCreate } from '../registry-helpers';
import type { ErrorJson } from '../helpers';

const push = (clientId: string, mutations: unknown[], token?: string | null) =>
	api('/api/v1/sync/push', { method: 'POST', json: { clientId, mutations }, token });

describe('sync push: each mutation exactly once, in order per client', () => {
	it('applies, then answers a repeated push as duplicates without writing twice', async () => {
		const batch = [
			envelope(1, experiment()),
			envelope(2, runCreate('run_a', 'exp_penguins', { lr: '0.01' })),
			envelope(3, {
				type: 'run.log',
				runId: 'run_a',
				metrics: [
					{ key: 'loss', value: 0.5, step: 0, timestamp: 1 },
					{ key: 'loss', value: 0.4, step: 1, timestamp: 2 }
				],
				params: [{ key: 'lr', value: '0.01' }],
				tags: [{ key: 'k', value: 'v' }]
			})
		];
		const first = await push('c1', batch);
		expect(first.status).toBe(200);
		const a = await first.json<PushResponse>();
		expect(a.results.map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied']);
		expect(a.lastSeq).toBe(3);

		const again = await (await push('c1', batch)).json<PushResponse>();
		expect(again.results.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate', 'duplicate']);

		const pulled = await (await api('/api/v1/sync/pull?cursor=0')).json<PullResponse>();
		// The workspace's Default experiment (made with the workspace) comes first, then this client's writes.
		expect(pulled.changes.map((ch) => [ch.mutationId, ch.mutation.type])).toEqual([
			['default-experiment', 'experiment.create'],
			[batch[0].id, 'experiment.create'],
			[batch[1].id, 'run.create'],
			[batch[2].id, 'run.log']
		]);
		const logged = await (await api('/api/v1/sync/pull?cursor=0&exclude=c1')).json<PullResponse>();
		expect(logged.changes.map((ch) => ch.mutationId)).toEqual(['default-experiment']);
		expect(logged.cursor).toBe(pulled.cursor);
	});

	it('refuses a gap with 409 and the sequence it expects', async () => {
		const res = await push('c2', [envelope(2, experiment('gap'))]);
		expect(res.status).toBe(409);
		const body = await res.json<ErrorJson>();
		expect(body.error.code).toBe('out_of_order');
		expect(body.error.details).toEqual({ expectedSeq: 1 });
	});

	it('rejects a changed param for good and moves on, so the outbox is never stuck', async () => {
		const res = await push('c3', [
			envelope(1, experiment('imm')),
			envelope(2, runCreate('run_imm', 'exp_imm', { lr: '0.1' })),
			envelope(3, {
				type: 'run.log',
				runId: 'run_imm',
				metrics: [],
				params: [{ key: 'lr', value: '0.2' }],
				tags: []
			}),
			envelope(4, { type: 'run.update', runId: 'run_imm', status: 'finished', endedAt: 5 })
		]);
		const body = await res.json<PushResponse>();
		expect(body.results.map((r) => r.outcome)).toEqual(['applied', 'applied', 'rejected', 'applied']);
		expect(body.results[2].error?.message).toMatch(/immutable/);
	});

	it('a token of another workspace neither sees nor touches these changes', async () => {
		const other = await otherWorkspaceToken('ws_iso');
		const pulled = await (await api('/api/v1/sync/pull?cursor=0', { token: other })).json<PullResponse>();
		expect(pulled.changes.map((ch) => ch.mutationId)).toEqual(['default-experiment']);
		// The same run id in another workspace is another run: its log cannot reach ours.
		const res = await push(
			'c9',
			[envelope(1, { type: 'run.log', runId: 'run_a', metrics: [], params: [], tags: [] })],
			other
		);
		expect((await res.json<PushResponse>()).results[0].error?.code).toBe('not_found');
	});

	it('needs a token', async () => {
		const res = await push('c1', [envelope(1, experiment())], null);
		expect(res.status).toBe(401);
	});
});
