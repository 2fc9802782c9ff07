import { describe, expect, it } from 'vitest';
import { experimentIdForName } from '../../../src/lib/contract';
import { fails, ml, newExperiment, ok } from './helpers';

type Experiment = {
	experiment_id: string;
	name: string;
	artifact_location: string;
	lifecycle_stage: string;
	last_update_time: number;
	creation_time: number;
	tags: { key: string; value: string }[];
};
const get = (id: string) =>
	ok<{ experiment: Experiment }>(ml('/experiments/get', { query: { experiment_id: id } }));

describe('experiments/create, get, get-by-name', () => {
	it('returns the id as a string and reads back the documented record', async () => {
		const res = await ok<{ experiment_id: string }>(
			ml('/experiments/create', { json: { name: 'penguins', tags: [{ key: 'team', value: 'birds' }] } })
		);
		expect(res).toEqual({ experiment_id: experimentIdForName('penguins') });
		const { experiment } = await get(res.experiment_id);
		expect(experiment).toEqual({
			experiment_id: res.experiment_id,
			name: 'penguins',
			artifact_location: `mlflow-artifacts:/${res.experiment_id}`,
			lifecycle_stage: 'active',
			last_update_time: expect.any(Number),
			creation_time: expect.any(Number),
			tags: [{ key: 'team', value: 'birds' }]
		});
		const byName = await ok<{ experiment: Experiment }>(
			ml('/experiments/get-by-name', { query: { experiment_name: 'penguins' } })
		);
		expect(byName.experiment.experiment_id).toBe(res.experiment_id);
	});

	it('refuses a second experiment with the same name: RESOURCE_ALREADY_EXISTS', async () => {
		await newExperiment('twice');
		await fails(ml('/experiments/create', { json: { name: 'twice' } }), 400, 'RESOURCE_ALREADY_EXISTS');
	});

	it('answers unknown ids and names with RESOURCE_DOES_NOT_EXIST', async () => {
		await fails(
			ml('/experiments/get', { query: { experiment_id: 'exp_nope' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
		await fails(
			ml('/experiments/get-by-name', { query: { experiment_name: 'nope' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
	});

	it('needs experiment_id and experiment_name', async () => {
		await fails(ml('/experiments/get'), 400, 'INVALID_PARAMETER_VALUE');
		await fails(ml('/experiments/get-by-name'), 400, 'INVALID_PARAMETER_VALUE');
		await fails(ml('/experiments/create', { json: { name: '  ' } }), 400, 'INVALID_PARAMETER_VALUE');
	});

	it('knows MLflow\'s default experiment "0"', async () => {
		const { experiment } = await get('0');
		expect(experiment.name).toBe('Default');
	});
});

describe('experiments/update, delete, restore, tags', () => {
	it('renames, and refuses a name in use', async () => {
		const id = await newExperiment('old-name');
		await newExperiment('taken');
		expect(
			await ok(ml('/experiments/update', { json: { experiment_id: id, new_name: 'new-name' } }))
		).toEqual({});
		expect((await get(id)).experiment.name).toBe('new-name');
		await fails(
			ml('/experiments/update', { json: { experiment_id: id, new_name: 'taken' } }),
			400,
			'RESOURCE_ALREADY_EXISTS'
		);
		await fails(ml('/experiments/update', { json: { experiment_id: id } }), 400, 'INVALID_PARAMETER_VALUE');
	});

	it('deletes and restores (lifecycle_stage)', async () => {
		const id = await newExperiment('bin');
		expect(await ok(ml('/experiments/delete', { json: { experiment_id: id } }))).toEqual({});
		expect((await get(id)).experiment.lifecycle_stage).toBe('deleted');
		expect(await ok(ml('/experiments/restore', { json: { experiment_id: id } }))).toEqual({});
		expect((await get(id)).experiment.lifecycle_stage).toBe('active');
		await fails(
			ml('/experiments/delete', { json: { experiment_id: 'exp_x' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
	});

	it('sets and deletes experiment tags', async () => {
		const id = await newExperiment('tagged');
		await ok(ml('/experiments/set-experiment-tag', { json: { experiment_id: id, key: 'a', value: '1' } }));
		await ok(ml('/experiments/set-experiment-tag', { json: { experiment_id: id, key: 'a', value: '2' } }));
		expect((await get(id)).experiment.tags).toEqual([{ key: 'a', value: '2' }]);
		await ok(ml('/experiments/delete-tag', { json: { experiment_id: id, key: 'a' } }));
		expect((await get(id)).experiment.tags).toEqual([]);
		await fails(
			ml('/experiments/set-experiment-tag', { json: { experiment_id: id, key: '../x', value: '1' } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
	});
});

describe('experiments/search', () => {
	it('filters by name (= and LIKE), by view_type, and pages', async () => {
		for (const n of ['s-alpha', 's-beta', 's-gamma']) await newExperiment(n);
		const gone = await newExperiment('s-deleted');
		await ok(ml('/experiments/delete', { json: { experiment_id: gone } }));
		const names = (b: { experiments: Experiment[] }) => b.experiments.map((e) => e.name).sort();

		const eq = await ok<{ experiments: Experiment[] }>(
			ml('/experiments/search', { json: { filter: "name = 's-beta'" } })
		);
		expect(names(eq)).toEqual(['s-beta']);
		const like = await ok<{ experiments: Experiment[] }>(
			ml('/experiments/search', { json: { filter: "name LIKE 's-%'" } })
		);
		expect(names(like)).toEqual(['s-alpha', 's-beta', 's-gamma']);
		const deleted = await ok<{ experiments: Experiment[] }>(
			ml('/experiments/search', { json: { filter: "name LIKE 's-%'", view_type: 'DELETED_ONLY' } })
		);
		expect(names(deleted)).toEqual(['s-deleted']);
		const all = await ok<{ experiments: Experiment[] }>(
			ml('/experiments/search', { json: { filter: "name LIKE 's-%'", view_type: 'ALL' } })
		);
		expect(all.experiments).toHaveLength(4);

		const first = await ok<{ experiments: Experiment[]; next_page_token?: string }>(
			ml('/experiments/search', {
				json: { filter: "name LIKE 's-%'", max_results: 2, order_by: ['name ASC'] }
			})
		);
		expect(first.experiments.map((e) => e.name)).toEqual(['s-alpha', 's-beta']);
		expect(typeof first.next_page_token).toBe('string');
		const second = await ok<{ experiments: Experiment[]; next_page_token?: string }>(
			ml('/experiments/search', {
				json: {
					filter: "name LIKE 's-%'",
					max_results: 2,
					order_by: ['name ASC'],
					page_token: first.next_page_token
				}
			})
		);
		expect(second.experiments.map((e) => e.name)).toEqual(['s-gamma']);
		expect(second.next_page_token).toBeUndefined();
	});

	it('refuses what it does not support with INVALID_PARAMETER_VALUE', async () => {
		for (const json of [
			{ filter: "name = 'a' OR name = 'b'" },
			{ filter: 'metrics.acc > 1' },
			{ filter: 'name = unquoted' },
			{ view_type: 'SOME' },
			{ max_results: 0 },
			{ page_token: 'garbage' }
		])
			await fails(ml('/experiments/search', { json }), 400, 'INVALID_PARAMETER_VALUE');
	});
});
