import { describe, expect, it } from 'vitest';
import { otherWorkspaceToken } from '../registry-helpers';
import { fails, ml, newExperiment, newRun, ok } from './helpers';

// Every read and write is keyed by the token's workspace: another workspace's token finds nothing here.
describe('another workspace sees nothing', () => {
	it('experiments, runs, metrics and models stay in their workspace', async () => {
		const exp = await newExperiment('iso-exp');
		const run = await newRun(exp);
		await ok(ml('/runs/log-metric', { json: { run_id: run, key: 'm', value: 1, timestamp: 1 } }));
		await ok(ml('/registered-models/create', { json: { name: 'iso-model' } }));
		const other = await otherWorkspaceToken('iso-ws');

		await fails(
			ml('/experiments/get', { query: { experiment_id: exp }, token: other }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
		await fails(ml('/runs/get', { query: { run_id: run }, token: other }), 404, 'RESOURCE_DOES_NOT_EXIST');
		await fails(
			ml('/metrics/get-history', { query: { run_id: run, metric_key: 'm' }, token: other }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
		await fails(
			ml('/registered-models/get', { query: { name: 'iso-model' }, token: other }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
		const found = await ok<{ experiments: { name: string }[] }>(
			ml('/experiments/search', { json: { view_type: 'ALL' }, token: other })
		);
		expect(found.experiments.map((e) => e.name)).not.toContain('iso-exp');
		const runs = await ok<{ runs: unknown[] }>(
			ml('/runs/search', { json: { experiment_ids: [exp] }, token: other })
		);
		expect(runs.runs).toEqual([]);
		const models = await ok<{ registered_models: unknown[] }>(
			ml('/registered-models/search', { token: other })
		);
		expect(models.registered_models).toEqual([]);

		// Writes cannot reach the other workspace's rows either; the same names there are new records.
		await fails(
			ml('/runs/log-metric', { json: { run_id: run, key: 'm', value: 2, timestamp: 2 }, token: other }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
		await ok(ml('/registered-models/create', { json: { name: 'iso-model' }, token: other }));
	});
});
