import { Hono } from 'hono';
import { z } from 'zod';
import { experimentIdForName, idSchema } from '../../src/lib/contract';
import {
	getExperiment,
	getExperimentByName,
	getExperiments,
	type ExperimentRecord,
	type Lifecycle
} from '../registry/read-experiments';
import type { AppEnv } from '../types';
import { experimentOut } from './convert';
import { exists, notFound, invalid } from './errors';
import { searchExperimentIds, EXPERIMENT_SOURCE } from '../registry/search-experiments';
import { decodeCursor, encodeCursor, sortKinds } from '../registry/search-sql';
import { checkClause, parseFilter, parseOrderBy } from './filter';
import { apply, checkAll, f, readMessage, requireScope, workspace, type Ctx } from './request';

export const experiments = new Hono<AppEnv>();

/**
 * MLflow's default experiment is id "0"; here it is the experiment named Default, which every workspace gets
 * when it is created (migration 0005), so that resolving it, on a read as on a write, never writes.
 */
export const DEFAULT_EXPERIMENT = 'Default';

const realIdOf = (id: string) => (id === '0' ? experimentIdForName(DEFAULT_EXPERIMENT) : id);
/**
 * The id a write is checked against before resolveExperiment: "0" is Default's. A malformed id is checked as
 * Default's; resolving it answers 404.
 */
export const checkedIdOf = (id: string) =>
	idSchema.safeParse(realIdOf(id)).success ? realIdOf(id) : realIdOf('0');

export async function resolveExperiment(c: Ctx, id: string): Promise<ExperimentRecord> {
	const realId = realIdOf(id);
	const e = await getExperiment(c.env.DB, workspace(c), realId);
	if (!e) throw notFound(`No Experiment with id=${id} exists`);
	return e;
}

export async function experimentTags(c: Ctx, ids: string[]): Promise<Map<string, Record<string, string>>> {
	const out = new Map<string, Record<string, string>>(ids.map((id) => [id, {}]));
	if (!ids.length) return out;
	const { results } = await c.env.DB.prepare(
		`SELECT experiment_id, key, value FROM experiment_tags WHERE workspace_id = ?1
		 AND experiment_id IN (SELECT value FROM json_each(?2)) ORDER BY key`
	)
		.bind(workspace(c), JSON.stringify(ids))
		.all<{ experiment_id: string; key: string; value: string }>();
	for (const r of results) out.get(r.experiment_id)![r.key] = r.value;
	return out;
}

async function respond(c: Ctx, e: ExperimentRecord) {
	const tags = await experimentTags(c, [e.id]);
	return c.json({ experiment: experimentOut(e, tags.get(e.id) ?? {}) });
}

experiments.post('/create', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(
		c,
		z.object({ name: f.str, artifact_location: f.str.optional(), tags: f.tags })
	);
	const name = m.name.trim();
	if (!name) throw invalid("Invalid experiment name: ''. The name cannot be empty.");
	const db = c.env.DB;
	if (await getExperimentByName(db, workspace(c), name)) throw exists(`Experiment '${name}' already exists.`);
	const id = experimentIdForName(name);
	// Ids derive from names; a renamed experiment keeps the id of its first name, which a new one cannot reuse.
	if (await getExperiment(db, workspace(c), id))
		throw exists(`Experiment '${name}' cannot be created: its id ${id} belongs to a renamed experiment.`);
	// One mutation with its tags: a bad tag refuses the whole create, and a racing identical create loses on the
	// name's key inside the registry (RESOURCE_ALREADY_EXISTS), so exactly one of them answers 200.
	await apply(c, {
		type: 'experiment.create',
		experiment: { id, name, createdAt: Date.now() },
		...(m.tags.length ? { tags: m.tags } : {})
	});
	return c.json({ experiment_id: id });
});

experiments.get('/get', async (c) => {
	requireScope(c, 'read');
	const m = await readMessage(c, z.object({ experiment_id: f.str }));
	return respond(c, await resolveExperiment(c, m.experiment_id));
});

