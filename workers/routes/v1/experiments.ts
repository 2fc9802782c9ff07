import { Hono } from 'hono';
import { z } from 'zod';
import { experimentIdForName, idSchema, nameSchema } from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { jsonBody, parseWith } from '../../http/body';
import {
	getExperiment,
	getExperimentByName,
	listExperiments,
	type ExperimentRecord
} from '../../registry/read-experiments';
import type { AppEnv } from '../../types';
import { apply, conflictError, notFound, param, ws, type Ctx } from './common';

/** Experiments: named groups of runs. Deleting is soft (restore brings it back with its runs). */
export const experiments = new Hono<AppEnv>();

const nameBody = z.strictObject({ name: nameSchema });
const listQuery = z.strictObject({
	lifecycle: z.enum(['active', 'deleted', 'all']).default('active')
});

async function mustGet(c: Ctx, id: string): Promise<ExperimentRecord> {
	const exp = await getExperiment(c.env.DB, ws(c), id);
	if (!exp) throw notFound(`No experiment with id ${id}.`, { experimentId: id });
	return exp;
}

experiments.post('/', requireScope('write'), async (c) => {
	const { name } = await jsonBody(c, nameBody);
	// The planner treats the same name as the same experiment (offline browsers meet); a REST create says 409.
	const existing = await getExperimentByName(c.env.DB, ws(c), name);
	if (existing)
		throw conflictError(
			`An experiment named "${name}" already exists (id ${existing.id})${existing.deletedAt === null ? '' : '; it is deleted, so restore it instead'}.`,
			{
				name,
				id: existing.id
			}
		);
	const id = experimentIdForName(name);
	await apply(c, { type: 'experiment.create', experiment: { id, name, createdAt: Date.now() } });
	return c.json(await mustGet(c, id), 201);
});

experiments.get('/', requireScope('read'), async (c) => {
	const q = parseWith(listQuery, c.req.query(), 'query');
	return c.json({ experiments: await listExperiments(c.env.DB, ws(c), q) }, 200);
});

experiments.get('/:id', requireScope('read'), async (c) => {
	return c.json(await mustGet(c, param(c, 'id', idSchema)), 200);
});

experiments.patch('/:id', requireScope('write'), async (c) => {
	const id = param(c, 'id', idSchema);
	const { name } = await jsonBody(c, nameBody);
	await apply(c, { type: 'experiment.rename', experimentId: id, name });
	return c.json(await mustGet(c, id), 200);
});

experiments.delete('/:id', requireScope('write'), async (c) => {
	const id = param(c, 'id', idSchema);
	await apply(c, { type: 'experiment.delete', experimentId: id });
	return c.json(await mustGet(c, id), 200);
});

experiments.post('/:id/restore', requireScope('write'), async (c) => {
	const id = param(c, 'id', idSchema);
	await apply(c, { type: 'experiment.restore', experimentId: id });
	return c.json(await mustGet(c, id), 200);
});
