import { describe, expect, it } from 'vitest';
import { fails, ml, newExperiment, newRun, ok } from './helpers';

type Version = Record<string, unknown> & { version: string; tags: { key: string; value: string }[] };

async function setup(name: string) {
	const exp = await newExperiment(`exp-${name}`);
	const run = await newRun(exp);
	await ok(ml('/registered-models/create', { json: { name } }));
	return { exp, run };
}
const getVersion = async (name: string, version: string) =>
	(await ok<{ model_version: Version }>(ml('/model-versions/get', { query: { name, version } })))
		.model_version;

describe('model-versions/create and get', () => {
	it('numbers versions as strings and returns the documented shape', async () => {
		const { run } = await setup('mv-shape');
		const res = await ok<{ model_version: Version }>(
			ml('/model-versions/create', {
				json: {
					name: 'mv-shape',
					source: `runs:/${run}/model`,
					run_id: run,
					description: 'first',
					tags: [{ key: 'k', value: 'v' }]
				}
			})
		);
		expect(res.model_version).toEqual({
			name: 'mv-shape',
			version: '1',
			creation_timestamp: expect.any(Number),
			last_updated_timestamp: expect.any(Number),
			current_stage: 'None',
			description: 'first',
			source: `runs:/${run}/model`,
			run_id: run,
			status: 'READY',
			tags: [{ key: 'k', value: 'v' }],
			aliases: []
		});
		expect(await getVersion('mv-shape', '1')).toEqual(res.model_version);
		const second = await ok<{ model_version: Version }>(
			ml('/model-versions/create', { json: { name: 'mv-shape', source: `runs:/${run}/model` } })
		);
		// run_id comes from a runs:/ source when the client leaves it out.
		expect(second.model_version).toMatchObject({ version: '2', run_id: run });
	});

	it('refuses unknown models and runs and missing fields', async () => {
		const { run } = await setup('mv-bad');
		await fails(
			ml('/model-versions/create', { json: { name: 'nope', source: 's' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
		await fails(
			ml('/model-versions/create', { json: { name: 'mv-bad', source: 'runs:/nope/model' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
		await fails(
			ml('/model-versions/create', { json: { name: 'mv-bad', run_id: run } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		await fails(
			ml('/model-versions/get', { query: { name: 'mv-bad', version: '7' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
		await fails(
			ml('/model-versions/get', { query: { name: 'mv-bad', version: 'x' } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		await fails(ml('/model-versions/get', { query: { name: 'mv-bad' } }), 400, 'INVALID_PARAMETER_VALUE');
	});
});

describe('model-versions/update, delete, tags, download uri, search', () => {
	it('updates (PATCH), tags and deletes (DELETE)', async () => {
		const { run } = await setup('mv-edit');
		await ok(ml('/model-versions/create', { json: { name: 'mv-edit', source: `runs:/${run}/model` } }));
		const upd = await ok<{ model_version: Version }>(
			ml('/model-versions/update', {
				method: 'PATCH',
				json: { name: 'mv-edit', version: '1', description: 'better' }
			})
		);
		expect(upd.model_version.description).toBe('better');
		await ok(
			ml('/model-versions/set-tag', { json: { name: 'mv-edit', version: '1', key: 'stage', value: 'qa' } })
		);
		expect((await getVersion('mv-edit', '1')).tags).toEqual([{ key: 'stage', value: 'qa' }]);
		await ok(
			ml('/model-versions/delete-tag', {
				method: 'DELETE',
				json: { name: 'mv-edit', version: '1', key: 'stage' }
			})
		);
		expect((await getVersion('mv-edit', '1')).tags).toEqual([]);
		await fails(
			ml('/model-versions/delete-tag', {
				method: 'DELETE',
				json: { name: 'mv-edit', version: '1', key: 'stage' }
			}),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
		expect(
			await ok(ml('/model-versions/delete', { method: 'DELETE', json: { name: 'mv-edit', version: '1' } }))
		).toEqual({});
		await fails(
			ml('/model-versions/get', { query: { name: 'mv-edit', version: '1' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
	});

	it("resolves a runs:/ source to the run's artifact location", async () => {
		const { exp, run } = await setup('mv-uri');
		await ok(ml('/model-versions/create', { json: { name: 'mv-uri', source: `runs:/${run}/model` } }));
		await ok(
			ml('/model-versions/create', { json: { name: 'mv-uri', source: 'mlflow-artifacts:/elsewhere/model' } })
		);
		expect(
			await ok(ml('/model-versions/get-download-uri', { query: { name: 'mv-uri', version: '1' } }))
		).toEqual({
			artifact_uri: `mlflow-artifacts:/${exp}/${run}/artifacts/model`
		});
		expect(
			await ok(ml('/model-versions/get-download-uri', { query: { name: 'mv-uri', version: '2' } }))
		).toEqual({
			artifact_uri: 'mlflow-artifacts:/elsewhere/model'
		});
	});

	it('searches by name and run_id', async () => {
		const { run } = await setup('mv-search');
		const other = await newRun(await newExperiment('exp-mv-search-2'));
		await ok(ml('/model-versions/create', { json: { name: 'mv-search', source: `runs:/${run}/model` } }));
		await ok(ml('/model-versions/create', { json: { name: 'mv-search', source: `runs:/${other}/model` } }));
		const found = async (filter: string) =>
			(
				await ok<{ model_versions: Version[] }>(ml('/model-versions/search', { query: { filter } }))
			).model_versions.map((v) => v.version);
		expect(await found("name='mv-search'")).toEqual(['2', '1']);
		expect(await found(`run_id='${other}'`)).toEqual(['2']);
		expect(await found(`name = 'mv-search' and run_id = '${run}'`)).toEqual(['1']);
		await fails(
			ml('/model-versions/search', { query: { filter: "color = 'x'" } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
	});

	it('says plainly that stages are not supported', async () => {
		const msg = await fails(
			ml('/model-versions/transition-stage', { json: { name: 'x', version: '1', stage: 'Production' } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		expect(msg).toMatch(/alias/);
	});
});
