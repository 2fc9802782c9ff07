import { z } from 'zod';
import { metricValue, latestMetrics, type LatestMetric } from '../registry/read-metrics';
import { getRun, type RunRecord } from '../registry/read-runs';
import { runOut } from './convert';
import { invalid, notFound } from './errors';
import { f, workspace, type Ctx } from './request';

/** Run lookups shared by the run, metric and artifact routes. */

/** MLflow's older clients name the run `run_uuid`; either is accepted, `run_id` first. */
export const runRef = { run_id: f.str.optional(), run_uuid: f.str.optional() };
export function runIdOf(m: { run_id?: string; run_uuid?: string }): string {
	const id = m.run_id || m.run_uuid;
	if (!id) throw invalid("Missing value for required parameter 'run_id'.");
	return id;
}

export async function loadRun(c: Ctx, id: string): Promise<RunRecord> {
	const run = await getRun(c.env.DB, workspace(c), id);
	if (!run) throw notFound(`Run with id=${id} not found`);
	return run;
}

export async function runJson(c: Ctx, id: string) {
	const run = await loadRun(c, id);
	return runOut(run, await latestMetrics(c.env.DB, workspace(c), id));
}

/** Latest metrics of many runs in one query (search), by the same rule as latestMetrics. */
export const latestMetricsOf = (c: Ctx, ids: string[]) => latestMetricsOfRuns(c.env.DB, workspace(c), ids);

export async function latestMetricsOfRuns(
	db: D1Database,
	workspaceId: string,
	ids: string[]
): Promise<Map<string, LatestMetric[]>> {
	const out = new Map<string, LatestMetric[]>(ids.map((id) => [id, []]));
	if (!ids.length) return out;
	const { results } = await db
		.prepare(
			`SELECT run_id, key, step, timestamp, value, special FROM (
		   SELECT run_id, key, step, timestamp, value, special,
		          ROW_NUMBER() OVER (PARTITION BY run_id, key ORDER BY step DESC, timestamp DESC, rowid DESC) AS n
		   FROM run_metrics WHERE workspace_id = ?1 AND run_id IN (SELECT value FROM json_each(?2))
		 ) WHERE n = 1 ORDER BY key`
		)
		.bind(workspaceId, JSON.stringify(ids))
		.all<{
			run_id: string;
			key: string;
			step: number;
			timestamp: number;
			value: number | null;
			special: string | null;
		}>();
	for (const r of results)
		out.get(r.run_id)?.push({ key: r.key, step: r.step, timestamp: r.timestamp, value: metricValue(r) });
	return out;
}

export const kvList = z.array(z.object({ key: f.str, value: f.str.default('') }));
