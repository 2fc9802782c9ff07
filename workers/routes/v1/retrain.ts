import { Hono } from 'hono';
import { z } from 'zod';
import { dataChangedSchema, gateRequestSchema, retrainRequestSchema } from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { hasScope } from '../../auth/tokens';
import { ApiError } from '../../errors';
import { Conflict } from '../../domain/errors';
import { jsonBody, parseWith } from '../../http/body';
import { concludeCanary } from '../../retrain/conclude';
import { dataChanged } from '../../retrain/data-trigger';
import { openFederatedRetrain } from '../../retrain/federated';
import { runGate } from '../../retrain/gate';
import { listTasks, mustGetTask, openRetrain, openTasksOfNotebook, stepTask } from '../../retrain/tasks';
import type { AppEnv } from '../../types';
import { param, ws } from './common';
import { modelName, mustGetModel } from './model-common';

/**
 * Retraining over HTTP (docs/architecture.md, "Monitoring"): open (or join) a model's task, read it, claim it (a
 * browser that will train), gate a challenger, conclude its canary. Gating and concluding move traffic and aliases,
 * so they need `deploy`, as promotion does.
 */
export const retrainModels = new Hono<AppEnv>();
export const retrainTasks = new Hono<AppEnv>();

retrainModels.post('/:name/retrain', requireScope('write'), async (c) => {
	const input = await jsonBody(c, retrainRequestSchema);
	const name = modelName(c);
	await mustGetModel(c, name);
	if (input.mode === 'federated' && !hasScope(c.get('caller'), 'federate'))
		throw new ApiError({
			status: 403,
			code: 'forbidden',
			message: 'Retraining as a federated job starts a job: this token lacks the "federate" scope.',
			details: { needed: 'federate' }
		});
	const { task, joined } =
		input.mode === 'federated'
			? await openFederatedRetrain(c.env, ws(c), name, input)
			: await openRetrain(c.env.DB, ws(c), name, input);
	return c.json({ task, joined }, joined ? 200 : 201);
});

retrainModels.get('/:name/retrain', requireScope('read'), async (c) => {
	const name = modelName(c);
	await mustGetModel(c, name);
	return c.json({ tasks: await listTasks(c.env.DB, ws(c), name) }, 200);
});

const taskId = z.string().regex(/^rt_[0-9a-f]{20}$/, 'a retraining task id looks like rt_ and 20 hex digits');
const id = (c: Parameters<typeof param>[0]) => param(c, 'id', taskId);

/** The open tasks a notebook's browser can take: those whose champion was trained in that notebook. */
retrainTasks.get('/', requireScope('read'), async (c) => {
	const q = parseWith(z.strictObject({ notebookId: z.string().min(1).max(64) }), c.req.query(), 'query');
	return c.json({ tasks: await openTasksOfNotebook(c.env.DB, ws(c), q.notebookId) }, 200);
});

/**
 * The "new data" trigger: a notebook's browser reports its datasets' fingerprints, and every champion trained in that
 * notebook on other bytes of a dataset gets a task (once per champion and bytes).
 */
retrainTasks.post('/data', requireScope('write'), async (c) => {
	const body = await jsonBody(c, dataChangedSchema);
	return c.json(await dataChanged(c.env.DB, ws(c), body), 200);
});

retrainTasks.get('/:id', requireScope('read'), async (c) =>
	c.json(await mustGetTask(c.env.DB, ws(c), id(c)), 200)
);

/** A browser takes the task: it will retrain in the champion's notebook (pending → claimed). */
retrainTasks.post('/:id/claim', requireScope('write'), async (c) => {
	const body = await jsonBody(c, z.strictObject({ by: z.string().max(100).default('a browser') }));
	const task = await mustGetTask(c.env.DB, ws(c), id(c));
	if (task.state !== 'pending')
		throw new Conflict({
			message: `Retraining task ${task.id} is ${task.state}, not pending.`,
			details: { id: task.id }
		});
	return c.json(await stepTask(c.env.DB, ws(c), task, 'claimed', `claimed by ${body.by}`), 200);
});

retrainTasks.post('/:id/gate', requireScope('deploy'), async (c) => {
	const body = await jsonBody(c, gateRequestSchema);
	const task = await mustGetTask(c.env.DB, ws(c), id(c));
	return c.json(await runGate(c.env, ws(c), task, body), 200);
});

retrainTasks.post('/:id/conclude', requireScope('deploy'), async (c) => {
	const body = await jsonBody(c, z.strictObject({ force: z.boolean().default(false) }));
	const task = await mustGetTask(c.env.DB, ws(c), id(c));
	return c.json(await concludeCanary(c.env, ws(c), task, body), 200);
});

/** Gives a task up (a browser will not train it): it closes, and the next trigger opens a new one. */
retrainTasks.post('/:id/cancel', requireScope('write'), async (c) => {
	const body = await jsonBody(c, z.strictObject({ reason: z.string().max(500).default('cancelled') }));
	const task = await mustGetTask(c.env.DB, ws(c), id(c));
	if (task.state !== 'pending' && task.state !== 'claimed')
		throw new Conflict({
			message: `Retraining task ${task.id} is ${task.state}: only a pending or claimed task is cancelled.`,
			details: { id: task.id }
		});
	return c.json(await stepTask(c.env.DB, ws(c), task, 'failed', body.reason), 200);
});
