import { beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers';
import { ml, newExperiment, newRun, ok } from '../mlflow/helpers';
import { api, envelope, experiment } from '../registry-helpers';

/**
 * All or nothing: a refused request, through any write route, leaves every D1 table's row count and the R2 object
 * list as they were. Requests that bundle several writes (create + tags, log + rename, upload + link) are checked
 * whole before the first write.
 */

async function snapshot(): Promise<{ rows: Record<string, number>; objects: string[] }> {
	const { results } = await testEnv.DB.prepare(
		"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'"
	).all<{ name: string }>();
	const counts = await testEnv.DB.batch(
		results.map((t) => testEnv.DB.prepare(`SELECT COUNT(*) AS n FROM "${t.name}"`))
	);
	const rows = Object.fromEntries(results.map((t, i) => [t.name, (counts[i].results[0] as { n: number }).n]));
	const listed = await testEnv.ARTIFACTS.list();
	return { rows, objects: listed.objects.map((o) => o.key).sort() };
}

const long = (n: number) => 'x'.repeat(n);
let exp = '';
let run = '';
let v1Run = '';
let sha = '';

beforeAll(async () => {
	exp = await newExperiment('atomic');
	run = await newRun(exp);
	await ok(ml('/registered-models/create', { json: { name: 'atomic-model' } }));
	await ok(ml('/model-versions/create', { json: { name: 'atomic-model', source: `runs:/${run}/model` } }));
	const put = await api(`/api/2.0/mlflow-artifacts/artifacts/${exp}/${run}/artifacts/ok.txt`, {
		method: 'PUT',
		body: 'kept',
		headers: { 'content-type': 'text/plain' }
	});
	expect(put.status).toBe(200);
	sha = (await testEnv.DB.prepare('SELECT sha256 FROM run_artifacts WHERE run_id = ?')
		.bind(run)
		.first<{ sha256: string }>())!.sha256;
	const r = await api('/api/v1/runs', { method: 'POST', json: { experimentId: exp } });
	v1Run = ((await r.json()) as { id: string }).id;
});

const mlPost = (path: string, json: unknown) => () => ml(path, { json });
const upload = (sub: string) => () =>
	api(`/api/2.0/mlflow-artifacts/artifacts/${exp}/${run}/artifacts/${sub}`, {
		method: 'PUT',
		// Bytes of its own per upload, so one refused upload's stored bytes cannot hide another's.
		body: `bytes for ${sub}`,
		headers: { 'content-type': 'text/plain' }
	});
const v1 = (method: string, path: string, json: unknown) => () => api(path, { method, json });

const REFUSED: [string, () => Promise<Response>][] = [
	[
		'MLflow experiments/create with an invalid tag key',
		mlPost('/experiments/create', { name: 'e1', tags: [{ key: 'a*b', value: 'v' }] })
	],
	[
		'MLflow experiments/create with an over-long tag value',
		mlPost('/experiments/create', { name: 'e2', tags: [{ key: 'k', value: long(8001) }] })
	],
	[
		'MLflow registered-models/create with an empty tag key',
		mlPost('/registered-models/create', { name: 'm1', tags: [{ key: '', value: 'v' }] })
	],
	[
		'MLflow model-versions/create with a bad tag key',
		() =>
			ml('/model-versions/create', {
				json: { name: 'atomic-model', source: 's', tags: [{ key: '../x', value: '' }] }
			})
	],
	[
		'MLflow runs/create in experiment 0 with a bad tag key',
		mlPost('/runs/create', { experiment_id: '0', tags: [{ key: '__proto__', value: '' }] })
	],
	[
		'MLflow log-batch with a good metric and an over-long run name',
		() =>
			ml('/runs/log-batch', {
				json: {
					run_id: run,
					metrics: [{ key: 'ok', value: 1, timestamp: 1 }],
					tags: [{ key: 'mlflow.runName', value: long(501) }]
				}
			})
	],
	[
		'MLflow log-batch with a good param and a bad metric key',
		() =>
			ml('/runs/log-batch', {
				json: {
					run_id: run,
					params: [{ key: 'p', value: '1' }],
					metrics: [{ key: '', value: 1, timestamp: 1 }]
				}
			})
	],
	[
		'MLflow runs/set-tag with a bad key',
		() => ml('/runs/set-tag', { json: { run_id: run, key: '../x', value: 'v' } })
	],
	[
		'MLflow set-experiment-tag with a bad key',
		() => ml('/experiments/set-experiment-tag', { json: { experiment_id: exp, key: '', value: 'v' } })
	],
	[
		'MLflow set-experiment-tag on experiment 0 (made on first use) with a bad key',
		() => ml('/experiments/set-experiment-tag', { json: { experiment_id: '0', key: '../x', value: 'v' } })
	],
	[
		'MLflow experiments/update of experiment 0 to an over-long name',
		() => ml('/experiments/update', { json: { experiment_id: '0', new_name: long(501) } })
	],
	[
		'MLflow experiments/update to an empty name',
		() => ml('/experiments/update', { json: { experiment_id: exp, new_name: ' ' } })
	],
	[
		'MLflow registered-models/set-tag with a bad key',
		() => ml('/registered-models/set-tag', { json: { name: 'atomic-model', key: 'a?b', value: '' } })
	],
	[
		'MLflow model-versions/set-tag with a bad key',
		() => ml('/model-versions/set-tag', { json: { name: 'atomic-model', version: '1', key: '', value: '' } })
	],
	[
		'MLflow alias set to a reserved name',
		() => ml('/registered-models/alias', { json: { name: 'atomic-model', alias: 'latest', version: '1' } })
	],
	['MLflow artifact PUT to a path with a bad character', upload('bad*name.txt')],
	['MLflow artifact PUT to __proto__', upload('__proto__')],
	['MLflow artifact PUT to a 300-character path', upload(long(300))],
	['/api/v1 experiment with an empty name', v1('POST', '/api/v1/experiments', { name: '' })],
	[
		'/api/v1 run with a bad tag key',
		() => api('/api/v1/runs', { method: 'POST', json: { experimentId: exp, tags: { '../x': 'y' } } })
	],
	[
		'/api/v1 log-batch with a good metric and a bad param key',
		() =>
			api(`/api/v1/runs/${v1Run}/log-batch`, {
				method: 'POST',
				json: { metrics: [{ key: 'ok', value: 1, step: 0, timestamp: 1 }], params: [{ key: '', value: '1' }] }
			})
	],
	['/api/v1 model with a bad name', v1('POST', '/api/v1/models', { name: '-bad' })],
	[
		'/api/v1 version with an empty tag key',
		v1('POST', '/api/v1/models/atomic-model/versions', { tags: { '': 'x' } })
	],
	[
		'/api/v1 artifact link to a bad path',
		() => api(`/api/v1/runs/${v1Run}/artifacts`, { method: 'POST', json: { name: '../x', sha256: sha } })
	],
	[
		'MLflow log-parameter with an over-long value',
		() => ml('/runs/log-parameter', { json: { run_id: run, key: 'p', value: long(6001) } })
	],
	[
		'MLflow runs/update with a negative end time',
		() => ml('/runs/update', { json: { run_id: run, status: 'FINISHED', end_time: -5 } })
	],
	[
		'MLflow registered-models/rename to a bad name',
		() => ml('/registered-models/rename', { json: { name: 'atomic-model', new_name: '-bad' } })
	],
	[
		'MLflow registered-models/update with an over-long description',
		() =>
			ml('/registered-models/update', {
				method: 'PATCH',
				json: { name: 'atomic-model', description: long(5001) }
			})
	],
	[
		'MLflow model-versions/update with an over-long description',
		() =>
			ml('/model-versions/update', {
				method: 'PATCH',
				json: { name: 'atomic-model', version: '1', description: long(5001) }
			})
	],
	[
		'/api/v1 experiment rename to an empty name',
		() => api(`/api/v1/experiments/${exp}`, { method: 'PATCH', json: { name: ' ' } })
	],
	[
		'/api/v1 run update with an over-long name',
		() => api(`/api/v1/runs/${v1Run}`, { method: 'PATCH', json: { name: long(501) } })
	],
	[
		'/api/v1 model tag with a bad key',
		() => api('/api/v1/models/atomic-model/tags/a*b', { method: 'PUT', json: { value: 'v' } })
	],
	[
		'/api/v1 alias with a reserved name',
		() => api('/api/v1/models/atomic-model/aliases/latest', { method: 'PUT', json: { version: 1 } })
	],
	[
		'/api/v1 version update with an over-long description',
		() =>
			api('/api/v1/models/atomic-model/versions/1', { method: 'PATCH', json: { description: long(5001) } })
	],
	[
		'sync push whose second mutation is bad',
		() =>
			api('/api/v1/sync/push', {
				method: 'POST',
				json: {
					clientId: 'atomic',
					mutations: [envelope(1, experiment('fine')), envelope(2, experiment('', 'exp_empty'))]
				}
			})
	]
];

describe('a refused write changes nothing', () => {
	for (const [what, send] of REFUSED)
		it(`${what}: 4xx, D1 row counts and R2 objects unchanged`, async () => {
			const before = await snapshot();
			const res = await send();
			const body = await res.text();
			expect(res.status, body).toBeGreaterThanOrEqual(400);
			expect(res.status, body).toBeLessThan(500);
			expect(await snapshot()).toEqual(before);
		});

	it('the snapshot sees a write (so the checks above can fail)', async () => {
		const before = await snapshot();
		expect((await upload('fresh.txt')()).status).toBe(200);
		const after = await snapshot();
		expect(after.rows.run_artifacts).toBe(before.rows.run_artifacts + 1);
		expect(after.objects.length).toBe(before.objects.length + 1);
	});
});
