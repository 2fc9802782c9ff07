import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../../workers/routes/v1';
import { testEnv } from '../helpers';
import { otherWorkspaceToken } from '../registry-helpers';
import { api, BYTES, ok, seed, snapshot, type Seeded } from './fixtures';
import { filled, trainedVersion } from '../federated/fixtures';

/**
 * Workspaces never meet: a token of another workspace (an admin there, so scopes are no excuse) gets 404 for
 * every object of this one (403 would reveal that it exists), sees none of them in lists, and its writes change
 * none of this workspace's rows. The table must cover every object route the registry has (checked below).
 */

let s: Seeded;
let other: string;
let localTokenId: string;
beforeAll(async () => {
	s = await seed();
	localTokenId = (
		await ok<{ token: { id: string } }>('/api/v1/tokens', {
			method: 'POST',
			json: { name: 'mine', scopes: ['read'] },
			status: 201
		})
	).token.id;
	other = await otherWorkspaceToken('ws_iso', ['admin']);
	// A batch job of this workspace, as its route writes it (creating one through the API needs a servable model).
	await testEnv.DB.prepare(
		`INSERT INTO batch_jobs (id, workspace_id, model_name, version, input_format, input_bytes, status, rows_total,
		   created_at, updated_at) VALUES (?, 'local', ?, 1, 'csv', 10, 'running', 3, 1, 1)`
	)
		.bind(JOB, s.model)
		.run();
	// A retraining task of this workspace, as openRetrain writes it (opening one through the API needs a champion).
	await testEnv.DB.prepare(
		`INSERT INTO retrain_tasks (workspace_id, id, model_name, open, state, body, created_at, updated_at)
		 VALUES ('local', ?, ?, 1, 'pending', ?, 1, 1)`
	)
		.bind(TASK, s.model, JSON.stringify({ id: TASK, model: s.model, state: 'pending', history: [] }))
		.run();
	// A federated job of this workspace, and a client of it.
	const version = await trainedVersion('iso-fed', filled(0));
	fedJob = (
		await ok<{ id: string }>('/api/v1/federated/jobs', {
			method: 'POST',
			json: { modelName: 'iso-fed', version },
			status: 201
		})
	).id;
	const c = await ok<{ clientId: string; secret: string }>(`/api/v1/federated/jobs/${fedJob}/clients`, {
		method: 'POST',
		status: 201
	});
	fedClient = `${c.clientId}.${c.secret}`;
});

let fedJob: string;
let fedClient: string;
const fed = () => `/api/v1/federated/jobs/${fedJob}`;

const JOB = `bj_${'1'.repeat(32)}`;
const TASK = `rt_${'2'.repeat(20)}`;

/** json is a function where it needs what beforeAll made. */
type Case = {
	route: string;
	path: () => string;
	json?: unknown;
	body?: () => Uint8Array;
	headers?: () => Record<string, string>;
};
const v1 = '/api/v1';
const run = () => `${v1}/runs/${s.runId}`;
const model = () => `${v1}/models/${s.model}`;

