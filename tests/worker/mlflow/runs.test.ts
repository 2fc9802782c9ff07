import { describe, expect, it } from 'vitest';
import { fails, ml, newExperiment, newRun, ok } from './helpers';

type KV = { key: string; value: string };
type Run = {
	info: Record<string, unknown> & { run_id: string; status: string; lifecycle_stage: string };
	data: {
		metrics: { key: string; value: number | string; timestamp: number; step: number }[];
		params: KV[];
		tags: KV[];
	};
	inputs: Record<string, unknown>;
};
const getRun = async (id: string) => (await ok<{ run: Run }>(ml('/runs/get', { query: { run_id: id } }))).run;

describe('runs/create and runs/get', () => {
	it('returns the documented run shape', async () => {
		const exp = await newExperiment('runs-shape');
		const { run } = await ok<{ run: Run }>(
			ml('/runs/create', {
				json: {
					experiment_id: exp,
					run_name: 'first',
					start_time: 1_700_000_000_000,
					user_id: 'ada',
					tags: [{ key: 'mlflow.source.name', value: 'train.py' }]
				}
			})
		);
		const id = run.info.run_id;
		expect(id).toMatch(/^[0-9a-f]{32}$/);
		expect(run).toEqual({
			info: {
				run_id: id,
				run_uuid: id,
				run_name: 'first',
				experiment_id: exp,
				user_id: 'ada',
				status: 'RUNNING',
				start_time: 1_700_000_000_000,
				artifact_uri: `mlflow-artifacts:/${exp}/${id}/artifacts`,
				lifecycle_stage: 'active'
			},
			data: {
				metrics: [],
				params: [],
				tags: expect.arrayContaining([
					{ key: 'mlflow.runName', value: 'first' },
					{ key: 'mlflow.source.name', value: 'train.py' },
					{ key: 'mlflow.user', value: 'ada' }
				])
			},
			inputs: {}
		});
		expect(await getRun(id)).toEqual(run);
		// Older clients say run_uuid.
		expect((await ok<{ run: Run }>(ml('/runs/get', { query: { run_uuid: id } }))).run.info.run_id).toBe(id);
	});

	it('takes the name from the mlflow.runName tag, or makes one up', async () => {
		const exp = await newExperiment('runs-names');
		const tagged = await newRun(exp, { tags: [{ key: 'mlflow.runName', value: 'from-tag' }] });
		expect((await getRun(tagged)).info.run_name).toBe('from-tag');
		const unnamed = await newRun(exp);
		expect((await getRun(unnamed)).info.run_name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
	});

	it('refuses unknown experiments and runs, and bad input', async () => {
		await fails(ml('/runs/create', { json: { experiment_id: 'exp_nope' } }), 404, 'RESOURCE_DOES_NOT_EXIST');
		await fails(ml('/runs/get', { query: { run_id: 'nope' } }), 404, 'RESOURCE_DOES_NOT_EXIST');
		await fails(ml('/runs/get'), 400, 'INVALID_PARAMETER_VALUE');
		await fails(ml('/runs/create', { json: { experiment_id: 5 } }), 400, 'INVALID_PARAMETER_VALUE');
		await fails(
			ml('/runs/create', { json: { experiment_id: '0', start_time: 'yesterday' } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
	});

	it('creates runs in the default experiment "0"', async () => {
		const id = await newRun('0');
		expect((await getRun(id)).info.experiment_id).toMatch(/^exp_/);
	});
});

describe('runs/update, delete, restore, set-tag, delete-tag', () => {
	it('ends a run and answers run_info', async () => {
		const id = await newRun(await newExperiment('runs-update'));
		const res = await ok<{ run_info: Run['info'] }>(
			ml('/runs/update', {
				json: { run_id: id, status: 'FINISHED', end_time: 1_700_000_100_000, run_name: 'done' }
			})
		);
		expect(res.run_info).toMatchObject({
			run_id: id,
			status: 'FINISHED',
			end_time: 1_700_000_100_000,
			run_name: 'done'
		});
		await fails(ml('/runs/update', { json: { run_id: id, status: 'DONE' } }), 400, 'INVALID_PARAMETER_VALUE');
		await fails(
			ml('/runs/update', { json: { run_id: 'nope', status: 'FAILED' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
	});

	it('maps KILLED to cancelled and back', async () => {
		const id = await newRun(await newExperiment('runs-killed'));
		const res = await ok<{ run_info: Run['info'] }>(
			ml('/runs/update', { json: { run_id: id, status: 'KILLED' } })
		);
		expect(res.run_info.status).toBe('KILLED');
		expect(typeof res.run_info.end_time).toBe('number');
	});

	it('deletes and restores', async () => {
		const id = await newRun(await newExperiment('runs-bin'));
		expect(await ok(ml('/runs/delete', { json: { run_id: id } }))).toEqual({});
		expect((await getRun(id)).info.lifecycle_stage).toBe('deleted');
		// A deleted run takes no more data, as in MLflow.
		await fails(
			ml('/runs/log-parameter', { json: { run_id: id, key: 'k', value: 'v' } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		expect(await ok(ml('/runs/restore', { json: { run_id: id } }))).toEqual({});
		expect((await getRun(id)).info.lifecycle_stage).toBe('active');
		await fails(ml('/runs/delete', { json: { run_id: 'nope' } }), 404, 'RESOURCE_DOES_NOT_EXIST');
	});

	it('sets, overwrites and deletes tags; mlflow.runName renames', async () => {
		const id = await newRun(await newExperiment('runs-tags'));
		await ok(ml('/runs/set-tag', { json: { run_id: id, key: 'k', value: '1' } }));
		await ok(ml('/runs/set-tag', { json: { run_id: id, key: 'k', value: '2' } }));
		await ok(ml('/runs/set-tag', { json: { run_id: id, key: 'mlflow.runName', value: 'renamed' } }));
		const run = await getRun(id);
		expect(run.data.tags).toContainEqual({ key: 'k', value: '2' });
		expect(run.info.run_name).toBe('renamed');
		await ok(ml('/runs/delete-tag', { json: { run_id: id, key: 'k' } }));
		expect((await getRun(id)).data.tags.map((t) => t.key)).not.toContain('k');
		await fails(ml('/runs/delete-tag', { json: { run_id: id, key: 'k' } }), 404, 'RESOURCE_DOES_NOT_EXIST');
		await fails(ml('/runs/set-tag', { json: { run_id: id, key: 'k' } }), 400, 'INVALID_PARAMETER_VALUE');
	});
});
