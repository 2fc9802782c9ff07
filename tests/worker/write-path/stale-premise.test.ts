import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { applyMutation } from '../../../workers/registry/apply';

/**
 * A version created while its model is deleted: the planner saw the model, the delete lands before the batch.
 * The batch must write nothing (no orphan version under a model that no longer exists), and the mutation is
 * planned again, which answers not found.
 */
function deletedBeforeBatch(db: D1Database, model: string): D1Database {
	let deleted = false;
	return new Proxy(db, {
		get(target, prop) {
			if (prop === 'batch')
				return async (statements: D1PreparedStatement[]) => {
					if (!deleted) {
						deleted = true;
						await target
							.prepare("DELETE FROM registered_models WHERE workspace_id = 'local' AND name = ?")
							.bind(model)
							.run();
					}
					return target.batch(statements);
				};
			const v = Reflect.get(target, prop) as unknown;
			return typeof v === 'function' ? v.bind(target) : v;
		}
	});
}

const apply = (db: D1Database, mutation: Parameters<typeof applyMutation>[0]['mutation'], id: string) =>
	applyMutation({
		db,
		workspaceId: 'local',
		mutationId: id,
		clientId: null,
		clientSeq: null,
		at: Date.now(),
		mutation
	});

describe('a version whose model is deleted between plan and write', () => {
	it('writes nothing and answers not found', async () => {
		const db = (env as Env).DB;
		expect((await apply(db, { type: 'model.create', name: 'vanishing' }, 'stale-1')).outcome).toBe('applied');
		const out = await apply(
			deletedBeforeBatch(db, 'vanishing'),
			{
				type: 'model.version.create',
				modelName: 'vanishing',
				id: 'verstalepremise',
				sourceRunId: null,
				artifactSha256: null,
				signature: null
			},
			'stale-2'
		);
		expect(out).toMatchObject({ outcome: 'rejected', status: 404, code: 'not_found' });
		const orphans = await db
			.prepare(
				"SELECT count(*) AS n FROM model_versions WHERE workspace_id = 'local' AND model_name = 'vanishing'"
			)
			.first<{ n: number }>();
		expect(orphans?.n).toBe(0);
	});
});
