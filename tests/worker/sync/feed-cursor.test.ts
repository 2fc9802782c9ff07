import { describe, expect, it } from 'vitest';
import type { PullResponse } from '../../../src/lib/contract';
import { testEnv, type ErrorJson } from '../helpers';
import { api, experiment, otherWorkspaceToken } from '../registry-helpers';

/** A write through /api/v1 (any door lands in the same log). */
const create = (name: string, token?: string) =>
	api('/api/v1/experiments', { method: 'POST', json: { name }, token });

async function pull(cursor: string | number, token?: string): Promise<PullResponse> {
	const res = await api(`/api/v1/sync/pull?cursor=${cursor}`, { token });
	expect(res.status, await res.clone().text()).toBe(200);
	return res.json<PullResponse>();
}

const globalSeq = async (workspace: string, name: string) =>
	(await testEnv.DB.prepare(
		`SELECT seq FROM mutations WHERE workspace_id = ? AND type = 'experiment.create' AND body LIKE ?`
	)
		.bind(workspace, `%"name":"${name}"%`)
		.first<{ seq: number }>())!.seq;

describe('the change feed is numbered per workspace', () => {
	it('two workspaces writing interleaved each see 1, 2, 3… of their own writes only', async () => {
		const a = await otherWorkspaceToken('feed_a');
		const b = await otherWorkspaceToken('feed_b');
		for (let i = 0; i < 3; i++) {
			expect((await create(`a${i}`, a)).status).toBe(201);
			expect((await create(`b${i}`, b)).status).toBe(201);
			expect((await create(`b${i}x`, b)).status).toBe(201);
		}
		const feedA = await pull('w0', a);
		const feedB = await pull('w0', b);
		// Each workspace starts with its Default experiment, then its own writes, counted from 1 with no gaps.
		expect(feedA.changes.map((ch) => ch.seq)).toEqual([1, 2, 3, 4]);
		expect(feedA.cursor).toBe('w4');
		expect(feedB.changes.map((ch) => ch.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
		expect(feedB.cursor).toBe('w7');
		const names = (p: PullResponse) =>
			p.changes.map((ch) => (ch.mutation.type === 'experiment.create' ? ch.mutation.experiment.name : ''));
		expect(names(feedA)).toEqual(['Default', 'a0', 'a1', 'a2']);
		// Pulling after a cursor gives exactly what came later.
		const rest = await pull('w2', a);
		expect(names(rest)).toEqual(['a1', 'a2']);
		expect((await pull(feedA.cursor, a)).changes).toEqual([]);
		expect((await pull(feedA.cursor, a)).cursor).toBe(feedA.cursor);
	});

	it('every row of the log is numbered in its own workspace, rejected ones too', async () => {
		const c = await otherWorkspaceToken('feed_c');
		const d = await otherWorkspaceToken('feed_d');
		await create('taken', c);
		// A browser's refused mutation is logged (so its outbox moves on) and takes the next number of its workspace.
		const push = await api('/api/v1/sync/push', {
			method: 'POST',
			json: {
				clientId: 'cl1',
				mutations: [{ id: 'bad1', seq: 1, at: 1, mutation: experiment('taken', 'exp_x') }]
			},
			token: c
		});
		expect((await push.json<{ results: { outcome: string }[] }>()).results[0].outcome).toBe('rejected');
		await create('d0', d);
		await create('later', c);
		expect((await pull('w0', c)).changes.map((ch) => ch.seq)).toEqual([1, 2, 4]);
		expect((await pull('w0', d)).changes.map((ch) => ch.seq)).toEqual([1, 2]);
	});

	it('answers 400 naming the cursor when it is not one the registry gave', async () => {
		for (const bad of ['-1', 'abc', 'w', 'w-3', '1.5', 'w1e3', 'x12']) {
			const res = await api(`/api/v1/sync/pull?cursor=${bad}`);
			expect(res.status, bad).toBe(400);
			const body = await res.json<ErrorJson>();
			expect(body.error.code).toBe('invalid_request');
			expect(body.error.message).toContain('cursor');
		}
	});
});

describe('a cursor stored before per-workspace numbering (a plain global seq)', () => {
	it('is translated so nothing is skipped, and never reveals writes made since the migration', async () => {
		const e = await otherWorkspaceToken('legacy_e');
		const f = await otherWorkspaceToken('legacy_f');
		await create('e0', e);
		await create('f0', f);
		await create('e1', e);
		await create('f1', f);
		// As if migration 0005 ran now: every global seq so far was handed out to browsers as a cursor.
		await testEnv.DB.prepare(
			`UPDATE meta SET value = (SELECT CAST(MAX(seq) AS TEXT) FROM mutations) WHERE key = 'feed_legacy_max_seq'`
		).run();
		const e0 = await globalSeq('legacy_e', 'e0');
		// A browser that had pulled up to e0 (global numbering) continues with e1, now in per-workspace numbers.
		const page = await pull(e0, e);
		expect(page.changes.map((ch) => ch.mutationId)).toHaveLength(1);
		expect(page.changes[0].mutation).toMatchObject({ experiment: { name: 'e1' } });
		expect(page.cursor).toBe('w3');
		// A global seq past the last one before the migration reads as that last one: writes since are delivered,
		// and any higher number gives the same answer, so other workspaces' later writes cannot be counted.
		await create('f2', f);
		await create('e2', e);
		const f2 = await globalSeq('legacy_f', 'f2');
		const [justBefore, atF2, far] = await Promise.all([pull(f2 - 1, e), pull(f2, e), pull(1e12, e)]);
		expect(justBefore).toEqual(atF2);
		expect(far).toEqual(atF2);
		expect(far.changes.map((ch) => ch.mutation)).toMatchObject([{ experiment: { name: 'e2' } }]);
		expect(far.cursor).toBe('w4');
		// A fresh browser's 0 is the start.
		expect((await pull(0, e)).changes).toHaveLength(4);
	});
});
