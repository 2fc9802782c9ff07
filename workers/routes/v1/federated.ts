import { Hono } from 'hono';
import { z } from 'zod';
import {
	FED_CLIENT_HEADER,
	FED_META_HEADER,
	fedJobCreateSchema,
	fedUpdateMetaSchema,
	type FedJobCreate
} from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { VersionNotFound, ModelNotFound, domainErrorOf } from '../../domain/errors';
import type { FederatedJob, Result } from '../../federated/job-object';
import { versionFiles } from '../../federated/model-files';
import { startJobRun } from '../../federated/publish';
import { jsonBody, parseWith, readBytes } from '../../http/body';
import { getModel, getModelVersion } from '../../registry/read-models';
import { newId } from '../../registry/write';
import type { AppEnv } from '../../types';
import { param, ws, type Ctx } from './common';

/**
 * Federated jobs over HTTP (docs/architecture.md, "Federated jobs"), all under the `federate` scope: create a job
 * from a registered version, read it, and the participant's calls — register, ask for the task, pull the global
 * weights (float32 bytes), send an update (float32 bytes, its round and example count in a JSON header). The job's
 * Durable Object answers refusals as values; they become the registry's usual 4xx JSON here.
 */
export const federated = new Hono<AppEnv>();

/** An update's bytes at most: 16M float32 parameters. */
export const MAX_UPDATE_BYTES = 64 * 1024 * 1024;

const JOB_ID = z.string().regex(/^[0-9a-f]{32}$/, 'a job id is 32 hex digits');

function stub(c: Ctx, id: string): DurableObjectStub<FederatedJob> {
	// Jobs are named per workspace: another workspace's job id reaches an empty object, which is "no such job".
	const ns = c.env.FEDERATED_JOB;
	return ns.get(ns.idFromName(`${ws(c)}\n${id}`));
}

function unwrap<T>(r: Result<T>): T {
	if (!r.ok) throw domainErrorOf(r.error.code, r.error.message, r.error.details);
	return r.value;
}

/** The participant's identity on every call: `<client id>.<secret>`, as `register` answered it. */
function client(c: Ctx): { id: string; secret: string } {
	const raw = c.req.header(FED_CLIENT_HEADER) ?? '';
	const m = /^(c[A-Za-z0-9]{8,64})\.([A-Za-z0-9_-]{16,128})$/.exec(raw);
	if (!m)
		throw domainErrorOf(
			'invalid_request',
			`Header ${FED_CLIENT_HEADER} must be "<client id>.<secret>" as POST …/clients answered it.`
		);
	return { id: m[1], secret: m[2] };
}

/** A job's settings as run params (MLflow-style key → text). */
function params(s: FedJobCreate): Record<string, string> {
	const { strategy, dp, ...rest } = s;
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = String(v);
	for (const [k, v] of Object.entries(strategy)) out[k === 'name' ? 'strategy' : `strategy.${k}`] = String(v);
	if (dp) {
		out['dp.noise_multiplier'] = String(dp.noiseMultiplier);
		out['dp.delta'] = String(dp.delta);
	}
	return out;
}

federated.post('/jobs', requireScope('federate'), async (c) => {
	const settings = await jsonBody(c, fedJobCreateSchema);
	const workspaceId = ws(c);
	if (!(await getModel(c.env.DB, workspaceId, settings.modelName)))
		throw new ModelNotFound({ message: `No registered model named "${settings.modelName}".` });
	if (!(await getModelVersion(c.env.DB, workspaceId, settings.modelName, settings.version)))
		throw new VersionNotFound({
			message: `The registered model "${settings.modelName}" has no version ${settings.version}.`
		});
	const files = await versionFiles(
		c.env.DB,
		c.env.ARTIFACTS,
		workspaceId,
		settings.modelName,
		settings.version
	);
	const id = newId();
	const runId = await startJobRun(c.env, workspaceId, {
		jobId: id,
		modelName: settings.modelName,
		version: settings.version,
		params: params(settings)
	});
	const view = unwrap(
		await stub(c, id).create({ id, workspaceId, runId, settings, files, createdAt: Date.now() })
	);
	c.header('location', `/api/v1/federated/jobs/${id}`);
	return c.json(view, 201);
});

federated.get('/jobs/:id', requireScope('federate'), async (c) => {
	return c.json(unwrap(await stub(c, param(c, 'id', JOB_ID)).view()), 200);
});

federated.post('/jobs/:id/clients', requireScope('federate'), async (c) => {
	return c.json(unwrap(await stub(c, param(c, 'id', JOB_ID)).register()), 201);
});

federated.get('/jobs/:id/task', requireScope('federate'), async (c) => {
	const who = client(c);
	return c.json(unwrap(await stub(c, param(c, 'id', JOB_ID)).task(who.id, who.secret)), 200);
});

federated.get('/jobs/:id/weights', requireScope('federate'), async (c) => {
	const raw = c.req.query('round');
	const round =
		raw === undefined ? null : parseWith(z.coerce.number().int().min(1), raw, 'query parameter "round"');
	const bytes = unwrap(await stub(c, param(c, 'id', JOB_ID)).weights(round));
	return c.body(bytes.slice().buffer, 200, { 'content-type': 'application/octet-stream' });
});

federated.post('/jobs/:id/updates', requireScope('federate'), async (c) => {
	const id = param(c, 'id', JOB_ID);
	const who = client(c);
	const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
	if (type !== 'application/octet-stream')
		throw domainErrorOf(
			'invalid_request',
			`An update is float32 bytes sent as application/octet-stream, not ${type || 'no content type'} (never JSON arrays of weights).`
		);
	let meta: unknown;
	try {
		meta = JSON.parse(c.req.header(FED_META_HEADER) ?? '');
	} catch {
		throw domainErrorOf(
			'invalid_request',
			`Header ${FED_META_HEADER} must be JSON: {"round": k, "numExamples": n, "trainLoss"?, "evalLoss"?, "evalAccuracy"?}.`
		);
	}
	const checked = parseWith(fedUpdateMetaSchema, meta, `header ${FED_META_HEADER}`);
	const bytes = await readBytes(c.req.raw, MAX_UPDATE_BYTES);
	return c.json(unwrap(await stub(c, id).submit(who.id, who.secret, checked, bytes)), 202);
});
