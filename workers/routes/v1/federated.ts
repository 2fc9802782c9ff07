import { Hono } from 'hono';
import { z } from 'zod';
import {
	FED_CLIENT_HEADER,
	FED_META_HEADER,
	fedJobCreateSchema,
	fedTokenCreateSchema,
	fedUpdateMetaSchema,
	type FedJoinPlan,
	type FedTokenCreated
} from '../../../src/lib/contract';
import { createMiddleware } from 'hono/factory';
import { requireScope } from '../../auth/middleware';
import { mintToken } from '../../auth/tokens';
import { Forbidden, NotServable, domainErrorOf } from '../../domain/errors';
import { createFederatedJob, jobStub, unwrap } from '../../federated/create';
import type { FederatedJob } from '../../federated/job-object';
import { readBlob } from '../../federated/model-files';
import { getRun } from '../../registry/read-runs';
import { jsonBody, parseWith, readBytes } from '../../http/body';
import { getModelVersion } from '../../registry/read-models';
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

/**
 * A participation token acts on its own job only: 403 on any other job, and on the routes that act on the
 * workspace (creating jobs, minting tokens). Workspace tokens with the `federate` scope pass.
 */
const ownJob = createMiddleware<AppEnv>(async (c, next) => {
	const bound = c.get('caller').federatedJob;
	const id = c.req.param('id');
	if (bound !== null && bound !== id)
		throw new Forbidden({
			message: id
				? `This participation token is for federated job ${bound}; it cannot act on job ${id}.`
				: `This participation token is for federated job ${bound}; it can only take part in that job.`,
			details: { tokenJob: bound, ...(id ? { job: id } : {}) }
		});
	await next();
});

const workspaceOnly = createMiddleware<AppEnv>(async (c, next) => {
	const bound = c.get('caller').federatedJob;
	if (bound !== null)
		throw new Forbidden({
			message: `A participation token (for job ${bound}) takes part in its job; it cannot create jobs or tokens.`,
			details: { tokenJob: bound }
		});
	await next();
});

const stub = (c: Ctx, id: string): DurableObjectStub<FederatedJob> => jobStub(c.env, ws(c), id);

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

federated.post('/jobs', requireScope('federate'), workspaceOnly, async (c) => {
	const settings = await jsonBody(c, fedJobCreateSchema);
	const view = await createFederatedJob(c.env, ws(c), settings);
	const id = view.id;
	c.header('location', `/api/v1/federated/jobs/${id}`);
	return c.json(view, 201);
});

federated.get('/jobs/:id', requireScope('federate'), ownJob, async (c) => {
	return c.json(unwrap(await stub(c, param(c, 'id', JOB_ID)).view()), 200);
});

federated.post('/jobs/:id/clients', requireScope('federate'), ownJob, async (c) => {
	return c.json(unwrap(await stub(c, param(c, 'id', JOB_ID)).register()), 201);
});

federated.get('/jobs/:id/task', requireScope('federate'), ownJob, async (c) => {
	const who = client(c);
	return c.json(unwrap(await stub(c, param(c, 'id', JOB_ID)).task(who.id, who.secret)), 200);
});

federated.get('/jobs/:id/weights', requireScope('federate'), ownJob, async (c) => {
	const raw = c.req.query('round');
	const round =
		raw === undefined ? null : parseWith(z.coerce.number().int().min(1), raw, 'query parameter "round"');
	const bytes = unwrap(await stub(c, param(c, 'id', JOB_ID)).weights(round));
	return c.body(bytes.slice().buffer, 200, { 'content-type': 'application/octet-stream' });
});

federated.post('/jobs/:id/updates', requireScope('federate'), ownJob, async (c) => {
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

federated.get('/jobs/:id/plan', requireScope('federate'), ownJob, async (c) => {
	const id = param(c, 'id', JOB_ID);
	const view = unwrap(await stub(c, id).view());
	const spec = unwrap(await stub(c, id).files());
	const workspaceId = ws(c);
	const version = await getModelVersion(c.env.DB, workspaceId, view.modelName, view.version);
	const run = version?.sourceRunId ? await getRun(c.env.DB, workspaceId, version.sourceRunId) : null;
	if (!run)
		throw new NotServable({
			message: `The run behind version ${view.version} of "${view.modelName}" is gone: the job's model cannot be built.`
		});
	const text = async (sha: string) => new TextDecoder().decode(await readBlob(c.env.ARTIFACTS, sha));
	const plan: FedJoinPlan = {
		jobId: id,
		modelName: view.modelName,
		version: view.version,
		modelJson: await text(spec.modelJsonSha),
		preprocessing: spec.preprocessingSha ? JSON.parse(await text(spec.preprocessingSha)) : null,
		params: run.params
	};
	return c.json(plan, 200);
});

federated.post('/jobs/:id/tokens', requireScope('federate'), workspaceOnly, async (c) => {
	// The body first: a broken body is named as such whatever the path holds.
	const body = await jsonBody(c, fedTokenCreateSchema);
	const id = param(c, 'id', JOB_ID);
	const view = unwrap(await stub(c, id).view());
	if (view.state === 'done' || view.state === 'failed')
		throw domainErrorOf('conflict', `Federated job ${id} is ${view.state}; it takes no new participants.`, {
			state: view.state
		});
	const t = await mintToken();
	await c.env.DB.prepare(
		'INSERT INTO tokens (id, workspace_id, name, secret_hash, scopes, created_at, federated_job) VALUES (?, ?, ?, ?, ?, ?, ?)'
	)
		.bind(
			t.id,
			ws(c),
			body.name ?? `participate in federated job ${id}`,
			t.secretHash,
			JSON.stringify(['federate']),
			Date.now(),
			id
		)
		.run();
	const created: FedTokenCreated = {
		tokenId: t.id,
		jobId: id,
		secret: t.secret,
		joinPath: `/fed/${id}#token=${t.secret}`
	};
	return c.json(created, 201);
});
