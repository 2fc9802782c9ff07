import { beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers';
import { otherWorkspaceToken } from '../registry-helpers';
import { seed, type Seeded } from '../v1/fixtures';
import { seedMlflow, type MlflowSeed } from './mlflow-seed';
import { stateDigest } from './state';
import { ALL_ROUTES, callWith, fillPath, label } from './table';

/**
 * Reads never write, over both route tables: every GET (and HEAD) route, and MLflow's POST searches, asked by a
 * read-only token about objects that exist, that do not, and MLflow's default experiment "0", leave D1 and R2
 * exactly as they were. Fails on the code before issue 8's feed work: `experiments/get?experiment_id=0` created
 * the Default experiment (section "feed": reads never write).
 */

let v1: Seeded;
let m: MlflowSeed;
let reader: string;
beforeAll(async () => {
	v1 = await seed();
	m = await seedMlflow('reads');
	reader = await otherWorkspaceToken('local', ['read']);
});

const READS = ALL_ROUTES.filter(
	(r) => r.method === 'GET' || (r.method === 'POST' && /\/(search|get-latest-versions)$/.test(r.path))
);

/** Path parameters and MLflow fields naming what the seeds made, or (`missing`) nothing at all. */
function values(pattern: string, missing: boolean): Record<string, string> {
	if (missing)
		return {
			id: 'nope',
			key: 'nope',
			path: 'nope',
			sha256: '0'.repeat(64),
			name: 'nope',
			version: '9',
			alias: 'nope'
		};
	return {
		id: pattern.includes('/experiments/') ? v1.experimentId : v1.runId,
		key: 'loss',
		path: 'model/weights.bin',
		sha256: v1.sha,
		name: v1.model,
		version: '1',
		alias: 'champion',
		'*': `${m.artifactRoot}/model/a.txt`
	};
}

function fields(variant: 'seeded' | 'missing' | 'default'): Record<string, string> {
	if (variant === 'default') return { experiment_id: '0', experiment_name: 'Default', path: '0' };
	const gone = variant === 'missing';
	return {
		experiment_id: gone ? 'exp_nope' : m.experimentId,
		experiment_name: gone ? 'nope' : 'seed-exp-reads',
		run_id: gone ? 'nope' : m.runId,
		name: gone ? 'nope' : m.model,
		version: '1',
		alias: 'champion',
		metric_key: 'loss',
		path: gone ? 'a/b/artifacts' : m.artifactRoot
	};
}

describe('reads never write, over both route tables', () => {
	it('the read routes include every GET of both routers', () => {
		expect(READS.filter((r) => r.method === 'GET').length).toBe(
			ALL_ROUTES.filter((r) => r.method === 'GET').length
		);
		expect(READS.length).toBeGreaterThan(30);
	});

	it.each(READS.map((r) => [label(r), r] as const))('%s with a read token changes nothing', async (_, r) => {
		for (const variant of ['seeded', 'missing', 'default'] as const) {
			const path = fillPath(r.path, values(r.path, variant === 'missing'));
			const q = fields(variant);
			const methods = r.method === 'GET' ? ['GET', 'HEAD'] : ['POST'];
			for (const method of methods) {
				const before = await stateDigest(testEnv.DB, testEnv.ARTIFACTS);
				const res = await callWith(method === 'POST' ? path : `${path}?${new URLSearchParams(q)}`, {
					method,
					token: reader,
					json: method === 'POST' ? q : undefined
				});
				const text = await res.text();
				expect(res.status, `${method} ${path} (${variant}): ${text.slice(0, 200)}`).toBeLessThan(500);
				expect(await stateDigest(testEnv.DB, testEnv.ARTIFACTS), `${method} ${path} (${variant}) wrote`).toBe(
					before
				);
			}
		}
	});
});
