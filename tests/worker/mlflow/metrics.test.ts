import { describe, expect, it } from 'vitest';
import { fails, ml, newExperiment, newRun, ok } from './helpers';

type Point = { key: string; value: number | string; timestamp: number; step: number };
const history = (run: string, key: string, extra: Record<string, string> = {}) =>
	ok<{ metrics: Point[]; next_page_token?: string }>(
		ml('/metrics/get-history', { query: { run_id: run, metric_key: key, ...extra } })
	);
const latest = async (run: string) =>
	(
		await ok<{ run: { data: { metrics: Point[]; params: { key: string; value: string }[] } } }>(
			ml('/runs/get', { query: { run_id: run } })
		)
	).run.data;

describe('runs/log-metric and metrics/get-history', () => {
	it('appends points, keeps the latest per key, and returns the history in step order', async () => {
		const run = await newRun(await newExperiment('metrics-hist'));
		for (const [step, value] of [
			[2, 0.3],
			[0, 0.9],
			[1, 0.5]
		] as const)
			expect(
				await ok(
					ml('/runs/log-metric', { json: { run_id: run, key: 'loss', value, timestamp: 1000 + step, step } })
				)
			).toEqual({});
		const h = await history(run, 'loss');
		expect(h.metrics).toEqual([
			{ key: 'loss', value: 0.9, timestamp: 1000, step: 0 },
			{ key: 'loss', value: 0.5, timestamp: 1001, step: 1 },
			{ key: 'loss', value: 0.3, timestamp: 1002, step: 2 }
		]);
		expect((await latest(run)).metrics).toEqual([{ key: 'loss', value: 0.3, timestamp: 1002, step: 2 }]);
		const page1 = await history(run, 'loss', { max_results: '2' });
		expect(page1.metrics.map((p) => p.step)).toEqual([0, 1]);
		const page2 = await history(run, 'loss', { max_results: '2', page_token: page1.next_page_token! });
		expect(page2.metrics.map((p) => p.step)).toEqual([2]);
	});

	it('stores NaN and ±Infinity and gives them back as strings', async () => {
		const run = await newRun(await newExperiment('metrics-nan'));
		for (const [step, value] of [
			[0, 'NaN'],
			[1, 'Infinity'],
			[2, '-Infinity'],
			[3, 1.5]
		] as const)
			await ok(ml('/runs/log-metric', { json: { run_id: run, key: 'x', value, timestamp: 5, step } }));
		expect((await history(run, 'x')).metrics.map((p) => p.value)).toEqual([
			'NaN',
			'Infinity',
			'-Infinity',
			1.5
		]);
	});

	it('defaults step to 0 and refuses a missing timestamp, a bad value or an unknown run', async () => {
		const run = await newRun(await newExperiment('metrics-bad'));
		await ok(ml('/runs/log-metric', { json: { run_id: run, key: 'a', value: 1, timestamp: 7 } }));
		expect((await history(run, 'a')).metrics).toEqual([{ key: 'a', value: 1, timestamp: 7, step: 0 }]);
		await fails(
			ml('/runs/log-metric', { json: { run_id: run, key: 'a', value: 1 } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		await fails(
			ml('/runs/log-metric', { json: { run_id: run, key: 'a', value: 'lots', timestamp: 1 } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		await fails(
			ml('/runs/log-metric', { json: { run_id: run, key: '', value: 1, timestamp: 1 } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		await fails(
			ml('/runs/log-metric', { json: { run_id: 'nope', key: 'a', value: 1, timestamp: 1 } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
		await fails(ml('/metrics/get-history', { query: { run_id: run } }), 400, 'INVALID_PARAMETER_VALUE');
		await fails(
			ml('/metrics/get-history', { query: { run_id: 'nope', metric_key: 'a' } }),
			404,
			'RESOURCE_DOES_NOT_EXIST'
		);
	});
});

describe('runs/log-parameter: params are immutable', () => {
	it('accepts the same value again and refuses a changed one with INVALID_PARAMETER_VALUE', async () => {
		const run = await newRun(await newExperiment('params'));
		expect(await ok(ml('/runs/log-parameter', { json: { run_id: run, key: 'lr', value: '0.1' } }))).toEqual(
			{}
		);
		await ok(ml('/runs/log-parameter', { json: { run_id: run, key: 'lr', value: '0.1' } }));
		const msg = await fails(
			ml('/runs/log-parameter', { json: { run_id: run, key: 'lr', value: '0.2' } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		expect(msg).toMatch(/immutable/);
		expect((await latest(run)).params).toEqual([{ key: 'lr', value: '0.1' }]);
		await fails(
			ml('/runs/log-parameter', { json: { run_id: run, value: '1' } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
	});
});

describe('runs/log-batch', () => {
	it('logs metrics, params and tags in one request', async () => {
		const run = await newRun(await newExperiment('batch'));
		expect(
			await ok(
				ml('/runs/log-batch', {
					json: {
						run_id: run,
						metrics: [
							{ key: 'acc', value: 0.5, timestamp: 10, step: 0 },
							{ key: 'acc', value: 0.7, timestamp: 11, step: 1 },
							{ key: 'div', value: 'NaN', timestamp: 12, step: 1 }
						],
						params: [{ key: 'epochs', value: '3' }],
						tags: [{ key: 'framework', value: 'tfjs' }]
					}
				})
			)
		).toEqual({});
		const data = await latest(run);
		expect(data.metrics).toEqual([
			{ key: 'acc', value: 0.7, timestamp: 11, step: 1 },
			{ key: 'div', value: 'NaN', timestamp: 12, step: 1 }
		]);
		expect(data.params).toEqual([{ key: 'epochs', value: '3' }]);
	});

	it("refuses MLflow's over-limit batches, changed params, and unknown runs", async () => {
		const run = await newRun(await newExperiment('batch-bad'), {});
		await ok(ml('/runs/log-batch', { json: { run_id: run, params: [{ key: 'p', value: 'a' }] } }));
		const tooMany = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
		const msg = await fails(
			ml('/runs/log-batch', { json: { run_id: run, metrics: tooMany } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		expect(msg).toMatch(/at most 1000 metrics/);
		const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: '1' }));
		await fails(ml('/runs/log-batch', { json: { run_id: run, params } }), 400, 'INVALID_PARAMETER_VALUE');
		await fails(
			ml('/runs/log-batch', { json: { run_id: run, params: [{ key: 'p', value: 'b' }] } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		await fails(ml('/runs/log-batch', { json: { run_id: 'nope' } }), 404, 'RESOURCE_DOES_NOT_EXIST');
		await fails(
			ml('/runs/log-batch', { json: { run_id: run, metrics: 'x' } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		await fails(ml('/runs/log-batch', { json: {} }), 400, 'INVALID_PARAMETER_VALUE');
	});
});

describe('runs/log-model', () => {
	it('appends each logged model to the mlflow.log-model.history tag', async () => {
		const run = await newRun(await newExperiment('log-model'));
		const model = { artifact_path: 'model', flavors: { python_function: {} } };
		for (let i = 0; i < 2; i++)
			expect(
				await ok(ml('/runs/log-model', { json: { run_id: run, model_json: JSON.stringify(model) } }))
			).toEqual({});
		const { run: got } = await ok<{ run: { data: { tags: { key: string; value: string }[] } } }>(
			ml('/runs/get', { query: { run_id: run } })
		);
		const tag = got.data.tags.find((t) => t.key === 'mlflow.log-model.history');
		expect(JSON.parse(tag!.value)).toEqual([model, model]);
		await fails(
			ml('/runs/log-model', { json: { run_id: run, model_json: '{' } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		await fails(ml('/runs/log-model', { json: { run_id: run } }), 400, 'INVALID_PARAMETER_VALUE');
	});
});
