import { Hono } from 'hono';
import {
	aliasSchema,
	parseTraffic,
	trafficSchema,
	trafficTag,
	type Traffic
} from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { jsonBody } from '../../http/body';
import { ApiError } from '../../errors';
import { getBlobRef } from '../../registry/read-artifacts';
import type { AppEnv } from '../../types';
import { apply, notFound, param, ws, type Ctx } from './common';
import { modelName, mustGetModel, mustGetVersion } from './model-common';

/**
 * An alias's traffic split over HTTP (contract `trafficSchema`): PUT sets a canary or a shadow, GET reads it, DELETE
 * ends it. Checked here, before anything is stored: the alias exists, the second version exists, differs from the
 * alias's own and can serve (its ONNX artifact is this workspace's). Stored as the tag `edgebook.traffic.<alias>`
 * through the one write path. Promotion rights (`deploy`) are needed to change it, as for the alias itself.
 */
export const traffic = new Hono<AppEnv>();

const invalid = (message: string, details?: unknown) =>
	new ApiError({ status: 400, code: 'invalid_request', message, details });

async function aliasOf(c: Ctx) {
	const name = modelName(c);
	const alias = param(c, 'alias', aliasSchema);
	const model = await mustGetModel(c, name);
	const version = model.aliases[alias];
	if (version === undefined)
		throw notFound(`The model "${name}" has no alias "${alias}".`, { modelName: name, alias });
	return { name, alias, version, model };
}

traffic.get('/:name/aliases/:alias/traffic', requireScope('read'), async (c) => {
	const { name, alias, version, model } = await aliasOf(c);
	const split = parseTraffic(model.tags[trafficTag(alias)]);
	if (!split)
		throw notFound(`The alias "${alias}" of "${name}" splits no traffic.`, { modelName: name, alias });
	return c.json({ alias, version, traffic: split }, 200);
});

traffic.put('/:name/aliases/:alias/traffic', requireScope('deploy'), async (c) => {
	const { name, alias, version } = await aliasOf(c);
	const split: Traffic = await jsonBody(c, trafficSchema);
	const second = 'canary' in split ? split.canary.version : split.shadow.version;
	if (second === version)
		throw invalid(
			`Version ${second} is what "${alias}" already serves: a ${'canary' in split ? 'canary' : 'shadow'} needs another version.`,
			{
				version: second
			}
		);
	const v = await mustGetVersion(c, name, second);
	if (!v.artifactSha256 || !(await getBlobRef(c.env.DB, ws(c), v.artifactSha256)))
		throw new ApiError({
			status: 409,
			code: 'not_servable',
			message: `Version ${second} of "${name}" has no ONNX artifact this workspace holds, so it cannot take traffic.`,
			details: { modelName: name, version: second }
		});
	await apply(c, { type: 'model.tag.set', name, key: trafficTag(alias), value: JSON.stringify(split) });
	return c.json({ alias, version, traffic: split }, 200);
});

traffic.delete('/:name/aliases/:alias/traffic', requireScope('deploy'), async (c) => {
	const { name, alias, model } = await aliasOf(c);
	if (!Object.hasOwn(model.tags, trafficTag(alias)))
		throw notFound(`The alias "${alias}" of "${name}" splits no traffic.`, { modelName: name, alias });
	await apply(c, { type: 'model.tag.delete', name, key: trafficTag(alias) });
	return c.json({}, 200);
});
