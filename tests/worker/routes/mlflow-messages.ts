import type { MlflowSeed } from './mlflow-seed';
import { callWith } from './table';

/**
 * A valid message for every MLflow route, naming the seeded objects (tests/worker/routes/mlflow-seed.ts): the
 * isolation test sends them as another workspace, the fuzz breaks them one field at a time. Keyed as the route
 * table names routes, under /api/2.0/mlflow (the artifact proxy by its full path).
 */
export const A = '/api/2.0/mlflow-artifacts/artifacts';
/** GETs carry a query, the artifact proxy a path under it (`sub`) and bytes; the rest a JSON body. */
export type Req = {
	query?: Record<string, string>;
	json?: Record<string, unknown>;
	body?: string;
	sub?: string;
};
type Messages = Record<string, () => Req>;

/** Routes that name one of the seed's objects. */
export function objectMessages(s: MlflowSeed): Messages {
	const run = () => ({ run_id: s.runId });
	const model = () => ({ name: s.model });
	const version = () => ({ name: s.model, version: '1' });
	return {
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
		'GET /artifacts/list': () => ({ query: { ...run(), path: 'model' } }),
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
}

/** Lists, which name no object but may filter by one. */
export function listMessages(s: MlflowSeed): Messages {
	return {
		'POST /experiments/search': () => ({ json: { view_type: 'ALL' } }),
		'GET /experiments/search': () => ({ query: { view_type: 'ALL' } }),
		'POST /runs/search': () => ({ json: { experiment_ids: [s.experimentId], run_view_type: 'ALL' } }),
		'GET /registered-models/search': () => ({ query: {} }),
		'GET /model-versions/search': () => ({ query: { filter: `name = '${s.model}'` } })
	};
}

/** Creates, which name no existing object, and the refused stage transition. */
export const OTHERS = [
	'POST /experiments/create',
	'POST /registered-models/create',
	'POST /model-versions/transition-stage'
];

/** The route table's key for a case: the path under /api/2.0/mlflow, or the artifact proxy's own. */
export const keyOf = (method: string, path: string) =>
	`${method} ${path.startsWith('/api/2.0/mlflow/') ? path.slice('/api/2.0/mlflow'.length) : path}`;

export function send(key: string, req: Req, token: string) {
	const [method, pattern] = key.split(' ');
	let path = pattern.startsWith(A) ? pattern.replace('*', req.sub ?? '') : `/api/2.0/mlflow${pattern}`;
	if (req.query) path += `?${new URLSearchParams(req.query)}`;
	return callWith(path, { method, token, json: req.json, body: req.body }).then((res) => ({ res, path }));
}
