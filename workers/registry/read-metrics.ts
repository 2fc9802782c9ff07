/**
 * Read side of metrics. Values come back as JS numbers with MLflow's specials restored (NaN, ±Infinity are kept
 * in the `special` column because SQLite has no NaN); a JSON route that must stay finite maps them itself.
 */

export interface MetricPoint {
	step: number;
	timestamp: number;
	value: number;
}
export type LatestMetric = MetricPoint & { key: string };

interface MetricRow {
	key: string;
	step: number;
	timestamp: number;
	value: number | null;
	special: string | null;
}

export function metricValue(r: { value: number | null; special: string | null }): number {
	if (r.special === 'NaN') return NaN;
	if (r.special === 'Infinity') return Infinity;
	if (r.special === '-Infinity') return -Infinity;
	return r.value ?? NaN;
}

/** Every point of one metric, ordered by step then timestamp (the order MLflow's history uses). */
export async function metricHistory(
	db: D1Database,
	workspaceId: string,
	runId: string,
	key: string
): Promise<MetricPoint[]> {
	const { results } = await db
		.prepare(
			`SELECT key, step, timestamp, value, special FROM run_metrics
			 WHERE workspace_id = ? AND run_id = ? AND key = ? ORDER BY step, timestamp, rowid`
		)
		.bind(workspaceId, runId, key)
		.all<MetricRow>();
	return results.map((r) => ({ step: r.step, timestamp: r.timestamp, value: metricValue(r) }));
}

/**
 * The latest point per key: the highest step, then the latest timestamp, then the last logged (MLflow's rule
 * for a run's summary metrics).
 */
export async function latestMetrics(
	db: D1Database,
	workspaceId: string,
	runId: string
): Promise<LatestMetric[]> {
	const { results } = await db
		.prepare(
			`SELECT key, step, timestamp, value, special FROM (
			   SELECT key, step, timestamp, value, special,
			          ROW_NUMBER() OVER (PARTITION BY key ORDER BY step DESC, timestamp DESC, rowid DESC) AS n
			   FROM run_metrics WHERE workspace_id = ? AND run_id = ?
			 ) WHERE n = 1 ORDER BY key`
		)
		.bind(workspaceId, runId)
		.all<MetricRow>();
	return results.map((r) => ({ key: r.key, step: r.step, timestamp: r.timestamp, value: metricValue(r) }));
}
