import { Hono } from 'hono';
import { z } from 'zod';
import { LIMITS, idSchema, keySchema, metricWire, paramWire, tagWire } from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { jsonBody } from '../../http/body';
import { metricHistory } from '../../registry/read-metrics';
import type { AppEnv } from '../../types';
import { apply, param, ws } from './common';
import { mustGetRun } from './runs';

/**
 * Logging to a run with MLflow's log-batch semantics: params immutable (the same value again is fine), metrics
 * append-only, tags overwritten. Mounted under /runs beside runs.ts.
 */
export const runLog = new Hono<AppEnv>();

const logBody = z.strictObject({
	metrics: z.array(metricWire).max(LIMITS.metricsPerBatch).default([]),
	params: z.array(paramWire).max(LIMITS.paramsPerBatch).default([]),
	tags: z.array(tagWire).max(LIMITS.tagsPerBatch).default([])
});

runLog.post('/:id/log-batch', requireScope('write'), async (c) => {
	const runId = param(c, 'id', idSchema);
	const b = await jsonBody(c, logBody);
	await apply(c, { type: 'run.log', runId, ...b });
	return c.json({}, 200);
});

// Keys may hold slashes (`train/loss`), so the rest of the path is the key.
runLog.get('/:id/metrics/:key{.+}', requireScope('read'), async (c) => {
	const run = await mustGetRun(c, param(c, 'id', idSchema));
	const key = param(c, 'key', keySchema);
	return c.json({ key, points: await metricHistory(c.env.DB, ws(c), run.id, key) }, 200);
});

runLog.delete('/:id/tags/:key{.+}', requireScope('write'), async (c) => {
	const runId = param(c, 'id', idSchema);
	const key = param(c, 'key', keySchema);
	await apply(c, { type: 'run.tag.delete', runId, key });
	return c.json({}, 200);
});
