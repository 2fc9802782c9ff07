import { Hono } from 'hono';
import { z } from 'zod';
import { LIMITS, type Mutation } from '../../src/lib/contract';
import { metricHistory } from '../registry/read-metrics';
import type { MetricRowIn } from '../registry/plan-runs';
import type { AppEnv } from '../types';
import { RUN_NAME_TAG, metricIn, metricOut } from './convert';
import { invalid } from './errors';
import { apply, f, page, pageToken, readMessage, requireScope, workspace, type Ctx } from './request';
import { kvList, loadRun, runIdOf, runRef } from './runs-read';

/** Logging to runs (log-metric, log-parameter, log-batch, log-model) and reading a metric's history. */
const MODEL_HISTORY_TAG = 'mlflow.log-model.history';
export const metrics = new Hono<AppEnv>();

const metricIn_ = z.object({
	key: f.str,
	value: z.union([z.number(), z.string()]),
	timestamp: f.int,
	step: f.int.default(0)
});
type MetricIn = z.infer<typeof metricIn_>;

/**
 * One run.log mutation. Finite points travel in the mutation (the change feed browsers pull); NaN and ±Infinity
 * cannot, so when any are present every row goes to the applier as specialMetrics, which it stores as given.
 */
async function logToRun(
	c: Ctx,
	runId: string,
	batch: {
		metrics: MetricIn[];
		params: { key: string; value: string }[];
		tags: { key: string; value: string }[];
	}
) {
	await loadRun(c, runId);
	const rows: MetricRowIn[] = batch.metrics.map((p) => ({
		key: p.key,
		step: p.step,
		timestamp: p.timestamp,
		...metricIn(p.value)
	}));
	const finite = rows.filter((r) => r.special === null);
	const name = batch.tags.findLast((t) => t.key === RUN_NAME_TAG)?.value;
	const log: Mutation = {
		type: 'run.log',
		runId,
		metrics: finite.map((r) => ({ key: r.key, value: r.value!, step: r.step, timestamp: r.timestamp })),
		params: batch.params,
		tags: batch.tags.filter((t) => t.key !== RUN_NAME_TAG)
	};
	// MLflow renames the run when the mlflow.runName tag is set; the name is a column here.
	const rename: Mutation | null = name === undefined ? null : { type: 'run.update', runId, name };
	// One write: both are checked before either is applied, so a bad name does not leave the metrics logged.
	await apply(c, rename ? [log, rename] : [log], finite.length === rows.length ? undefined : rows);
}

metrics.post('/runs/log-metric', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, metricIn_.extend(runRef));
	await logToRun(c, runIdOf(m), { metrics: [m], params: [], tags: [] });
	return c.json({});
});

metrics.post('/runs/log-parameter', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ ...runRef, key: f.str, value: f.str }));
	await logToRun(c, runIdOf(m), { metrics: [], params: [{ key: m.key, value: m.value }], tags: [] });
	return c.json({});
});

metrics.post('/runs/log-batch', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(
		c,
		z.object({
			run_id: f.str,
			metrics: z.array(metricIn_).default([]),
			params: kvList.default([]),
			tags: kvList.default([])
		})
	);
	// MLflow's limits, worded as its server words them.
	for (const [what, n, max] of [
		['metrics', m.metrics.length, LIMITS.metricsPerBatch],
		['params', m.params.length, LIMITS.paramsPerBatch],
		['tags', m.tags.length, LIMITS.tagsPerBatch]
	] as const)
		if (n > max)
			throw invalid(`A batch logging request can contain at most ${max} ${what}. Got ${n} ${what}.`);
	await logToRun(c, m.run_id, m);
	return c.json({});
});

/** MLflow 2.x's log_model records each logged model in the run's `mlflow.log-model.history` tag (a JSON list). */
metrics.post('/runs/log-model', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ run_id: f.str, model_json: f.str }));
	let model: unknown;
	try {
		model = JSON.parse(m.model_json);
	} catch {
		throw invalid('model_json is not valid JSON.');
	}
	const run = await loadRun(c, m.run_id);
	const history = run.tags[MODEL_HISTORY_TAG] ? (JSON.parse(run.tags[MODEL_HISTORY_TAG]) as unknown[]) : [];
	const value = JSON.stringify([...history, model]);
	await logToRun(c, m.run_id, { metrics: [], params: [], tags: [{ key: MODEL_HISTORY_TAG, value }] });
	return c.json({});
});

metrics.get('/metrics/get-history', async (c) => {
	requireScope(c, 'read');
	const m = await readMessage(
		c,
		z.object({
			...runRef,
			metric_key: f.str,
			max_results: f.maxResults(25_000).default(25_000),
			page_token: f.str.optional()
		})
	);
	const id = runIdOf(m);
	await loadRun(c, id);
	const points = await metricHistory(c.env.DB, workspace(c), id, m.metric_key);
	const p = page(points, pageToken.decode(m.page_token), m.max_results);
	return c.json({
		metrics: p.items.map((x) => ({
			key: m.metric_key,
			value: metricOut(x.value),
			timestamp: x.timestamp,
			step: x.step
		})),
		...(p.next_page_token ? { next_page_token: p.next_page_token } : {})
	});
});
