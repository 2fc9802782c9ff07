import { applyD1Migrations } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { experimentIdForName, type PullResponse } from '../../src/lib/contract';
import { testEnv } from './helpers';
import { api, otherWorkspaceToken } from './registry-helpers';

const DEFAULT_ID = experimentIdForName('Default');

/** Puts this file's database back to how it was before migration 0005, so the migration runs on real data. */
async function undo0005() {
	const db = testEnv.DB;
	await db.batch(
		[
			'DROP TRIGGER workspace_defaults',
			'DROP TRIGGER mutations_ws_seq',
			'DROP INDEX mutations_ws_seq',
			'DROP INDEX mutations_feed',
			'ALTER TABLE mutations DROP COLUMN ws_seq',
			'CREATE INDEX mutations_feed ON mutations (workspace_id, outcome, seq)',
			`DELETE FROM meta WHERE key = 'feed_legacy_max_seq'`,
			`DELETE FROM experiments WHERE id = '${DEFAULT_ID}'`,
			`DELETE FROM mutations WHERE mutation_id = 'default-experiment'`,
			`DELETE FROM d1_migrations WHERE name = '0005_workspace_defaults.sql'`
		].map((q) => db.prepare(q))
	);
}

const create = (name: string, token?: string) =>
	api('/api/v1/experiments', { method: 'POST', json: { name }, token });

describe('migration 0005 on an existing registry', () => {
	it('numbers each workspace’s log 1, 2, 3… in apply order and gives every workspace its Default', async () => {
		await undo0005();
		const a = await otherWorkspaceToken('mig_a');
		const b = await otherWorkspaceToken('mig_b');
		// Interleaved writes in the old, globally numbered log; mig_b made its Default on first use.
		for (const [name, token] of [
			['a0', a],
			['l0', undefined],
			['Default', b],
			['a1', a],
			['b1', b]
		] as const)
			expect((await create(name, token)).status).toBe(201);
		const maxBefore = (await testEnv.DB.prepare('SELECT MAX(seq) AS n FROM mutations').first<{
			n: number;
		}>())!.n;

		await applyD1Migrations(testEnv.DB, testEnv.TEST_MIGRATIONS);

		const { results } = await testEnv.DB.prepare(
			'SELECT workspace_id AS ws, ws_seq, mutation_id FROM mutations ORDER BY seq'
		).all<{ ws: string; ws_seq: number; mutation_id: string }>();
		for (const ws of ['local', 'mig_a', 'mig_b']) {
			const rows = results.filter((r) => r.ws === ws);
			expect(
				rows.map((r) => r.ws_seq),
				ws
			).toEqual(rows.map((_, i) => i + 1));
		}
		// A Default made before keeps its one creation; the others get theirs, after what they already had.
		const defaults = results.filter((r) => r.mutation_id === 'default-experiment').map((r) => r.ws);
		expect(defaults.sort()).toEqual(['local', 'mig_a']);
		const { results: exps } = await testEnv.DB.prepare(
			'SELECT workspace_id FROM experiments WHERE id = ? ORDER BY workspace_id'
		)
			.bind(DEFAULT_ID)
			.all<{ workspace_id: string }>();
		expect(exps.map((e) => e.workspace_id)).toEqual(['local', 'mig_a', 'mig_b']);
		expect(
			await testEnv.DB.prepare(`SELECT value FROM meta WHERE key = 'feed_legacy_max_seq'`).first()
		).toEqual({ value: String(maxBefore) });

		// The feed answers in the new numbering, and a workspace created later gets its Default too.
		const feed = await (await api('/api/v1/sync/pull?cursor=0', { token: a })).json<PullResponse>();
		expect(feed.changes.map((ch) => ch.seq)).toEqual([1, 2, 3]);
		expect(feed.cursor).toBe('w3');
		const c = await otherWorkspaceToken('mig_c');
		const fresh = await (await api('/api/v1/sync/pull', { token: c })).json<PullResponse>();
		expect(fresh.changes.map((ch) => [ch.seq, ch.mutationId])).toEqual([[1, 'default-experiment']]);
	});
});
