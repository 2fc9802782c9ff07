import { describe, expect, it } from 'vitest';
import { testEnv } from '../helpers';
import { api, otherWorkspaceToken } from '../registry-helpers';
import { fails, newExperiment, newRun, ok } from './helpers';

const art = (path: string, init: Parameters<typeof api>[1] = {}) =>
	api(`/api/2.0/mlflow-artifacts/artifacts${path}`, init);
const put = (path: string, body: string, token?: string) =>
	art(`/${path}`, { method: 'PUT', body, headers: { 'content-type': 'text/plain' }, token });

async function runRoot(name: string) {
	const exp = await newExperiment(name);
	const run = await newRun(exp);
	return { exp, run, root: `${exp}/${run}/artifacts` };
}

describe('mlflow-artifacts proxy', () => {
	it('uploads, downloads and lists by directory', async () => {
		const { run, root } = await runRoot('art-basic');
		expect(await ok(put(`${root}/model/MLmodel`, 'flavors: {}'))).toEqual({});
		await ok(put(`${root}/model/weights.bin`, 'WEIGHTS'));
		await ok(put(`${root}/report.txt`, 'ok'));
		const got = await art(`/${root}/model/MLmodel`);
		expect(got.status).toBe(200);
		expect(got.headers.get('content-type')).toBe('application/octet-stream');
		expect(await got.text()).toBe('flavors: {}');

		const top = await ok<{ files: unknown[] }>(art(`?path=${encodeURIComponent(root)}`));
		expect(top.files).toEqual([
			{ path: 'model', is_dir: true },
			{ path: 'report.txt', is_dir: false, file_size: 2 }
		]);
		const inner = await ok<{ files: unknown[] }>(art(`?path=${encodeURIComponent(`${root}/model`)}`));
		expect(inner.files).toEqual([
			{ path: 'MLmodel', is_dir: false, file_size: 11 },
			{ path: 'weights.bin', is_dir: false, file_size: 7 }
		]);
		// The run's artifacts are the registry's own records too.
		const rows = await testEnv.DB.prepare('SELECT name FROM run_artifacts WHERE run_id = ? ORDER BY name')
			.bind(run)
			.all<{ name: string }>();
		expect(rows.results.map((r) => r.name)).toEqual(['model/MLmodel', 'model/weights.bin', 'report.txt']);
	});

	it('stores the same bytes once and overwrites a path uploaded again, as MLflow does', async () => {
		const { root } = await runRoot('art-dedupe');
		await ok(put(`${root}/a.txt`, 'same'));
		await ok(put(`${root}/b.txt`, 'same'));
		const blobs = await testEnv.DB.prepare(
			"SELECT COUNT(*) AS n FROM run_artifacts WHERE name IN ('a.txt', 'b.txt') GROUP BY sha256"
		).all<{ n: number }>();
		expect(blobs.results).toEqual([{ n: 2 }]);
		await ok(put(`${root}/a.txt`, 'changed'));
		expect(await (await art(`/${root}/a.txt`)).text()).toBe('changed');
	});

	it('deletes a file and a directory', async () => {
		const { root } = await runRoot('art-delete');
		await ok(put(`${root}/dir/x`, '1'));
		await ok(put(`${root}/dir/y`, '2'));
		await ok(put(`${root}/z`, '3'));
		expect(await ok(art(`/${root}/z`, { method: 'DELETE' }))).toEqual({});
		await fails(art(`/${root}/z`), 404, 'RESOURCE_DOES_NOT_EXIST');
		await ok(art(`/${root}/dir`, { method: 'DELETE' }));
		expect((await ok<{ files: unknown[] }>(art(`?path=${encodeURIComponent(root)}`))).files).toEqual([]);
		await fails(art(`/${root}/dir`, { method: 'DELETE' }), 404, 'RESOURCE_DOES_NOT_EXIST');
	});

	it('refuses paths outside a run, unknown runs, traversal and missing scopes', async () => {
		const { exp, root } = await runRoot('art-bad');
		await fails(put(`${exp}/loose.txt`, 'x'), 400, 'INVALID_PARAMETER_VALUE');
		await fails(put(`${exp}/nope/artifacts/x`, 'x'), 404, 'RESOURCE_DOES_NOT_EXIST');
		// URLs arrive with dot segments resolved; the list's path parameter does not, so it is checked.
		await fails(art(`?path=${encodeURIComponent(`${root}/../../x`)}`), 400, 'INVALID_PARAMETER_VALUE');
		await fails(art(`/${root}/missing`), 404, 'RESOURCE_DOES_NOT_EXIST');
		const reader = await otherWorkspaceToken('local', ['read']);
		await fails(put(`${root}/x`, 'x', reader), 403, 'PERMISSION_DENIED');
	});

	it("never serves one workspace's bytes to another", async () => {
		const { root } = await runRoot('art-iso');
		await ok(put(`${root}/secret.txt`, 'top secret'));
		const other = await otherWorkspaceToken('art-other');
		await fails(art(`/${root}/secret.txt`, { token: other }), 404, 'RESOURCE_DOES_NOT_EXIST');
		await fails(art(`?path=${encodeURIComponent(root)}`, { token: other }), 404, 'RESOURCE_DOES_NOT_EXIST');
	});
});
