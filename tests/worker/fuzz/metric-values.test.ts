import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ml, newExperiment, newRun, ok as mlOk } from '../mlflow/helpers';
import { ok, seed, type Seeded } from '../v1/fixtures';
import { LIMITS } from '../../../src/lib/contract';
import { runs, SEED } from './arbitraries';

/**
 * A logged metric reads back as the number logged: any finite double, through /api/v1 log-batch and MLflow's
 * log-metric. Found by this fuzz, owned by no section of issue 8: rows reached D1 as JSON text expanded by
 * json_each, and SQLite's text-to-REAL conversion is off by one ulp for some values (1.460092505766015e-115
 * read back as 1.4600925057660151e-115); workers/registry/plan-runs.ts now binds them.
 */

let s: Seeded;
let n = 0;
beforeAll(async () => {
	s = await seed();
});

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

describe('metric values round-trip exactly', { timeout: 60_000 }, () => {
	it('/api/v1 log-batch', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(finite, { minLength: 1, maxLength: 20 }), async (values) => {
				const key = `m${++n}`;
				await ok(`/api/v1/runs/${s.runId}/log-batch`, {
					method: 'POST',
					json: { metrics: values.map((value, step) => ({ key, value, step, timestamp: 1 })) }
				});
				const got = await ok<{ points: { step: number; value: number }[] }>(
					`/api/v1/runs/${s.runId}/metrics/${key}`
				);
				expect(got.points.map((p) => p.value)).toEqual(values.map((v) => (Object.is(v, -0) ? 0 : v)));
			}),
			runs(20, 'metric-values')
		);
	});

	it('a full batch (1000 points, more than one statement) reads back exactly and in order', async () => {
		const values = fc.sample(finite, { numRuns: LIMITS.metricsPerBatch, seed: SEED });
		await ok(`/api/v1/runs/${s.runId}/log-batch`, {
			method: 'POST',
			json: { metrics: values.map((value, step) => ({ key: 'full', value, step, timestamp: 1 })) }
		});
		const got = await ok<{ points: { step: number; value: number }[] }>(
			`/api/v1/runs/${s.runId}/metrics/full`
		);
		expect(got.points.map((p) => p.step)).toEqual(values.map((_, step) => step));
		expect(got.points.map((p) => p.value)).toEqual(values.map((v) => (Object.is(v, -0) ? 0 : v)));
	});

	it('MLflow log-metric', async () => {
		const run = await newRun(await newExperiment('metric-values'));
		await fc.assert(
			fc.asyncProperty(finite, async (value) => {
				const key = `m${++n}`;
				await mlOk(ml('/runs/log-metric', { json: { run_id: run, key, value, timestamp: 1, step: 0 } }));
				const got = await mlOk<{ metrics: { value: number }[] }>(
					ml('/metrics/get-history', { query: { run_id: run, metric_key: key } })
				);
				expect(got.metrics.map((m) => m.value)).toEqual([Object.is(value, -0) ? 0 : value]);
			}),
			runs(20, 'metric-values')
		);
	});
});
