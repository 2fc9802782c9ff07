import { Hono } from 'hono';
import { z } from 'zod';
import { LIMITS, aliasSchema, keySchema, modelNameSchema, trafficTag } from '../../../src/lib/contract';
import { ApiError } from '../../errors';
import { requireScope } from '../../auth/middleware';
import { jsonBody, parseWith } from '../../http/body';
import { getModel, getVersionByAlias, listModels, listModelVersions } from '../../registry/read-models';
import type { AppEnv } from '../../types';
import { apply, conflictError, notFound, param, ws } from './common';
import { modelName, mustGetModel, mustGetVersion } from './model-common';

/** Registered models, their tags and aliases. Versions live in model-versions.ts. Aliases need `deploy`. */
export const models = new Hono<AppEnv>();

const description = z.string().max(LIMITS.descriptionLength);
const createBody = z.strictObject({ name: modelNameSchema, description: description.optional() });
const updateBody = z.strictObject({ description });
const tagBody = z.strictObject({ value: z.string().max(LIMITS.tagValueLength) });
const aliasBody = z.strictObject({ version: z.number().int().positive() });

models.post('/', requireScope('write'), async (c) => {
	const b = await jsonBody(c, createBody);
	// model.create is create-if-missing (offline browsers meet in one model); a REST create says 409.
	if (await getModel(c.env.DB, ws(c), b.name))
		throw conflictError(`A registered model named "${b.name}" already exists.`, { name: b.name });
	await apply(c, { type: 'model.create', name: b.name, description: b.description });
	return c.json(await mustGetModel(c, b.name), 201);
});

models.get('/', requireScope('read'), async (c) => {
	parseWith(z.strictObject({}), c.req.query(), 'query');
	return c.json({ models: await listModels(c.env.DB, ws(c)) }, 200);
});

models.get('/:name', requireScope('read'), async (c) => {
	const model = await mustGetModel(c, modelName(c));
	return c.json({ ...model, versions: await listModelVersions(c.env.DB, ws(c), model.name) }, 200);
});

models.patch('/:name', requireScope('write'), async (c) => {
	const name = modelName(c);
	const { description } = await jsonBody(c, updateBody);
	await apply(c, { type: 'model.update', name, description });
	return c.json(await mustGetModel(c, name), 200);
});

models.delete('/:name', requireScope('write'), async (c) => {
	await apply(c, { type: 'model.delete', name: modelName(c) });
	return c.json({}, 200);
});

models.put('/:name/tags/:key{.+}', requireScope('write'), async (c) => {
	const name = modelName(c);
	const key = param(c, 'key', keySchema);
	const { value } = await jsonBody(c, tagBody);
	// A traffic split is checked where it is set (routes/v1/traffic.ts), never written here unchecked.
	if (key.startsWith(trafficTag('')))
		throw new ApiError({
			status: 400,
			code: 'invalid_request',
			message: `"${key}" is an alias's traffic split: set it with PUT /api/v1/models/${name}/aliases/<alias>/traffic.`,
			details: { key }
		});
	await apply(c, { type: 'model.tag.set', name, key, value });
	return c.json(await mustGetModel(c, name), 200);
});

models.delete('/:name/tags/:key{.+}', requireScope('write'), async (c) => {
	const name = modelName(c);
	const key = param(c, 'key', keySchema);
	const model = await mustGetModel(c, name);
	if (!Object.hasOwn(model.tags, key))
		throw notFound(`The model "${name}" has no tag "${key}".`, { modelName: name, key });
	await apply(c, { type: 'model.tag.delete', name, key });
	return c.json(await mustGetModel(c, name), 200);
});

models.get('/:name/aliases/:alias', requireScope('read'), async (c) => {
	const name = modelName(c);
	const alias = param(c, 'alias', aliasSchema);
	const v = await getVersionByAlias(c.env.DB, ws(c), name, alias);
	if (!v) {
		await mustGetModel(c, name);
		throw notFound(`The model "${name}" has no alias "${alias}".`, { modelName: name, alias });
	}
	return c.json(v, 200);
});

// Promotion: pointing an alias (champion, …) at a version is what deployments follow, hence `deploy`.
models.put('/:name/aliases/:alias', requireScope('deploy'), async (c) => {
	const name = modelName(c);
	const alias = param(c, 'alias', aliasSchema);
	const { version } = await jsonBody(c, aliasBody);
	await apply(c, { type: 'model.alias.set', modelName: name, alias, ref: { version } });
	return c.json(await mustGetVersion(c, name, version), 200);
});

models.delete('/:name/aliases/:alias', requireScope('deploy'), async (c) => {
	const name = modelName(c);
	const alias = param(c, 'alias', aliasSchema);
	const model = await mustGetModel(c, name);
	if (!Object.hasOwn(model.aliases, alias))
		throw notFound(`The model "${name}" has no alias "${alias}".`, { modelName: name, alias });
	await apply(c, { type: 'model.alias.delete', modelName: name, alias });
	return c.json({}, 200);
});
