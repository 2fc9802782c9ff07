import { Hono } from 'hono';
import { z } from 'zod';
import { requireScope } from '../../auth/middleware';
import { jsonBody, parseWith } from '../../http/body';
import { domainErrorOf } from '../../domain/errors';
import { feedbackSchema } from '../../../src/lib/contract';
import { logFor, readLog } from '../../predictions/log-store';
import type { AppEnv } from '../../types';
import { msQuery, WINDOWS, ws } from './common';
import { modelName, mustGetModel } from './model-common';

/**
 * The prediction log over HTTP: GET /api/v1/models/:name/predictions?from=&to=&limit= answers the records of a
 * time range (ms since the epoch, both ends included) in time order, written-out batches and rows still buffered
 * alike. `truncated` says there are more: ask again from the last record's `at`.
 */
export const predictions = new Hono<AppEnv>();

const query = z
	.strictObject({
		from: msQuery.optional(),
		to: msQuery.optional(),
		limit: z
			.string()
			.regex(/^[1-9]\d{0,4}$/, 'a limit is a whole number from 1 to 10000')
			.transform(Number)
			.refine((n) => n <= 10_000, 'a limit is a whole number from 1 to 10000')
			.optional()
	})
	.refine((q) => (q.from ?? 0) <= (q.to ?? Number.MAX_SAFE_INTEGER), {
		message: 'from must not be after to',
		path: ['from']
	});

predictions.get('/:name/predictions', requireScope('read'), async (c) => {
	const name = modelName(c);
	const q = parseWith(query, c.req.query(), 'query');
	await mustGetModel(c, name);
	const page = await readLog(
		c.env,
		{ workspaceId: ws(c), modelName: name },
		{ from: q.from ?? 0, to: q.to ?? Number.MAX_SAFE_INTEGER, limit: q.limit ?? 1000 }
	);
	return c.json(page, 200);
});

/**
 * Labels for logged predictions, joined on their ids in the model's log object (docs/architecture.md, "The
 * prediction log"). Partial: the stored and the refused are counted apart, each refusal with its reason; when
 * none is stored or unchanged, the answer is a 400 carrying the refusals.
 */
predictions.post('/:name/feedback', requireScope('write'), async (c) => {
	const name = modelName(c);
	const body = await jsonBody(c, feedbackSchema);
	await mustGetModel(c, name);
	const log = logFor(c.env, { workspaceId: ws(c), modelName: name });
	const result = await log.feedback(body.labels);
	// Labels move metric floors: the rules are checked again without holding up the answer.
	if (result.accepted > 0) c.executionCtx.waitUntil(log.evaluateAlerts().catch(() => undefined));
	if (result.accepted === 0 && result.unchanged === 0)
		throw domainErrorOf(
			'invalid_request',
			`None of the ${body.labels.length} label${body.labels.length === 1 ? '' : 's'} was stored: ${result.refused[0].reason}`,
			{ refused: result.refused.slice(0, 100) }
		);
	return c.json(result, 200);
});

const performanceQuery = z.strictObject({
	from: msQuery.optional(),
	to: msQuery.optional(),
	window: z.enum(['hour', 'day']).optional()
});

/** Live performance per window (hourly by default) and version, real where labels came and estimated before. */
predictions.get('/:name/performance', requireScope('read'), async (c) => {
	const name = modelName(c);
	const q = parseWith(performanceQuery, c.req.query(), 'query');
	await mustGetModel(c, name);
	const to = q.to ?? Date.now();
	const from = q.from ?? to - 7 * WINDOWS.day;
	if (from > to) throw domainErrorOf('invalid_request', 'Invalid query: from must not be after to.');
	const windows = await logFor(c.env, { workspaceId: ws(c), modelName: name }).performance(
		from,
		to,
		WINDOWS[q.window ?? 'hour']
	);
	return c.json({ from, to, windows }, 200);
});