const CASES: Case[] = [
	{ route: 'DELETE /tokens/:id', path: () => `${v1}/tokens/${localTokenId}` },
	{ route: 'GET /experiments/:id', path: () => `${v1}/experiments/${s.experimentId}` },
	{
		route: 'PATCH /experiments/:id',
		path: () => `${v1}/experiments/${s.experimentId}`,
		json: { name: 'stolen' }
	},
	{ route: 'DELETE /experiments/:id', path: () => `${v1}/experiments/${s.experimentId}` },
	{ route: 'POST /experiments/:id/restore', path: () => `${v1}/experiments/${s.experimentId}/restore` },
	{ route: 'GET /runs/:id', path: run },
	{ route: 'PATCH /runs/:id', path: run, json: () => ({ status: 'failed' }) },
	{ route: 'DELETE /runs/:id', path: run },
	{ route: 'POST /runs/:id/restore', path: () => `${run()}/restore` },
	{
		route: 'POST /runs/:id/log-batch',
		path: () => `${run()}/log-batch`,
		json: { tags: [{ key: 't', value: 'y' }] }
	},
	{ route: 'GET /runs/:id/metrics/:key{.+}', path: () => `${run()}/metrics/loss` },
	{ route: 'DELETE /runs/:id/tags/:key{.+}', path: () => `${run()}/tags/t` },
	{
		route: 'POST /runs/:id/artifacts',
		path: () => `${run()}/artifacts`,
		json: () => ({ name: 'x', sha256: s.sha })
	},
	{ route: 'GET /runs/:id/artifacts', path: () => `${run()}/artifacts` },
	{ route: 'GET /runs/:id/artifacts/:path{.+}', path: () => `${run()}/artifacts/model/weights.bin` },
	{ route: 'GET /blobs/:sha256', path: () => `${v1}/blobs/${s.sha}` },
	{ route: 'GET /models/:name', path: model },
	{ route: 'PATCH /models/:name', path: model, json: () => ({ description: 'stolen' }) },
	{ route: 'DELETE /models/:name', path: model },
	{
		route: 'PUT /models/:name/tags/:key{.+}',
		path: () => `${model()}/tags/team`,
		json: () => ({ value: 'x' })
	},
	{ route: 'DELETE /models/:name/tags/:key{.+}', path: () => `${model()}/tags/team` },
	{ route: 'GET /models/:name/aliases/:alias', path: () => `${model()}/aliases/champion` },
	{
		route: 'PUT /models/:name/aliases/:alias',
		path: () => `${model()}/aliases/champion`,
		json: { version: 1 }
	},
	{ route: 'DELETE /models/:name/aliases/:alias', path: () => `${model()}/aliases/champion` },
	{ route: 'POST /models/:name/versions', path: () => `${model()}/versions`, json: () => ({}) },
	{ route: 'GET /models/:name/versions', path: () => `${model()}/versions` },
	{ route: 'GET /models/:name/versions/:version', path: () => `${model()}/versions/1` },
	{
		route: 'PATCH /models/:name/versions/:version',
		path: () => `${model()}/versions/1`,
		json: { description: 'x' }
	},
	{ route: 'DELETE /models/:name/versions/:version', path: () => `${model()}/versions/1` },
	{
		route: 'PUT /models/:name/versions/:version/tags/:key{.+}',
		path: () => `${model()}/versions/1/tags/stage`,
		json: { value: 'x' }
	},
	{
		route: 'DELETE /models/:name/versions/:version/tags/:key{.+}',
		path: () => `${model()}/versions/1/tags/stage`
	},
	{ route: 'GET /models/:name/versions/:version/lineage', path: () => `${model()}/versions/1/lineage` },
	{
		route: 'POST /models/:name/versions/:version/predict',
		path: () => `${model()}/versions/1/predict`,
		json: { rows: [{ x: 1 }] }
	},
	{
		route: 'POST /models/:name/aliases/:alias/predict',
		path: () => `${model()}/aliases/champion/predict`,
		json: { rows: [{ x: 1 }] }
	},
	{ route: 'POST /models/:name/predict', path: () => `${model()}/predict`, json: { rows: [{ x: 1 }] } },
	{ route: 'GET /models/:name/predictions', path: () => `${model()}/predictions` },
	{ route: 'GET /models/:name/aliases/:alias/traffic', path: () => `${model()}/aliases/champion/traffic` },
	{
		route: 'PUT /models/:name/aliases/:alias/traffic',
		path: () => `${model()}/aliases/champion/traffic`,
		json: { shadow: { version: 1 } }
	},
	{ route: 'DELETE /models/:name/aliases/:alias/traffic', path: () => `${model()}/aliases/champion/traffic` },
	{
		route: 'POST /models/:name/batch',
		path: () => `${model()}/batch`,
		json: { input: { sha256: '0'.repeat(64), format: 'csv' } }
	},
	{ route: 'GET /batch/:id', path: () => `${v1}/batch/${JOB}` },
	{ route: 'GET /batch/:id/result', path: () => `${v1}/batch/${JOB}/result` },
	{ route: 'DELETE /batch/:id', path: () => `${v1}/batch/${JOB}` },
	{ route: 'GET /federated/jobs/:id', path: fed },
	{ route: 'POST /federated/jobs/:id/clients', path: () => `${fed()}/clients` },
	// With this workspace's own client's credentials: the job is still not found from another workspace.
	{
		route: 'GET /federated/jobs/:id/task',
		path: () => `${fed()}/task`,
		headers: () => ({ 'x-edgebook-fed-client': fedClient })
	},
	{ route: 'GET /federated/jobs/:id/weights', path: () => `${fed()}/weights` },
	{ route: 'GET /federated/jobs/:id/plan', path: () => `${fed()}/plan` },
	{
		route: 'POST /models/:name/feedback',
		path: () => `${model()}/feedback`,
		json: { labels: [{ id: 'x', label: 'a' }] }
	},
	{ route: 'GET /models/:name/performance', path: () => `${model()}/performance` },
	{ route: 'GET /models/:name/drift', path: () => `${model()}/drift` },
	{
		route: 'POST /models/:name/alerts',
		path: () => `${model()}/alerts`,
		json: { name: 'x', kind: 'latency_p99', threshold: 5 }
	},
	{ route: 'GET /models/:name/alerts', path: () => `${model()}/alerts` },
	{ route: 'DELETE /models/:name/alerts/:id', path: () => `${model()}/alerts/al_00000000000000000000` },
	{ route: 'GET /models/:name/alerts/events', path: () => `${model()}/alerts/events` },
	{ route: 'POST /models/:name/alerts/evaluate', path: () => `${model()}/alerts/evaluate` },
	{ route: 'POST /models/:name/retrain', path: () => `${model()}/retrain`, json: {} },
	{ route: 'GET /models/:name/retrain', path: () => `${model()}/retrain` },
	{ route: 'GET /retrain/:id', path: () => `${v1}/retrain/${TASK}` },
	{ route: 'POST /retrain/:id/claim', path: () => `${v1}/retrain/${TASK}/claim`, json: {} },
	{
		route: 'POST /retrain/:id/gate',
		path: () => `${v1}/retrain/${TASK}/gate`,
		json: { challengerVersion: 2 }
	},
	{ route: 'POST /retrain/:id/conclude', path: () => `${v1}/retrain/${TASK}/conclude`, json: {} },
	{ route: 'POST /retrain/:id/cancel', path: () => `${v1}/retrain/${TASK}/cancel`, json: {} },
	{
		route: 'PUT /models/:name/versions/:version/reference',
		path: () => `${model()}/versions/1/reference`,
		json: {
			version: 1,
			inputs: { version: 1, rowCount: 0, windowStart: null, windowEnd: null, features: {} },
			prediction: null
		}
	},
	{ route: 'POST /federated/jobs/:id/tokens', path: () => `${fed()}/tokens`, json: {} },
	{
		route: 'POST /federated/jobs/:id/updates',
		path: () => `${fed()}/updates`,
		body: () => new Uint8Array(60),
		headers: () => ({
			'x-edgebook-fed-client': fedClient,
			'x-edgebook-fed-meta': '{"round": 1, "numExamples": 1}',
			'content-type': 'application/octet-stream'
		})
	}
];

