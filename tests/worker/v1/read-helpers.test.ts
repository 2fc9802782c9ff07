import { describe, expect, it } from 'vitest';
import { experimentIdForName, type Mutation, type MutationOf } from '../../../src/lib/contract';
import { applyMutation } from '../../../workers/registry/apply';
import { getExperiment, listExperiments } from '../../../workers/registry/read-experiments';
import { latestMetrics, metricHistory } from '../../../workers/registry/read-metrics';
import { getModel, getVersionByAlias, listModelVersions } from '../../../workers/registry/read-models';
import { decodeRunCursor, encodeRunCursor, getRun, listRuns } from '../../../workers/registry/read-runs';
import { testEnv } from '../helpers';
import { experiment, runCreate } from '../registry-helpers';

let n = 0;
async function apply(mutation: Mutation, workspaceId = 'local') {
	const out = await applyMutation({
		db: testEnv.DB,
		workspaceId,
		mutationId: `rh${++n}`,
		clientId: null,
		clientSeq: null,
		at: 1_700_000_000_000 + n,
		mutation
	});
	expect(out.outcome).toBe('applied');
	return out;
}

describe('read helpers map D1 rows to the contract wire shapes', () => {
	it('experiments, runs with params and tags, metrics, models', async () => {
		await apply(experiment());
		await apply(runCreate('r1', 'exp_penguins', { lr: '0.1' }));
		const r2 = runCreate('r2') as MutationOf<'run.create'>;
		await apply({ ...r2, run: { ...r2.run, startedAt: 1_700_000_000_500 } });
		await apply({
			type: 'run.log',
			runId: 'r1',
			metrics: [
				{ key: 'loss', value: 0.5, step: 1, timestamp: 10 },
				{ key: 'loss', value: 0.9, step: 0, timestamp: 20 },
				{ key: 'acc', value: 0.7, step: 0, timestamp: 5 }
			],
			params: [],
			tags: [{ key: 'k', value: 'v' }]
		});
		expect(await getExperiment(testEnv.DB, 'local', 'exp_penguins')).toMatchObject({
			name: 'penguins',
			deletedAt: null
		});
		// With the Default experiment every workspace has from its creation (migration 0005).
		expect((await listExperiments(testEnv.DB, 'local')).map((e) => e.id)).toEqual([
			experimentIdForName('Default'),
			'exp_penguins'
		]);
		expect(await getExperiment(testEnv.DB, 'other', 'exp_penguins')).toBeNull();

		const r1 = await getRun(testEnv.DB, 'local', 'r1');
		expect(r1).toMatchObject({ params: { lr: '0.1' }, tags: { k: 'v' }, status: 'running', lineage: null });
		const page = await listRuns(testEnv.DB, 'local', { limit: 1 });
		expect(page.runs.map((r) => r.id)).toEqual(['r2']);
		const cursor = decodeRunCursor(encodeRunCursor(page.next!));
		const rest = await listRuns(testEnv.DB, 'local', { limit: 1, after: cursor });
		expect(rest.runs.map((r) => r.id)).toEqual(['r1']);
		expect(rest.next).toBeNull();

		expect((await metricHistory(testEnv.DB, 'local', 'r1', 'loss')).map((p) => p.value)).toEqual([0.9, 0.5]);
		expect(await latestMetrics(testEnv.DB, 'local', 'r1')).toEqual([
			{ key: 'acc', step: 0, timestamp: 5, value: 0.7 },
			{ key: 'loss', step: 1, timestamp: 10, value: 0.5 }
		]);

		await apply({ type: 'model.create', name: 'm' });
		await apply({
			type: 'model.version.create',
			id: 'v1id',
			modelName: 'm',
			sourceRunId: 'r1',
			artifactSha256: null,
			signature: null,
			tags: [{ key: 't', value: '1' }]
		});
		await apply({ type: 'model.alias.set', modelName: 'm', alias: 'champion', ref: { version: 1 } });
		expect(await getModel(testEnv.DB, 'local', 'm')).toMatchObject({
			latestVersion: 1,
			aliases: { champion: 1 }
		});
		expect((await listModelVersions(testEnv.DB, 'local', 'm'))[0]).toMatchObject({
			version: 1,
			tags: { t: '1' }
		});
		expect((await getVersionByAlias(testEnv.DB, 'local', 'm', 'champion'))?.id).toBe('v1id');
	});
});
