import { Hono } from 'hono';
import { z } from 'zod';
import { getModel, getModels, getVersionByAlias } from '../registry/read-models';
import { MODEL_SOURCE, searchModelKeys } from '../registry/search-models';
import { decodeCursor, encodeCursor, sortKinds } from '../registry/search-sql';
import type { AppEnv } from '../types';
import { exists, notFound, invalid } from './errors';
import { checkClause, parseFilter, parseOrderBy } from './filter';
import { loadModel, loadVersion, modelJson, versionJson, versionNumber } from './models-read';
import { apply, f, readMessage, requireScope, workspace, type Ctx } from './request';

/** /mlflow/registered-models/*: models, their tags and aliases. */
export const models = new Hono<AppEnv>();

models.post('/create', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ name: f.str, tags: f.tags, description: f.str.optional() }));
	if (await getModel(c.env.DB, workspace(c), m.name))
		throw exists(`Registered Model (name=${m.name}) already exists.`);
	// One mutation with its tags (all or nothing); a racing create of the name is refused inside the registry.
	await apply(c, {
		type: 'model.create',
		name: m.name,
		description: m.description ?? '',
		...(m.tags.length ? { tags: m.tags } : {})
	});
	return c.json({ registered_model: await modelJson(c, await loadModel(c, m.name)) });
});

models.get('/get', async (c) => {
	requireScope(c, 'read');
	const m = await readMessage(c, z.object({ name: f.str }));
	return c.json({ registered_model: await modelJson(c, await loadModel(c, m.name)) });
});

models.post('/rename', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ name: f.str, new_name: f.str }));
	await loadModel(c, m.name);
	await apply(c, { type: 'model.rename', name: m.name, newName: m.new_name });
	return c.json({ registered_model: await modelJson(c, await loadModel(c, m.new_name)) });
});

models.patch('/update', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ name: f.str, description: f.str.default('') }));
	await loadModel(c, m.name);
	await apply(c, { type: 'model.update', name: m.name, description: m.description });
	return c.json({ registered_model: await modelJson(c, await loadModel(c, m.name)) });
});

models.delete('/delete', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ name: f.str }));
	await loadModel(c, m.name);
	await apply(c, { type: 'model.delete', name: m.name });
	return c.json({});
});

models.get('/search', async (c) => {
	requireScope(c, 'read');
	const m = await readMessage(
		c,
		z.object({
			filter: f.str.optional(),
			max_results: f.maxResults(1000).default(100),
			order_by: f.list(f.str).default([]),
			page_token: f.str.optional()
		})
	);
	const clauses = parseFilter(m.filter);
	for (const cl of clauses) checkClause(cl, m.filter ?? '', { attribute: { name: 'string' }, tag: 'string' });
	const order = parseOrderBy(m.order_by);
	for (const o of order)
		if (o.entity !== 'attribute' || !['name', 'last_updated_timestamp', 'creation_timestamp'].includes(o.key))
			throw invalid(`Invalid order_by "${o.key}" (use name, creation_timestamp or last_updated_timestamp).`);
	const after = m.page_token ? decodeCursor(m.page_token, order, sortKinds(MODEL_SOURCE, order)) : null;
	if (m.page_token && !after) throw invalid(`Invalid page token "${m.page_token}".`);
	const { ids, next } = await searchModelKeys(c.env.DB, workspace(c), MODEL_SOURCE, {
		clauses,
		order,
		after,
		limit: m.max_results
	});
	const found = await getModels(c.env.DB, workspace(c), ids);
	return c.json({
		registered_models: await Promise.all(found.map((x) => modelJson(c, x))),
		...(next ? { next_page_token: encodeCursor(order, next) } : {})
	});
});

const latestVersions = async (c: Ctx) => {
	requireScope(c, 'read');
	const m = await readMessage(c, z.object({ name: f.str, stages: f.list(f.str).default([]) }));
	const model = await loadModel(c, m.name);
	const json = await modelJson(c, model);
	// Every version is in stage "None"; asking for other stages finds nothing, as it would in MLflow.
	const wanted = !m.stages.length || m.stages.some((s) => s.toLowerCase() === 'none');
	return c.json({ model_versions: wanted ? json.latest_versions : [] });
};
models.post('/get-latest-versions', latestVersions);
models.get('/get-latest-versions', latestVersions);

models.post('/set-tag', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ name: f.str, key: f.str, value: f.str }));
	await loadModel(c, m.name);
	await apply(c, { type: 'model.tag.set', name: m.name, key: m.key, value: m.value });
	return c.json({});
});

models.delete('/delete-tag', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ name: f.str, key: f.str }));
	const model = await loadModel(c, m.name);
	if (!Object.hasOwn(model.tags, m.key))
		throw notFound(`Registered model tag with name=${m.name}, key=${m.key} not found`);
	await apply(c, { type: 'model.tag.delete', name: m.name, key: m.key });
	return c.json({});
});

/** Promotion: moving an alias needs the `deploy` scope, whatever else the token may do. */
models.post('/alias', async (c) => {
	requireScope(c, 'deploy');
	const m = await readMessage(
		c,
		z.object({ name: f.str, alias: f.str, version: z.union([f.str, z.number()]) })
	);
	const version = versionNumber(m.version);
	await loadVersion(c, m.name, version);
	await apply(c, { type: 'model.alias.set', modelName: m.name, alias: m.alias, ref: { version } });
	return c.json({});
});

models.delete('/alias', async (c) => {
	requireScope(c, 'deploy');
	const m = await readMessage(c, z.object({ name: f.str, alias: f.str }));
	const model = await loadModel(c, m.name);
	if (!Object.hasOwn(model.aliases, m.alias)) throw notFound(`Registered model alias ${m.alias} not found.`);
	await apply(c, { type: 'model.alias.delete', modelName: m.name, alias: m.alias });
	return c.json({});
});

models.get('/alias', async (c) => {
	requireScope(c, 'read');
	const m = await readMessage(c, z.object({ name: f.str, alias: f.str }));
	await loadModel(c, m.name);
	const v = await getVersionByAlias(c.env.DB, workspace(c), m.name, m.alias);
	if (!v) throw notFound(`Registered model alias ${m.alias} not found.`);
	return c.json({ model_version: await versionJson(c, v) });
});
