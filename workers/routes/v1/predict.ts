import { Hono } from 'hono';
import { z } from 'zod';
import { LIMITS, aliasSchema } from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { jsonBody } from '../../http/body';
import { statusOfThrown } from '../../errors';
import { resolve, score, type VersionRef } from '../../inference/service';
import { countRequest } from '../../predictions/log-store';
import type { AppEnv } from '../../types';
import { param, ws, type Ctx } from './common';
import { modelName, versionParam } from './model-common';

/**
 * The edge inference API over HTTP: reads the path and the JSON body (size, depth, Unicode), then hands plain
 * values to the inference service (workers/inference/service.ts); its domain errors become statuses in onError.
 * Needs the `predict` scope.
 */
export const predict = new Hono<AppEnv>();

/** The version first (404 or 409 before the body is read), then the body, as the route has always answered. */
async function serve(c: Ctx, name: string, ref: VersionRef, startedAt: number) {
	const deps = {
		db: c.env.DB,
		bucket: c.env.ARTIFACTS,
		log: { logs: c.env.PREDICTION_LOG, waitUntil: (work: Promise<unknown>) => c.executionCtx.waitUntil(work) }
	};
	const target = await resolve(deps, { workspaceId: ws(c), modelName: name, ref });
	// Every answer from here on is the version's: counted for its error rate, refused and failed ones too.
	let version = target.version;
	const count = (status: number) =>
		countRequest(
			c.env,
			{ workspaceId: ws(c), modelName: name },
			{ version, status, at: Date.now() },
			deps.log.waitUntil
		);
	let out;
	try {
		const body = await jsonBody(c, z.unknown(), LIMITS.predictBodyBytes);
		out = await score(deps, target, body, {
			headers: c.req.raw.headers,
			onServing: (v) => (version = v)
		});
	} catch (e) {
		count(statusOfThrown(e));
		throw e;
	}
	count(200);
	// Every answer names what answered, so a caller of an alias knows the version (and whether a canary answered).
	c.header('x-edgebook-model', encodeURIComponent(out.model));
	c.header('x-edgebook-version', String(out.version));
	if (target.alias) {
		c.header('x-edgebook-alias', target.alias);
		c.header('x-edgebook-route', out.version === target.version ? 'primary' : 'canary');
	}
	return c.json({ ...out, latencyMs: Date.now() - startedAt }, 200);
}

/** The alias a model's bare predict route serves, as MLflow's convention names the production version. */
export const DEFAULT_ALIAS = 'champion';

predict.post('/:name/versions/:version/predict', requireScope('predict'), async (c) => {
	const startedAt = Date.now();
	const name = modelName(c);
	// Awaited here: a rejection handed back unawaited is reported as unhandled by workerd.
	return await serve(c, name, { version: param(c, 'version', versionParam) }, startedAt);
});

predict.post('/:name/aliases/:alias/predict', requireScope('predict'), async (c) => {
	const startedAt = Date.now();
	const name = modelName(c);
	return await serve(c, name, { alias: param(c, 'alias', aliasSchema) }, startedAt);
});

predict.post('/:name/predict', requireScope('predict'), async (c) => {
	const startedAt = Date.now();
	const name = modelName(c);
	return await serve(c, name, { alias: DEFAULT_ALIAS }, startedAt);
});
