import { beforeAll, describe, expect, it } from 'vitest';
import { experimentIdForName, type PullResponse } from '../../src/lib/contract';
import { testEnv } from './helpers';
import { otherWorkspaceToken } from './registry-helpers';
import { api, ok, seed, type Seeded } from './v1/fixtures';

/** Row counts of every table the migrations made (whatever is added later is covered too). */
async function rowCounts(): Promise<Record<string, number>> {
	const { results } = await testEnv.DB.prepare(
		`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'`
	).all<{ name: string }>();
	const out: Record<string, number> = {};
	for (const { name } of results)
		out[name] = (await testEnv.DB.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).first<{ n: number }>())!.n;
	return out;
}

/** Every read route of both APIs, as a read-only token calls them. */
function reads(s: Seeded): string[] {
	const ml = '/api/2.0/mlflow';
	const exp = encodeURIComponent(s.experimentId);
	return [
		'/api/v1/me',
		'/api/v1/workspaces/current',
		'/api/v1/experiments',
		`/api/v1/experiments/${exp}`,
		`/api/v1/runs?experimentId=${exp}`,
		`/api/v1/runs/${s.runId}`,
		`/api/v1/runs/${s.runId}/metrics/loss`,
		`/api/v1/runs/${s.runId}/artifacts`,
		`/api/v1/runs/${s.runId}/artifacts/model/weights.bin`,
		`/api/v1/blobs/${s.sha}`,
		'/api/v1/models',
		`/api/v1/models/${s.model}`,
		`/api/v1/models/${s.model}/versions`,
		`/api/v1/models/${s.model}/versions/1`,
		`/api/v1/models/${s.model}/versions/1/lineage`,
		`/api/v1/models/${s.model}/aliases/champion`,
		'/api/v1/sync/pull?cursor=w0',
		'/api/v1/sync/pull?cursor=0',
		// MLflow's default experiment "0" used to be created by the first read that named it.
		`${ml}/experiments/get?experiment_id=0`,
		`${ml}/experiments/get?experiment_id=${exp}`,
		`${ml}/experiments/get-by-name?experiment_name=iris`,
		`${ml}/experiments/search?max_results=10`,
		`${ml}/runs/get?run_id=${s.runId}`,
		`${ml}/metrics/get-history?run_id=${s.runId}&metric_key=loss`,
		`${ml}/registered-models/get?name=${s.model}`,
		`${ml}/registered-models/search`,
		`${ml}/registered-models/get-latest-versions?name=${s.model}`,
		`${ml}/registered-models/alias?name=${s.model}&alias=champion`,
		`${ml}/model-versions/get?name=${s.model}&version=1`,
		`${ml}/model-versions/get-download-uri?name=${s.model}&version=1`,
		`${ml}/model-versions/search`,
		`/api/2.0/mlflow-artifacts/artifacts?path=${exp}/${s.runId}/artifacts/model`,
		`/api/2.0/mlflow-artifacts/artifacts/${exp}/${s.runId}/artifacts/model/weights.bin`
	];
}

describe('reads never write', () => {
	let s: Seeded;
	let read: string;
	beforeAll(async () => {
		s = await seed();
		read = await otherWorkspaceToken('local', ['read']);
		// The token's first use records when it was used (to the minute); let that happen before counting.
		await ok('/api/v1/me', { token: read });
	});

	it('GET and HEAD with a read token leave every table as it was', async () => {
		const before = await rowCounts();
		const seqBefore = await testEnv.DB.prepare('SELECT MAX(seq) AS n FROM mutations').first();
		for (const path of reads(s)) {
			for (const method of ['GET', 'HEAD']) {
				const res = await api(path, { method, token: read });
				expect(res.status, `${method} ${path}`).toBeLessThan(400);
				await res.arrayBuffer();
			}
		}
		// MLflow's searches are POSTs that only read; the default experiment "0" is searched by id too.
		for (const [path, json] of [
			['/api/2.0/mlflow/experiments/search', { max_results: 10 }],
			['/api/2.0/mlflow/runs/search', { experiment_ids: ['0', s.experimentId] }]
		] as const)
			await ok(path, { method: 'POST', json, token: read });
		expect(await rowCounts()).toEqual(before);
		expect(await testEnv.DB.prepare('SELECT MAX(seq) AS n FROM mutations').first()).toEqual(seqBefore);
	});

	it("a new workspace has MLflow's Default experiment from its creation, in its feed as change 1", async () => {
		const made = await ok<{ secret: string }>('/api/v1/workspaces', {
			method: 'POST',
			json: { id: 'fresh-ws', name: 'Fresh' },
			status: 201
		});
		const got = await ok<{ experiment: { experiment_id: string; name: string } }>(
			'/api/2.0/mlflow/experiments/get?experiment_id=0',
			{ token: made.secret }
		);
		// The id in migration 0005 is the one the contract derives from the name.
		expect(got.experiment).toMatchObject({
			experiment_id: experimentIdForName('Default'),
			name: 'Default'
		});
		const feed = await ok<PullResponse>('/api/v1/sync/pull', { token: made.secret });
		expect(feed.changes.map((ch) => [ch.seq, ch.mutation])).toEqual([
			[
				1,
				{
					type: 'experiment.create',
					experiment: {
						id: experimentIdForName('Default'),
						name: 'Default',
						createdAt: expect.any(Number)
					}
				}
			]
		]);
	});
});
