import { describe, expect, it } from 'vitest';
import type { PullResponse } from '../../../src/lib/contract';
import { testEnv } from '../helpers';
import { ml } from '../mlflow/helpers';
import { api } from '../registry-helpers';

/**
 * Section 2 of docs/registry.md's write path: fifty identical or racing creates at once, through /api/v1 and
 * MLflow. None may answer 5xx; a name is created exactly once; versions are numbered 1..N with no gap or repeat.
 */
const N = 50;

async function all(make: (i: number) => Promise<Response>) {
	const res = await Promise.all(Array.from({ length: N }, (_, i) => make(i)));
	return Promise.all(
		res.map(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }))
	);
}

const count = (rows: { status: number }[], status: number) => rows.filter((r) => r.status === status).length;
const fiveXX = (rows: { status: number }[]) => rows.filter((r) => r.status >= 500);

async function rows(sql: string, ...binds: unknown[]): Promise<number> {
	const r = await testEnv.DB.prepare(sql)
		.bind(...binds)
		.first<{ n: number }>();
	return r?.n ?? 0;
}

async function versionNumbers(model: string): Promise<number[]> {
	const { results } = await testEnv.DB.prepare(
		'SELECT version FROM model_versions WHERE model_name = ? ORDER BY version'
	)
		.bind(model)
		.all<{ version: number }>();
	return results.map((r) => r.version);
}

const oneToN = Array.from({ length: N }, (_, i) => i + 1);

describe('parallel creates: no 5xx, one object per name, versions without gaps', () => {
	it('numbers 50 parallel /api/v1 versions 1..50 and logs each number in the change feed', async () => {
		expect((await api('/api/v1/models', { method: 'POST', json: { name: 'race-v1' } })).status).toBe(201);
		const out = await all(() =>
			api('/api/v1/models/race-v1/versions', { method: 'POST', json: { tags: { k: 'v' } } })
		);
		expect(fiveXX(out)).toEqual([]);
		expect(count(out, 201)).toBe(N);
		expect(out.map((r) => r.body.version as number).sort((a, b) => a - b)).toEqual(oneToN);
		expect(await versionNumbers('race-v1')).toEqual(oneToN);
		// Tags went to the version each create made, by its id.
		expect(await rows("SELECT COUNT(*) AS n FROM model_version_tags WHERE model_name = 'race-v1'")).toBe(N);
		const feed = await (await api('/api/v1/sync/pull?cursor=0')).json<PullResponse>();
		const logged = feed.changes
			.filter((ch) => ch.mutation.type === 'model.version.create')
			.map((ch) => (ch.result as { version: number }).version)
			.sort((a, b) => a - b);
		expect(logged).toEqual(oneToN);
	});

	it('numbers 50 parallel MLflow model-versions/create 1..50', async () => {
		await ml('/registered-models/create', { json: { name: 'race-ml' } });
		const out = await all(() =>
			ml('/model-versions/create', { json: { name: 'race-ml', source: 'mlflow-artifacts:/x' } })
		);
		expect(fiveXX(out)).toEqual([]);
		expect(count(out, 200)).toBe(N);
		const numbers = out.map((r) => Number((r.body.model_version as { version: string }).version));
		expect(numbers.sort((a, b) => a - b)).toEqual(oneToN);
		expect(await versionNumbers('race-ml')).toEqual(oneToN);
	});

	it('creates an experiment once for 50 identical creates through each API', async () => {
		const v1 = await all(() => api('/api/v1/experiments', { method: 'POST', json: { name: 'same-v1' } }));
		expect(fiveXX(v1)).toEqual([]);
		expect([count(v1, 201), count(v1, 409)]).toEqual([1, N - 1]);
		const mlf = await all(() => ml('/experiments/create', { json: { name: 'same-ml' } }));
		expect(fiveXX(mlf)).toEqual([]);
		expect(count(mlf, 200)).toBe(1);
		expect(mlf.filter((r) => r.status === 400).map((r) => r.body.error_code)).toEqual(
			Array(N - 1).fill('RESOURCE_ALREADY_EXISTS')
		);
		expect(await rows("SELECT COUNT(*) AS n FROM experiments WHERE name IN ('same-v1', 'same-ml')")).toBe(2);
	});

	it('creates a registered model once for 50 identical creates through each API, tags included', async () => {
		const v1 = await all(() => api('/api/v1/models', { method: 'POST', json: { name: 'model-v1' } }));
		expect(fiveXX(v1)).toEqual([]);
		expect([count(v1, 201), count(v1, 409)]).toEqual([1, N - 1]);
		const mlf = await all((i) =>
			ml('/registered-models/create', { json: { name: 'model-ml', tags: [{ key: 'by', value: `r${i}` }] } })
		);
		expect(fiveXX(mlf)).toEqual([]);
		expect(count(mlf, 200)).toBe(1);
		expect(mlf.filter((r) => r.status === 400).map((r) => r.body.error_code)).toEqual(
			Array(N - 1).fill('RESOURCE_ALREADY_EXISTS')
		);
		expect(
			await rows("SELECT COUNT(*) AS n FROM registered_models WHERE name IN ('model-v1', 'model-ml')")
		).toBe(2);
		// Only the winner's tag: the losers wrote nothing.
		expect(await rows("SELECT COUNT(*) AS n FROM model_tags WHERE model_name = 'model-ml'")).toBe(1);
	});

	it('creates runs: one for 50 creates of one /api/v1 id, 50 distinct for MLflow in the default experiment', async () => {
		await api('/api/v1/experiments', { method: 'POST', json: { name: 'runs-race' } });
		const exp = await testEnv.DB.prepare("SELECT id FROM experiments WHERE name = 'runs-race'").first<{
			id: string;
		}>();
		const v1 = await all(() =>
			api('/api/v1/runs', { method: 'POST', json: { id: 'one_run', experimentId: exp!.id } })
		);
		expect(fiveXX(v1)).toEqual([]);
		expect([count(v1, 201), count(v1, 409)]).toEqual([1, N - 1]);
		expect(await rows("SELECT COUNT(*) AS n FROM runs WHERE id = 'one_run'")).toBe(1);
		// Experiment "0" is made on first use: fifty runs race to make it, and all of them land in it.
		const mlf = await all(() => ml('/runs/create', { json: { experiment_id: '0' } }));
		expect(fiveXX(mlf)).toEqual([]);
		expect(count(mlf, 200)).toBe(N);
		const ids = new Set(mlf.map((r) => (r.body.run as { info: { run_id: string } }).info.run_id));
		expect(ids.size).toBe(N);
		expect(await rows("SELECT COUNT(*) AS n FROM experiments WHERE name = 'Default'")).toBe(1);
	});
});
