import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ml, newExperiment, newRun, ok as mlOk } from '../mlflow/helpers';
import { ok, seed, type Seeded } from '../v1/fixtures';
import { runs, unicodeKey, unicodeName, unicodeText } from './arbitraries';

/**
 * Valid input is accepted, beyond ASCII: names, keys and values in any script (emoji, right-to-left text,
 * combining marks) written through /api/v1 and through MLflow come back exactly as sent when read.
 */

let s: Seeded;
let n = 0;
beforeAll(async () => {
	s = await seed();
});

describe('valid Unicode input is accepted and read back as sent', { timeout: 60_000 }, () => {
	it('/api/v1 experiments: any trimmed name', async () => {
		await fc.assert(
			fc.asyncProperty(unicodeName, async (base) => {
				const name = `${base} ${++n}`;
				const made = await ok<{ id: string }>('/api/v1/experiments', {
					method: 'POST',
					json: { name },
					status: 201
				});
				expect(await ok(`/api/v1/experiments/${made.id}`)).toMatchObject({ name });
			}),
			runs(15, 'unicode-accepted')
		);
	});

	it('/api/v1 runs: params, tags and metrics with Unicode keys and values', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.dictionary(unicodeKey, unicodeText(), { minKeys: 1, maxKeys: 4 }),
				unicodeKey,
				// Values here are integers: any double is metric-values.test.ts's property.
				fc.integer(),
				fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
				async (kv, metricKey, value, step) => {
					const id = `run_u${++n}`;
					await ok('/api/v1/runs', {
						method: 'POST',
						json: { id, experimentId: s.experimentId, name: Object.values(kv)[0], params: kv, tags: kv },
						status: 201
					});
					await ok(`/api/v1/runs/${id}/log-batch`, {
						method: 'POST',
						json: { metrics: [{ key: metricKey, value, step, timestamp: 1 }] }
					});
					const run = await ok<{ params: unknown; tags: Record<string, string> }>(`/api/v1/runs/${id}`);
					expect(run.params).toEqual(kv);
					expect(run.tags).toMatchObject(kv);
					const history = await ok<{ points?: unknown[] } & Record<string, unknown>>(
						`/api/v1/runs/${id}/metrics/${metricKey.split('/').map(encodeURIComponent).join('/')}`
					);
					expect(JSON.stringify(history)).toContain(`"value":${value}`);
				}
			),
			runs(15, 'unicode-accepted')
		);
	});

	it('/api/v1 models: Unicode tag keys, values and descriptions', async () => {
		await fc.assert(
			fc.asyncProperty(unicodeKey, unicodeText(), unicodeText(), async (key, value, description) => {
				const path = `/api/v1/models/${s.model}`;
				await ok(`${path}/tags/${encodeURIComponent(key)}`, { method: 'PUT', json: { value } });
				await ok(path, { method: 'PATCH', json: { description } });
				const model = await ok<{ tags: Record<string, string>; description: string }>(path);
				expect(model.tags[key]).toBe(value);
				expect(model.description).toBe(description);
			}),
			runs(15, 'unicode-accepted')
		);
	});

	it('MLflow: experiment names, run tags, params and metrics', async () => {
		const exp = await newExperiment('unicode-mlflow');
		await fc.assert(
			fc.asyncProperty(
				unicodeName,
				unicodeKey,
				unicodeText(),
				fc.integer(),
				async (base, key, value, metric) => {
					const name = `${base} ${++n}`;
					const id = await newExperiment(name);
					const byName = await mlOk<{ experiment: { experiment_id: string; name: string } }>(
						ml('/experiments/get-by-name', { query: { experiment_name: name } })
					);
					expect(byName.experiment).toMatchObject({ experiment_id: id, name });
					const run = await newRun(exp);
					await mlOk(ml('/runs/set-tag', { json: { run_id: run, key, value } }));
					await mlOk(ml('/runs/log-parameter', { json: { run_id: run, key, value } }));
					await mlOk(
						ml('/runs/log-metric', { json: { run_id: run, key, value: metric, timestamp: 5, step: 2 } })
					);
					const got = await mlOk<{
						run: { data: { tags: { key: string; value: string }[]; params: unknown[]; metrics: unknown[] } };
					}>(ml('/runs/get', { query: { run_id: run } }));
					expect(got.run.data.tags).toContainEqual({ key, value });
					expect(got.run.data.params).toEqual([{ key, value }]);
					expect(got.run.data.metrics).toEqual([{ key, value: metric, timestamp: 5, step: 2 }]);
				}
			),
			runs(12, 'unicode-accepted')
		);
	});

	it('MLflow registry: model descriptions, model and version tags', async () => {
		const run = await newRun(await newExperiment('unicode-registry'));
		await fc.assert(
			fc.asyncProperty(unicodeText(), unicodeKey, unicodeText(), async (description, key, value) => {
				const name = `uni-model-${++n}`;
				await mlOk(ml('/registered-models/create', { json: { name, description, tags: [{ key, value }] } }));
				await mlOk(
					ml('/model-versions/create', {
						json: { name, source: `runs:/${run}/model`, run_id: run, description, tags: [{ key, value }] }
					})
				);
				const model = await mlOk<{ registered_model: { description: string; tags: unknown[] } }>(
					ml('/registered-models/get', { query: { name } })
				);
				expect(model.registered_model).toMatchObject({ description, tags: [{ key, value }] });
				const version = await mlOk<{ model_version: { description: string; tags: unknown[] } }>(
					ml('/model-versions/get', { query: { name, version: '1' } })
				);
				expect(version.model_version).toMatchObject({ description, tags: [{ key, value }] });
			}),
			runs(10, 'unicode-accepted')
		);
	});
});
