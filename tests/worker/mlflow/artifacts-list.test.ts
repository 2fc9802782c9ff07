import { describe, expect, it } from 'vitest';
import { api, otherWorkspaceToken } from '../registry-helpers';
import { fails, ml, newExperiment, newRun, ok } from './helpers';

/** MLflow's tracking API listing (GET /api/2.0/mlflow/artifacts/list), as mlflow.artifacts.list_artifacts calls it. */

const put = (path: string, body: string) =>
	api(`/api/2.0/mlflow-artifacts/artifacts/${path}`, {
		method: 'PUT',
		body,
		headers: { 'content-type': 'text/plain' }
	});

type Listing = { root_uri: string; files?: { path: string; is_dir: boolean; file_size?: number }[] };

async function runWithFiles(name: string) {
	const exp = await newExperiment(name);
	const run = await newRun(exp);
	const root = `${exp}/${run}/artifacts`;
	await ok(put(`${root}/model/MLmodel`, 'flavors: {}'));
	await ok(put(`${root}/model/model.onnx`, 'ONNXBYTES'));
	await ok(put(`${root}/model/data/extra.bin`, 'xyz'));
	await ok(put(`${root}/report.txt`, 'ok'));
	return { exp, run };
}

describe('GET /api/2.0/mlflow/artifacts/list', () => {
	it('lists the root and a folder with paths relative to the run’s artifact root, as MLflow does', async () => {
		const { exp, run } = await runWithFiles('list-basic');
		const top = await ok<Listing>(ml('/artifacts/list', { query: { run_id: run } }));
		expect(top).toEqual({
			root_uri: `mlflow-artifacts:/${exp}/${run}/artifacts`,
			files: [
				{ path: 'model', is_dir: true },
				{ path: 'report.txt', is_dir: false, file_size: 2 }
			]
		});
		const inner = await ok<Listing>(ml('/artifacts/list', { query: { run_id: run, path: 'model' } }));
		expect(inner.files).toEqual([
			{ path: 'model/MLmodel', is_dir: false, file_size: 11 },
			{ path: 'model/data', is_dir: true },
			{ path: 'model/model.onnx', is_dir: false, file_size: 9 }
		]);
		// A trailing slash names the same folder; the deprecated run_uuid still works.
		const slash = await ok<Listing>(ml('/artifacts/list', { query: { run_uuid: run, path: 'model/data/' } }));
		expect(slash.files).toEqual([{ path: 'model/data/extra.bin', is_dir: false, file_size: 3 }]);
	});

	it('answers an empty folder, a file path and a run without artifacts with no files field', async () => {
		const { exp, run } = await runWithFiles('list-empty');
		for (const path of ['nothing-here', 'report.txt', 'mod'])
			expect(await ok<Listing>(ml('/artifacts/list', { query: { run_id: run, path } }))).toEqual({
				root_uri: `mlflow-artifacts:/${exp}/${run}/artifacts`
			});
		const bare = await newRun(exp);
		expect(await ok<Listing>(ml('/artifacts/list', { query: { run_id: bare } }))).toEqual({
			root_uri: `mlflow-artifacts:/${exp}/${bare}/artifacts`
		});
	});

	it('refuses bad requests by name and never lists another workspace’s run', async () => {
		const { run } = await runWithFiles('list-bad');
		expect(await fails(ml('/artifacts/list'), 400, 'INVALID_PARAMETER_VALUE')).toContain("'run_id'");
		expect(
			await fails(ml('/artifacts/list', { query: { run_id: 'nope' } }), 404, 'RESOURCE_DOES_NOT_EXIST')
		).toBe('Run with id=nope not found');
		for (const path of ['../x', 'model/../../etc', '/abs', 'C:/win', 'a\\b', '%2E%2E/x', './model'])
			expect(
				await fails(ml('/artifacts/list', { query: { run_id: run, path } }), 400, 'INVALID_PARAMETER_VALUE'),
				path
			).toBe(`Invalid path: ${path}`);
		const other = await otherWorkspaceToken();
		await fails(
			ml('/artifacts/list', { query: { run_id: run }, token: other }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
	});
});
