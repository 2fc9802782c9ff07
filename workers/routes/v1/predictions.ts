import { Hono } from 'hono';
import { z } from 'zod';
import { requireScope } from '../../auth/middleware';
import { parseWith } from '../../http/body';
import { readLog } from '../../predictions/log-store';
import type { AppEnv } from '../../types';
import { ws } from './common';
import { modelName, mustGetModel } from './model-common';

/**
 * The prediction log over HTTP: GET /api/v1/models/:name/predictions?from=&to=&limit= answers the records of a
 * time range (ms since the epoch, both ends included) in time order, written-out batches and rows still buffered
 * alike. `truncated` says there are more: ask again from the last record's `at`.
 */
export const predictions = new Hono<AppEnv>();

const ms = z
	.string()
	.regex(/^\d{1,15}$/, 'a time is milliseconds since the epoch, as digits')
	.transform(Number);
const query = z
	.strictObject({
		from: ms.optional(),
		to: ms.optional(),
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