experiments.get('/get-by-name', async (c) => {
	requireScope(c, 'read');
	const m = await readMessage(c, z.object({ experiment_name: f.str }));
	const e = await getExperimentByName(c.env.DB, workspace(c), m.experiment_name);
	if (!e) throw notFound(`Could not find experiment with name '${m.experiment_name}'`);
	return respond(c, e);
});

const VIEW: Record<string, Lifecycle> = { ACTIVE_ONLY: 'active', DELETED_ONLY: 'deleted', ALL: 'all' };
export const viewType = z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']).default('ACTIVE_ONLY');

const search = async (c: Ctx) => {
	requireScope(c, 'read');
	const m = await readMessage(
		c,
		z.object({
			max_results: f.maxResults(50_000).default(1000),
			page_token: f.str.optional(),
			filter: f.str.optional(),
			order_by: f.list(f.str).default([]),
			view_type: viewType
		})
	);
	const clauses = parseFilter(m.filter);
	const kinds = {
		attribute: { name: 'string', creation_time: 'number', last_update_time: 'number' },
		tag: 'string'
	} as const;
	for (const cl of clauses) checkClause(cl, m.filter ?? '', kinds);
	const order = parseOrderBy(m.order_by);
	for (const o of order)
		if (
			o.entity !== 'attribute' ||
			!['name', 'experiment_id', 'creation_time', 'last_update_time'].includes(o.key)
		)
			throw invalid(
				`Invalid order_by "${o.key}" (use name, experiment_id, creation_time or last_update_time).`
			);
	const after = m.page_token ? decodeCursor(m.page_token, order, sortKinds(EXPERIMENT_SOURCE, order)) : null;
	if (m.page_token && !after) throw invalid(`Invalid page token "${m.page_token}".`);
	const { ids, next } = await searchExperimentIds(c.env.DB, workspace(c), {
		lifecycle: VIEW[m.view_type],
		clauses,
		order,
		after,
		limit: m.max_results
	});
	const [found, tags] = await Promise.all([
		getExperiments(c.env.DB, workspace(c), ids),
		experimentTags(c, ids)
	]);
	return c.json({
		experiments: found.map((e) => experimentOut(e, tags.get(e.id) ?? {})),
		...(next ? { next_page_token: encodeCursor(order, next) } : {})
	});
};
experiments.post('/search', search);
experiments.get('/search', search);

experiments.post('/update', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ experiment_id: f.str, new_name: f.str }));
	const name = m.new_name.trim();
	if (!name) throw invalid("Invalid experiment name: ''. The name cannot be empty.");
	checkAll({ type: 'experiment.rename', experimentId: checkedIdOf(m.experiment_id), name });
	const e = await resolveExperiment(c, m.experiment_id);
	if (name !== e.name && (await getExperimentByName(c.env.DB, workspace(c), name)))
		throw exists(`An experiment with name '${name}' already exists.`);
	await apply(c, { type: 'experiment.rename', experimentId: e.id, name });
	return c.json({});
});

for (const action of ['delete', 'restore'] as const)
	experiments.post(`/${action}`, async (c) => {
		requireScope(c, 'write');
		const m = await readMessage(c, z.object({ experiment_id: f.str }));
		const e = await resolveExperiment(c, m.experiment_id);
		await apply(c, { type: `experiment.${action}`, experimentId: e.id });
		return c.json({});
	});

experiments.post('/set-experiment-tag', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ experiment_id: f.str, key: f.str, value: f.str }));
	const tag = { experimentId: checkedIdOf(m.experiment_id), key: m.key, value: m.value };
	checkAll({ type: 'experiment.tag.set', ...tag });
	const e = await resolveExperiment(c, m.experiment_id);
	await apply(c, { type: 'experiment.tag.set', experimentId: e.id, key: m.key, value: m.value });
	return c.json({});
});

experiments.post('/delete-tag', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ experiment_id: f.str, key: f.str }));
	checkAll({ type: 'experiment.tag.delete', experimentId: checkedIdOf(m.experiment_id), key: m.key });
	const e = await resolveExperiment(c, m.experiment_id);
	await apply(c, { type: 'experiment.tag.delete', experimentId: e.id, key: m.key });
	return c.json({});
});
