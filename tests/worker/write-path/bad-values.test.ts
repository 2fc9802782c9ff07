import { beforeAll, describe, expect, it } from 'vitest';
import { applyMutation } from '../../../workers/registry/apply';
import { testEnv } from '../helpers';
import { api } from '../registry-helpers';

/**
 * One table of bad metric points, driven through every door that logs metrics: /api/v1 log-batch, MLflow's
 * log-metric and log-batch (finite and NaN, which takes the special-metrics path) and a sync push. Each door must
 * refuse each row with a 400 naming the field, and store nothing.
 */
const RUN = 'bad_values_run';
const BAD: { what: string; field: string; key: string; step: string; timestamp: string }[] = [
	{ what: 'an empty key', field: 'key', key: '', step: '0', timestamp: '1' },
	{ what: 'a key climbing out', field: 'key', key: '../x', step: '0', timestamp: '1' },
	{ what: 'the key __proto__', field: 'key', key: '__proto__', step: '0', timestamp: '1' },
	{ what: 'a 300-character key', field: 'key', key: 'k'.repeat(300), step: '0', timestamp: '1' },
	{ what: 'a negative timestamp', field: 'timestamp', key: 'loss', step: '0', timestamp: '-1' },
	{ what: 'a step beyond 2^53', field: 'step', key: 'loss', step: '9007199254740994', timestamp: '1' },
	{ what: 'a step of 400 digits', field: 'step', key: 'loss', step: `1${'0'.repeat(399)}`, timestamp: '1' },
	{ what: 'a fractional step', field: 'step', key: 'loss', step: '1.5', timestamp: '1' }
];
type Row = (typeof BAD)[number];

/** A metric point as JSON text, so numbers JSON.stringify cannot write (400 digits) reach the Worker as sent. */
const point = (r: Row, value: string, stepAsString = false) =>
	`{"key":${JSON.stringify(r.key)},"value":${value},"step":${stepAsString ? `"${r.step}"` : r.step},"timestamp":${r.timestamp}}`;

const post = (path: string, body: string) =>
	api(path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

let seq = 0;
const DOORS: { door: string; send: (r: Row) => Promise<Response>; code: (b: never) => string }[] = [
	{
		door: '/api/v1 log-batch',
		send: (r) => post(`/api/v1/runs/${RUN}/log-batch`, `{"metrics":[${point(r, '1')}]}`),
		code: (b: { error: { code: string } }) => b.error.code
	},
	{
		door: 'MLflow log-metric (finite)',
		send: (r) =>
			post('/api/2.0/mlflow/runs/log-metric', `{"run_id":"${RUN}",${point(r, '1', true).slice(1)}`),
		code: (b: { error_code: string }) => b.error_code
	},
	{
		door: 'MLflow log-metric (NaN)',
		send: (r) =>
			post('/api/2.0/mlflow/runs/log-metric', `{"run_id":"${RUN}",${point(r, '"NaN"', true).slice(1)}`),
		code: (b: { error_code: string }) => b.error_code
	},
	{
		door: 'MLflow log-batch (Infinity)',
		send: (r) =>
			post('/api/2.0/mlflow/runs/log-batch', `{"run_id":"${RUN}","metrics":[${point(r, '"Infinity"')}]}`),
		code: (b: { error_code: string }) => b.error_code
	},
	{
		door: 'sync push',
		send: (r) =>
			post(
				'/api/v1/sync/push',
				`{"clientId":"bad-values","mutations":[{"id":"bad_${++seq}","seq":1,"at":1,"mutation":` +
					`{"type":"run.log","runId":"${RUN}","metrics":[${point(r, '1')}],"params":[],"tags":[]}}]}`
			),
		code: (b: { error: { code: string } }) => b.error.code
	}
];

const stored = async () =>
	testEnv.DB.batch([
		testEnv.DB.prepare('SELECT COUNT(*) AS n FROM run_metrics'),
		testEnv.DB.prepare('SELECT COUNT(*) AS n FROM mutations')
	]).then((rs) => rs.map((r) => (r.results[0] as { n: number }).n));

beforeAll(async () => {
	expect((await api('/api/v1/experiments', { method: 'POST', json: { name: 'bad-values' } })).status).toBe(
		201
	);
	const exp = await testEnv.DB.prepare("SELECT id FROM experiments WHERE name = 'bad-values'").first<{
		id: string;
	}>();
	const run = await api('/api/v1/runs', { method: 'POST', json: { id: RUN, experimentId: exp!.id } });
	expect(run.status).toBe(201);
});

describe('one contract for every door: the same bad metric point is refused everywhere', () => {
	for (const row of BAD)
		it(`refuses ${row.what} through every door with a 400 naming "${row.field}", storing nothing`, async () => {
			const before = await stored();
			const verdicts: Record<string, unknown> = {};
			for (const d of DOORS) {
				const res = await d.send(row);
				const body = (await res.json()) as never;
				const message =
					(body as { message?: string; error?: { message: string } }).message ??
					(body as { error: { message: string } }).error.message;
				verdicts[d.door] = {
					status: res.status,
					code: d.code(body),
					namesField: message.includes(row.field)
				};
			}
			const want = (code: string) => ({ status: 400, code, namesField: true });
			expect(verdicts).toEqual({
				'/api/v1 log-batch': want('invalid_request'),
				'MLflow log-metric (finite)': want('INVALID_PARAMETER_VALUE'),
				'MLflow log-metric (NaN)': want('INVALID_PARAMETER_VALUE'),
				'MLflow log-batch (Infinity)': want('INVALID_PARAMETER_VALUE'),
				'sync push': want('invalid_request')
			});
			expect(await stored()).toEqual(before);
		});

	it('refuses the same values in special rows handed to applyMutation itself, whatever door made them', async () => {
		const before = await stored();
		for (const row of BAD) {
			const out = await applyMutation({
				db: testEnv.DB,
				workspaceId: 'local',
				mutationId: `direct_${row.field}_${row.key.length}_${row.step.length}`,
				clientId: null,
				clientSeq: null,
				at: 1,
				mutation: { type: 'run.log', runId: RUN, metrics: [], params: [], tags: [] },
				specialMetrics: [
					{
						key: row.key,
						value: null,
						special: 'NaN',
						step: Number(row.step),
						timestamp: Number(row.timestamp)
					}
				]
			});
			expect(out, row.what).toMatchObject({ outcome: 'rejected', status: 400, code: 'invalid_request' });
			expect((out as { message: string }).message, row.what).toContain(row.field);
		}
		expect(await stored()).toEqual(before);
	});

	it('still stores a good NaN point through MLflow (the table is not refusing everything)', async () => {
		const before = await stored();
		const res = await post(
			'/api/2.0/mlflow/runs/log-metric',
			`{"run_id":"${RUN}","key":"loss","value":"NaN","step":"3","timestamp":5}`
		);
		expect(res.status).toBe(200);
		const after = await stored();
		expect(after[0]).toBe(before[0] + 1);
	});
});
