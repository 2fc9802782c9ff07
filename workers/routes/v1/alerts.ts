import { Hono } from 'hono';
import { z } from 'zod';
import { alertRuleInputSchema } from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { domainErrorOf } from '../../domain/errors';
import { jsonBody, parseWith } from '../../http/body';
import { logFor } from '../../predictions/log-store';
import type { AppEnv } from '../../types';
import { param, ws } from './common';
import { modelName, mustGetModel } from './model-common';

/**
 * A model's alert rules and their history (docs/architecture.md, "Monitoring"), kept in the model's log object
 * beside the windows they judge. Creating, deleting and evaluating need `write`; reading needs `read`.
 */
export const alerts = new Hono<AppEnv>();

/** Rules a model may hold: each is judged after every flush of its log. */
export const MAX_RULES = 50;

alerts.post('/:name/alerts', requireScope('write'), async (c) => {
	const input = await jsonBody(c, alertRuleInputSchema);
	const name = modelName(c);
	await mustGetModel(c, name);
	const log = logFor(c.env, { workspaceId: ws(c), modelName: name });
	if ((await log.alertRules()).length >= MAX_RULES)
		throw domainErrorOf(
			'invalid_request',
			`"${name}" already has ${MAX_RULES} alert rules, the most a model holds: delete one first.`
		);
	return c.json(await log.createAlertRule(name, input), 201);
});

alerts.get('/:name/alerts', requireScope('read'), async (c) => {
	const name = modelName(c);
	await mustGetModel(c, name);
	return c.json({ rules: await logFor(c.env, { workspaceId: ws(c), modelName: name }).alertRules() }, 200);
});

const ruleId = z.string().regex(/^al_[0-9a-f]{20}$/, 'an alert rule id looks like al_ and 20 hex digits');

alerts.delete('/:name/alerts/:id', requireScope('write'), async (c) => {
	const name = modelName(c);
	const id = param(c, 'id', ruleId);
	await mustGetModel(c, name);
	if (!(await logFor(c.env, { workspaceId: ws(c), modelName: name }).deleteAlertRule(id)))
		throw domainErrorOf('not_found', `"${name}" has no alert rule ${id}.`, { id });
	return c.json({}, 200);
});

const eventsQuery = z.strictObject({
	limit: z
		.string()
		.regex(/^[1-9]\d{0,2}$/, 'a limit is a whole number from 1 to 500')
		.transform(Number)
		.refine((n) => n <= 500, 'a limit is a whole number from 1 to 500')
		.optional()
});

/** The alert history, newest first, each event with its webhook delivery attempts. */
alerts.get('/:name/alerts/events', requireScope('read'), async (c) => {
	const name = modelName(c);
	const q = parseWith(eventsQuery, c.req.query(), 'query');
	await mustGetModel(c, name);
	const events = await logFor(c.env, { workspaceId: ws(c), modelName: name }).alertEvents(q.limit ?? 100);
	return c.json({ events }, 200);
});

/** Checks the rules now (they are also checked after every flush of the log); answers what fired. */
alerts.post('/:name/alerts/evaluate', requireScope('write'), async (c) => {
	const name = modelName(c);
	await mustGetModel(c, name);
	const fired = await logFor(c.env, { workspaceId: ws(c), modelName: name }).evaluateAlerts();
	return c.json({ fired }, 200);
});
