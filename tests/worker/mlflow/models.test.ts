import { describe, expect, it } from 'vitest';
import { otherWorkspaceToken } from '../registry-helpers';
import { fails, ml, newExperiment, newRun, ok } from './helpers';

type Version = { name: string; version: string; aliases: string[]; [k: string]: unknown };
type Model = {
	name: string;
	creation_timestamp: number;
	last_updated_timestamp: number;
	description: string;
	latest_versions: Version[];
	tags: { key: string; value: string }[];
	aliases: { alias: string; version: string }[];
};
const getModel = async (name: string) =>
	(await ok<{ registered_model: Model }>(ml('/registered-models/get', { query: { name } }))).registered_model;

async function modelWithVersion(name: string): Promise<string> {
	const run = await newRun(await newExperiment(`exp-${name}`));
	await ok(ml('/registered-models/create', { json: { name } }));
	await ok(ml('/model-versions/create', { json: { name, source: `runs:/${run}/model`, run_id: run } }));
	return run;
}

describe('registered-models/create, get, update, rename, delete', () => {
	it('returns the documented shape and refuses a second create', async () => {
		const res = await ok<{ registered_model: Model }>(
			ml('/registered-models/create', {
				json: { name: 'penguin-clf', description: 'classifies', tags: [{ key: 'team', value: 'birds' }] }
			})
		);
		expect(res.registered_model).toEqual({
			name: 'penguin-clf',
			creation_timestamp: expect.any(Number),
			last_updated_timestamp: expect.any(Number),
			description: 'classifies',
			latest_versions: [],
			tags: [{ key: 'team', value: 'birds' }],
			aliases: []
		});
		expect(await getModel('penguin-clf')).toEqual(res.registered_model);
		await fails(
			ml('/registered-models/create', { json: { name: 'penguin-clf' } }),
			400,
			'RESOURCE_ALREADY_EXISTS'
		);
		await fails(ml('/registered-models/create', { json: {} }), 400, 'INVALID_PARAMETER_VALUE');
		await fails(ml('/registered-models/create', { json: { name: '/bad' } }), 400, 'INVALID_PARAMETER_VALUE');
		await fails(ml('/registered-models/get', { query: { name: 'nope' } }), 404, 'RESOURCE_DOES_NOT_EXIST');
	});

	it('updates (PATCH), renames and deletes (DELETE)', async () => {
		await ok(ml('/registered-models/create', { json: { name: 'm-old' } }));
		await ok(ml('/registered-models/create', { json: { name: 'm-taken' } }));
		const upd = await ok<{ registered_model: Model }>(
			ml('/registered-models/update', { method: 'PATCH', json: { name: 'm-old', description: 'new text' } })
		);
		expect(upd.registered_model.description).toBe('new text');
		const ren = await ok<{ registered_model: Model }>(
			ml('/registered-models/rename', { json: { name: 'm-old', new_name: 'm-new' } })
		);
		expect(ren.registered_model.name).toBe('m-new');
		await fails(
			ml('/registered-models/rename', { json: { name: 'm-new', new_name: 'm-taken' } }),
			400,
			'RESOURCE_ALREADY_EXISTS'
		);
		await fails(
			ml('/registered-models/rename', { json: { name: 'nope', new_name: 'x' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
		expect(await ok(ml('/registered-models/delete', { method: 'DELETE', json: { name: 'm-new' } }))).toEqual(
			{}
		);
		await fails(ml('/registered-models/get', { query: { name: 'm-new' } }), 404, 'RESOURCE_DOES_NOT_EXIST');
		await fails(
			ml('/registered-models/delete', { method: 'DELETE', json: { name: 'm-new' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
	});
});

describe('registered-models/search, tags, get-latest-versions', () => {
	it('filters by name = and LIKE', async () => {
		for (const n of ['srch-a', 'srch-b', 'other-c'])
			await ok(ml('/registered-models/create', { json: { name: n } }));
		const names = async (filter: string) =>
			(
				await ok<{ registered_models: Model[] }>(ml('/registered-models/search', { query: { filter } }))
			).registered_models.map((m) => m.name);
		expect(await names("name LIKE 'srch-%'")).toEqual(['srch-a', 'srch-b']);
		expect(await names("name = 'other-c'")).toEqual(['other-c']);
		const page = await ok<{ registered_models: Model[]; next_page_token?: string }>(
			ml('/registered-models/search', { query: { filter: "name LIKE 'srch-%'", max_results: '1' } })
		);
		expect(page.registered_models).toHaveLength(1);
		expect(page.next_page_token).toBeTruthy();
		await fails(
			ml('/registered-models/search', { query: { filter: 'metrics.x > 1' } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
	});

	it('sets and deletes tags', async () => {
		await ok(ml('/registered-models/create', { json: { name: 'tagged-m' } }));
		await ok(ml('/registered-models/set-tag', { json: { name: 'tagged-m', key: 'k', value: 'v' } }));
		expect((await getModel('tagged-m')).tags).toEqual([{ key: 'k', value: 'v' }]);
		await ok(ml('/registered-models/delete-tag', { method: 'DELETE', json: { name: 'tagged-m', key: 'k' } }));
		expect((await getModel('tagged-m')).tags).toEqual([]);
		await fails(
			ml('/registered-models/delete-tag', { method: 'DELETE', json: { name: 'tagged-m', key: 'k' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
		await fails(
			ml('/registered-models/set-tag', { json: { name: 'nope', key: 'k', value: 'v' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
	});

	it('answers the newest version as the latest, whatever the stages asked (POST and GET)', async () => {
		await modelWithVersion('latest-m');
		await ok(
			ml('/model-versions/create', { json: { name: 'latest-m', source: 'mlflow-artifacts:/x/model' } })
		);
		const post = await ok<{ model_versions: Version[] }>(
			ml('/registered-models/get-latest-versions', { json: { name: 'latest-m' } })
		);
		expect(post.model_versions.map((v) => v.version)).toEqual(['2']);
		const get = await ok<{ model_versions: Version[] }>(
			ml('/registered-models/get-latest-versions', { query: { name: 'latest-m', stages: 'None' } })
		);
		expect(get.model_versions.map((v) => v.version)).toEqual(['2']);
		expect((await getModel('latest-m')).latest_versions.map((v) => v.version)).toEqual(['2']);
	});
});

describe('registered-models/alias', () => {
	it('sets, reads by alias, lists on the model and deletes', async () => {
		await modelWithVersion('alias-m');
		expect(
			await ok(ml('/registered-models/alias', { json: { name: 'alias-m', alias: 'champion', version: '1' } }))
		).toEqual({});
		const { model_version } = await ok<{ model_version: Version }>(
			ml('/registered-models/alias', { query: { name: 'alias-m', alias: 'champion' } })
		);
		expect(model_version).toMatchObject({ name: 'alias-m', version: '1', aliases: ['champion'] });
		expect((await getModel('alias-m')).aliases).toEqual([{ alias: 'champion', version: '1' }]);
		await ok(
			ml('/registered-models/alias', { method: 'DELETE', json: { name: 'alias-m', alias: 'champion' } })
		);
		await fails(
			ml('/registered-models/alias', { query: { name: 'alias-m', alias: 'champion' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
	});

	it('refuses reserved aliases, unknown versions and tokens without deploy', async () => {
		await modelWithVersion('alias-bad');
		for (const alias of ['latest', 'v1'])
			await fails(
				ml('/registered-models/alias', { json: { name: 'alias-bad', alias, version: '1' } }),
				400,
				'INVALID_PARAMETER_VALUE'
			);
		await fails(
			ml('/registered-models/alias', { json: { name: 'alias-bad', alias: 'a', version: '9' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
		await fails(
			ml('/registered-models/alias', { json: { name: 'alias-bad', alias: 'a', version: 'one' } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		const writer = await otherWorkspaceToken('local', ['read', 'write']);
		await fails(
			ml('/registered-models/alias', {
				json: { name: 'alias-bad', alias: 'prod', version: '1' },
				token: writer
			}),
			403,
			'PERMISSION_DENIED'
		);
		const deployer = await otherWorkspaceToken('local', ['deploy']);
		await ok(
			ml('/registered-models/alias', {
				json: { name: 'alias-bad', alias: 'prod', version: '1' },
				token: deployer
			})
		);
	});
});
