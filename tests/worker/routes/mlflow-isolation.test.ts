import { beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers';
import { otherWorkspaceToken } from '../registry-helpers';
import { seedMlflow, type MlflowSeed } from './mlflow-seed';
import { stateDigest } from './state';
import { callWith, expectError, label, MLFLOW_ROUTES } from './table';

/**
 * Isolation over every MLflow route: another workspace's admin, naming this workspace's objects, gets
 * RESOURCE_DOES_NOT_EXIST and changes nothing (D1 or R2); its searches list none of them. The tables below must
 * cover the router's own route table, so a new MLflow route cannot be added without saying how it isolates.
 */

let s: MlflowSeed;
let other: string;
beforeAll(async () => {
	s = await seedMlflow('iso');
	other = await otherWorkspaceToken('ws_mlflow_iso', ['admin']);
});

const A = '/api/2.0/mlflow-artifacts/artifacts';
type Req = { query?: Record<string, string>; json?: unknown; body?: string; sub?: string };
const run = () => ({ run_id: s.runId });
const model = () => ({ name: s.model });
const version = () => ({ name: s.model, version: '1' });

/** Routes that name one of this workspace's objects: 404 for the other workspace. */
const OBJECTS: Record<string, () => Req> = {
	'GET /experiments/get': () => ({ query: { experiment_id: s.experimentId } }),
	'GET /experiments/get-by-name': () => ({ query: { experiment_name: s.experimentName } }),
	'POST /experiments/update': () => ({ json: { experiment_id: s.experimentId, new_name: 'stolen' } }),
	'POST /experiments/delete': () => ({ json: { experiment_id: s.experimentId } }),
	'POST /experiments/restore': () => ({ json: { experiment_id: s.experimentId } }),
	'POST /experiments/set-experiment-tag': () => ({
		json: { experiment_id: s.experimentId, key: 'team', value: 'b' }
	}),
	'POST /experiments/delete-tag': () => ({ json: { experiment_id: s.experimentId, key: 'team' } }),
	'POST /runs/create': () => ({ json: { experiment_id: s.experimentId, start_time: 1 } }),
	'GET /runs/get': () => ({ query: run() }),
	'POST /runs/update': () => ({ json: { ...run(), status: 'FINISHED', end_time: 2 } }),
	'POST /runs/delete': () => ({ json: run() }),
	'POST /runs/restore': () => ({ json: run() }),
	'POST /runs/set-tag': () => ({ json: { ...run(), key: 'rt', value: 'y' } }),
	'POST /runs/delete-tag': () => ({ json: { ...run(), key: 'rt' } }),
	'POST /runs/log-metric': () => ({ json: { ...run(), key: 'loss', value: 1, timestamp: 2 } }),
	'POST /runs/log-parameter': () => ({ json: { ...run(), key: 'p2', value: 'v' } }),
	'POST /runs/log-batch': () => ({ json: { ...run(), tags: [{ key: 'note', value: 'y' }] } }),
	'POST /runs/log-model': () => ({ json: { ...run(), model_json: '{}' } }),
	'GET /metrics/get-history': () => ({ query: { ...run(), metric_key: 'loss' } }),
	'GET /registered-models/get': () => ({ query: model() }),
	'POST /registered-models/rename': () => ({ json: { ...model(), new_name: 'stolen' } }),
	'PATCH /registered-models/update': () => ({ json: { ...model(), description: 'stolen' } }),
	'DELETE /registered-models/delete': () => ({ json: model() }),
	'POST /registered-models/get-latest-versions': () => ({ json: model() }),
	'GET /registered-models/get-latest-versions': () => ({ query: model() }),
	'POST /registered-models/set-tag': () => ({ json: { ...model(), key: 'mt', value: 'x' } }),
	'DELETE /registered-models/delete-tag': () => ({ json: { ...model(), key: 'mt' } }),
	'POST /registered-models/alias': () => ({ json: { ...model(), alias: 'champion', version: '1' } }),
	'DELETE /registered-models/alias': () => ({ json: { ...model(), alias: 'champion' } }),
	'GET /registered-models/alias': () => ({ query: { ...model(), alias: 'champion' } }),
	'POST /model-versions/create': () => ({ json: { ...model(), source: `runs:/${s.runId}/model` } }),
	'GET /model-versions/get': () => ({ query: version() }),
	'PATCH /model-versions/update': () => ({ json: { ...version(), description: 'stolen' } }),
	'DELETE /model-versions/delete': () => ({ json: version() }),
	'POST /model-versions/set-tag': () => ({ json: { ...version(), key: 'vt', value: 'x' } }),
	'DELETE /model-versions/delete-tag': () => ({ json: { ...version(), key: 'vt' } }),
	'GET /model-versions/get-download-uri': () => ({ query: version() }),
	[`GET ${A}`]: () => ({ query: { path: `${s.artifactRoot}/model` } }),
	[`PUT ${A}/*`]: () => ({ sub: `${s.artifactRoot}/model/a.txt`, body: 'overwritten' }),
	[`GET ${A}/*`]: () => ({ sub: `${s.artifactRoot}/model/a.txt` }),
	[`DELETE ${A}/*`]: () => ({ sub: `${s.artifactRoot}/model/a.txt` })
};

/** Lists and creates name no object of this workspace: the list test and the write test check them. */
const LISTS: Record<string, () => Req> = {
	'POST /experiments/search': () => ({ json: { view_type: 'ALL' } }),
	'GET /experiments/search': () => ({ query: { view_type: 'ALL' } }),
	'POST /runs/search': () => ({ json: { experiment_ids: [s.experimentId], run_view_type: 'ALL' } }),
	'GET /registered-models/search': () => ({ query: {} }),
	'GET /model-versions/search': () => ({ query: { filter: `name = '${s.model}'` } })
};
const OTHERS = [
	'POST /experiments/create',
	'POST /registered-models/create',
	'POST /model-versions/transition-stage'
];

/** The route table's key for a case: the path under /api/2.0/mlflow, or the artifact proxy's own. */
const keyOf = (method: string, path: string) =>
	`${method} ${path.startsWith('/api/2.0/mlflow/') ? path.slice('/api/2.0/mlflow'.length) : path}`;

function send(key: string, req: Req, token: string) {
	const [method, pattern] = key.split(' ');
	let path = pattern.startsWith(A) ? pattern.replace('*', req.sub ?? '') : `/api/2.0/mlflow${pattern}`;
	if (req.query) path += `?${new URLSearchParams(req.query)}`;
	return callWith(path, { method, token, json: req.json, body: req.body }).then((res) => ({ res, path }));
}

describe('MLflow isolation between workspaces, over the whole route table', () => {
	it('the tables cover every MLflow route and nothing else', () => {
		const routes = MLFLOW_ROUTES.map((r) => keyOf(r.method, r.path));
		const covered = [...Object.keys(OBJECTS), ...Object.keys(LISTS), ...OTHERS];
		expect(routes.filter((r) => !covered.includes(r))).toEqual([]);
		expect(covered.filter((r) => !routes.includes(r))).toEqual([]);
		expect(routes.length).toBe(MLFLOW_ROUTES.map(label).length);
	});

	it.each(Object.entries(OBJECTS))('%s: RESOURCE_DOES_NOT_EXIST, nothing changes', async (key, req) => {
		const before = await stateDigest(testEnv.DB, testEnv.ARTIFACTS);
		const { res, path } = await send(key, req(), other);
		const code = await expectError(res, path, `${key} as another workspace`, 404);
		expect(code).toBe('RESOURCE_DOES_NOT_EXIST');
		expect(await stateDigest(testEnv.DB, testEnv.ARTIFACTS)).toBe(before);
	});

	it.each(Object.entries(LISTS))('%s: lists none of this workspace’s objects', async (key, req) => {
		const before = await stateDigest(testEnv.DB, testEnv.ARTIFACTS);
		const { res } = await send(key, req(), other);
		const text = await res.text();
		expect(res.status, text).toBe(200);
		for (const mine of [s.experimentName, s.runId, s.model]) expect(text).not.toContain(mine);
		expect(await stateDigest(testEnv.DB, testEnv.ARTIFACTS)).toBe(before);
	});

	it('creates with the same names make the other workspace its own records; this one is unchanged', async () => {
		const mine = await stateDigest(testEnv.DB);
		const { res } = await send('POST /registered-models/create', { json: model() }, other);
		expect(res.status, await res.text()).toBe(200);
		const e = await send('POST /experiments/create', { json: { name: s.experimentName } }, other);
		expect(e.res.status, await e.res.text()).toBe(200);
		expect(await stateDigest(testEnv.DB)).not.toBe(mine);
		const { results } = await testEnv.DB.prepare(
			`SELECT workspace_id, name FROM registered_models WHERE name = ? ORDER BY workspace_id`
		)
			.bind(s.model)
			.all();
		expect(results).toEqual([
			{ workspace_id: 'local', name: s.model },
			{ workspace_id: 'ws_mlflow_iso', name: s.model }
		]);
	});
});