/** Routes with no object of this workspace in their path: collections and creates, checked by the list test. */
const COLLECTIONS = [
	// Open retraining tasks of a notebook: only the caller's workspace's (retrain.test.ts).
	'GET /retrain',
	// New data for a notebook's champions: only the caller's workspace's (retrain/data-trigger.test.ts).
	'POST /retrain/data',
	'GET /me',
	// Only the caller's own workspace, or (install admins only) all of them: workspaces.test.ts.
	'GET /workspaces/current',
	'PATCH /workspaces/current',
	'GET /workspaces',
	'POST /workspaces',
	'GET /tokens',
	'POST /tokens',
	'GET /experiments',
	'POST /experiments',
	'GET /runs',
	'POST /runs',
	'PUT /blobs/:sha256',
	'GET /models',
	'POST /models',
	'POST /sync/push',
	'GET /sync/pull',
	'POST /federated/jobs'
];

describe('isolation between workspaces', () => {
	it('the table covers every /api/v1 route', () => {
		const routes = new Set(
			registry.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/\/$/, '')}`)
		);
		const covered = new Set([...CASES.map((c) => c.route), ...COLLECTIONS]);
		expect([...routes].filter((r) => !covered.has(r))).toEqual([]);
		expect([...covered].filter((r) => !routes.has(r))).toEqual([]);
	});

	it.each(CASES)('$route: 404 for another workspace, nothing here changes', async (c) => {
		const before = await snapshot(testEnv.DB);
		const [method] = c.route.split(' ');
		const res = await api(c.path(), {
			method,
			json: typeof c.json === 'function' ? (c.json as () => unknown)() : c.json,
			...(c.body ? { body: c.body() } : {}),
			...(c.headers ? { headers: c.headers() } : {}),
			token: other
		});
		expect(res.status, await res.clone().text()).toBe(404);
		expect((await res.json<{ error: { code: string } }>()).error.code).toBe('not_found');
		expect(await snapshot(testEnv.DB)).toBe(before);
	});

	it('HEAD /blobs/:sha256 is 404 too (a hash alone opens nothing)', async () => {
		expect((await api(`${v1}/blobs/${s.sha}`, { method: 'HEAD', token: other })).status).toBe(404);
	});

	it("lists never include this workspace's objects", async () => {
		for (const [path, key] of [
			['/experiments?lifecycle=all', 'experiments'],
			['/runs?lifecycle=all', 'runs'],
			[`/runs?experimentId=${s.experimentId}`, 'runs'],
			['/models', 'models'],
			['/tokens', 'tokens']
		] as const) {
			const body = await ok<Record<string, { workspaceId?: string; name?: string }[]>>(`${v1}${path}`, {
				token: other
			});
			// Experiments carry no workspaceId: the other workspace's only one is its own Default (migration 0005).
			const own = (x: { workspaceId?: string; name?: string }) =>
				x.workspaceId === 'ws_iso' || (key === 'experiments' && x.name === 'Default');
			expect(
				body[key].filter((x) => !own(x)),
				path
			).toEqual([]);
		}
	});

	it('creates in the other workspace land there: same names and bytes, separate rows', async () => {
		const before = await snapshot(testEnv.DB);
		await ok(`${v1}/experiments`, { method: 'POST', json: { name: 'iris' }, status: 201, token: other });
		await ok(`${v1}/models`, { method: 'POST', json: { name: s.model }, status: 201, token: other });
		await ok(`${v1}/blobs/${s.sha}`, { method: 'PUT', body: BYTES, status: 201, token: other });
		const local = (t: string) =>
			testEnv.DB.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE workspace_id = 'local'`).first<{
				n: number;
			}>();
		// iris, the workspace's Default, and the federated job's source and job experiments (beforeAll).
		expect(await local('experiments')).toEqual({ n: 4 });
		expect(before).not.toBe(await snapshot(testEnv.DB));
		// The admin here still sees only its own model, unchanged.
		expect(await ok(`${model()}`)).toMatchObject({ latestVersion: 1, tags: { team: 'ml' } });
	});
});
