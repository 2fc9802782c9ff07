import { caught, clearDb, newRun } from './helpers';
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '$lib/tracking/db';
import { foldSummary } from '$lib/tracking/metrics';
import { finishRun, getRun, logMetrics, metricHistory, type MetricInput } from '$lib/tracking/runs';

beforeEach(clearDb);

describe('metrics are append-only and the summary follows them', () => {
	it('keeps every point, ordered by step, same-step points in arrival order', async () => {
		const run = await newRun();
		await logMetrics(run.id, [
			{ key: 'loss', value: 0.9, step: 2, timestamp: 10 },
			{ key: 'loss', value: 1.2, step: 0, timestamp: 11 }
		]);
		await logMetrics(run.id, [
			{ key: 'loss', value: 1.0, step: 1, timestamp: 12 },
			{ key: 'loss', value: 0.8, step: 2, timestamp: 13 },
			{ key: 'acc', value: 0.5, step: 1, timestamp: 14 }
		]);
		expect(await metricHistory(run.id, 'loss')).toEqual([
			{ step: 0, timestamp: 11, value: 1.2 },
			{ step: 1, timestamp: 12, value: 1.0 },
			{ step: 2, timestamp: 10, value: 0.9 },
			{ step: 2, timestamp: 13, value: 0.8 }
		]);
		expect(await metricHistory(run.id, 'acc')).toHaveLength(1);
		expect(await db().metrics.count()).toBe(5);
	});

	// [what, points in arrival order, expected summary value]
	const latest: [string, MetricInput[], number][] = [
		['the highest step wins', [p(5, 2, 1), p(3, 1, 2)], 5],
		['a later timestamp wins on the same step', [p(7, 4, 2), p(8, 4, 1)], 7],
		['a later arrival wins on a full tie', [p(1, 4, 4), p(2, 4, 4)], 2],
		['a lower step logged later does not win', [p(9, 10, 1), p(1, 0, 99)], 9]
	];
	it.each(latest)('summary: %s (MLflow latest)', async (_, points, expected) => {
		const run = await newRun();
		for (const point of points) await logMetrics(run.id, [point]);
		expect((await getRun(run.id))?.summary.loss).toBe(expected);
	});

	it('summary of one batch equals the summary of the same points one by one', () => {
		const rows = [p(1, 0, 1), p(2, 1, 2), p(0.5, 1, 3)].map((x) => ({
			...x,
			runId: 'r',
			timestamp: x.timestamp!
		}));
		const batch = foldSummary({ summary: {}, summaryAt: {} }, rows);
		const single = rows.reduce((acc, r) => foldSummary(acc, [r]), { summary: {}, summaryAt: {} });
		expect(batch).toEqual(single);
		expect(batch.summary).toEqual({ loss: 0.5 });
	});

	const refused: [string, number, number][] = [
		['NaN', NaN, 0],
		['Infinity', Infinity, 0],
		['-Infinity', -Infinity, 0],
		['a fractional step', 1, 1.5]
	];
	it.each(refused)('refuses %s and writes nothing from the batch', async (_, value, step) => {
		const run = await newRun();
		const err = await caught(() =>
			logMetrics(run.id, [
				{ key: 'loss', value: 0.4, step: 0 },
				{ key: 'loss', value, step }
			])
		);
		expect(err.name).toBe('InvalidMetric');
		expect(err.message).toContain('"loss"');
		expect(await db().metrics.count()).toBe(0);
		expect((await getRun(run.id))?.summary).toEqual({});
	});

	it('appends to an ended run (MLflow allows it), not to a deleted one', async () => {
		const run = await newRun();
		await finishRun(run.id, 'finished');
		await logMetrics(run.id, [{ key: 'test_acc', value: 0.9, step: 0 }]);
		expect((await getRun(run.id))?.summary.test_acc).toBe(0.9);
		await db().runs.update(run.id, { deletedAt: 1 });
		expect((await caught(() => logMetrics(run.id, [{ key: 'x', value: 1, step: 0 }]))).name).toBe(
			'RunDeleted'
		);
	});

	it('stamps points without a timestamp with the current time', async () => {
		const run = await newRun();
		const before = Date.now();
		await logMetrics(run.id, [{ key: 'loss', value: 1, step: 0 }]);
		const [point] = await metricHistory(run.id, 'loss');
		expect(point.timestamp).toBeGreaterThanOrEqual(before);
	});
});

function p(value: number, step: number, timestamp: number): MetricInput {
	return { key: 'loss', value, step, timestamp };
}
