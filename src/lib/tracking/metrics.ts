import Dexie from 'dexie';
import { liveRun } from './access';
import { db, type EdgebookDB } from './db';
import { guardStorage, TrackingError } from './errors';
import type { MetricPoint, MetricRow, Run, SummarySource } from './run-schema';
import { checkKey } from './validate';
import { record, runLog } from './outbox';

/** Metrics are append-only (MLflow): every point is kept, the same step may be logged more than once. */

export interface MetricInput {
	key: string;
	value: number;
	step: number;
	/** Epoch milliseconds; now when left out. */
	timestamp?: number;
}

/** Rough bytes one stored point takes, for the "storage full" message. */
const BYTES_PER_POINT = 96;

export function checkPoints(
	runId: string,
	points: readonly MetricInput[],
	now: number
): Omit<MetricRow, 'id'>[] {
	return points.map((p, i) => {
		checkKey('metric', p.key);
		const where = `metric "${p.key}" (point ${i + 1} of ${points.length})`;
		if (typeof p.value !== 'number' || !Number.isFinite(p.value))
			throw new TrackingError(
				'InvalidMetric',
				`The ${where} has the value ${String(p.value)} at step ${p.step}; only finite numbers can be logged. ` +
					'A NaN or infinite loss usually means training diverged: try a lower learning rate.',
				{ key: p.key, step: p.step, value: String(p.value) }
			);
		if (!Number.isSafeInteger(p.step))
			throw new TrackingError('InvalidMetric', `The ${where} has step ${p.step}; a step is a whole number.`, {
				key: p.key
			});
		const timestamp = p.timestamp ?? now;
		if (!Number.isSafeInteger(timestamp) || timestamp < 0)
			throw new TrackingError(
				'InvalidMetric',
				`The ${where} has timestamp ${timestamp}; a timestamp is whole epoch milliseconds.`,
				{ key: p.key }
			);
		return { runId, key: p.key, step: p.step, timestamp, value: p.value };
	});
}

/** MLflow's "latest": the highest step, then the newest timestamp; on a full tie the later arrival wins. */
export function isLater(candidate: SummarySource, current: SummarySource | undefined): boolean {
	if (!current) return true;
	if (candidate.step !== current.step) return candidate.step > current.step;
	return candidate.timestamp >= current.timestamp;
}

/** The run's summary after appending `rows`, in arrival order. Pure. */
export function foldSummary(
	run: Pick<Run, 'summary' | 'summaryAt'>,
	rows: readonly Omit<MetricRow, 'id'>[]
): Pick<Run, 'summary' | 'summaryAt'> {
	const summary = { ...run.summary };
	const summaryAt = { ...run.summaryAt };
	for (const r of rows) {
		const at = { step: r.step, timestamp: r.timestamp };
		if (isLater(at, summaryAt[r.key])) {
			summary[r.key] = r.value;
			summaryAt[r.key] = at;
		}
	}
	return { summary, summaryAt };
}

/** Append points and update the summary in the same transaction (the inside of `logMetrics`). */
export async function appendMetrics(d: EdgebookDB, run: Run, rows: Omit<MetricRow, 'id'>[]): Promise<Run> {
	if (rows.length === 0) return run;
	await d.metrics.bulkAdd(rows);
	const next = { ...run, ...foldSummary(run, rows) };
	await d.runs.update(run.id, { summary: next.summary, summaryAt: next.summaryAt });
	return next;
}

/** All points are checked before any is written: a batch with one NaN writes nothing. */
export async function logMetrics(runId: string, points: readonly MetricInput[]): Promise<void> {
	const rows = checkPoints(runId, points, Date.now());
	if (rows.length === 0) return;
	const d = db();
	await guardStorage(`logging ${rows.length} metric points`, rows.length * BYTES_PER_POINT, () =>
		d.transaction('rw', d.runs, d.metrics, d.outbox, async () => {
			await appendMetrics(d, await liveRun(d, runId), rows);
			await record(d, runLog(runId, { metrics: rows }));
		})
	);
}

/** One key's points ordered by step; points at the same step in the order they were logged. */
export async function metricHistory(runId: string, key: string): Promise<MetricPoint[]> {
	const rows = await db()
		.metrics.where('[runId+key+step]')
		.between([runId, key, Dexie.minKey], [runId, key, Dexie.maxKey])
		.toArray();
	// Checked by hand rather than with zod: histories run to many thousands of points per chart.
	return rows.flatMap((r) =>
		Number.isFinite(r.value) && Number.isFinite(r.step) && Number.isFinite(r.timestamp)
			? [{ step: r.step, timestamp: r.timestamp, value: r.value }]
			: []
	);
}

/**
 * Every point of a run, ordered by key then step. Two-part bounds: `[runId, maxKey]` sorts after every
 * `[runId, key, step]` (arrays sort after strings), and the same `maxKey` object twice in one key is invalid.
 */
export function runMetricsRange(d: EdgebookDB, runId: string) {
	return d.metrics.where('[runId+key+step]').between([runId, Dexie.minKey], [runId, Dexie.maxKey]);
}
