import { Hono } from 'hono';
import { z } from 'zod';
import {
	LIMITS,
	aliasSchema,
	predictColumnsSchema,
	predictRowsSchema,
	preprocessingSchema,
	type PredictResponse
} from '../../../src/lib/contract';
import { encode } from '../../../src/lib/train/preprocess';
import type { Preprocessing } from '../../../src/lib/train/types';
import { requireScope } from '../../auth/middleware';
import { ApiError } from '../../errors';
import { jsonBody, parseWith } from '../../http/body';
import { decodePredictions } from '../../inference/decode';
import { toFrame } from '../../inference/frame';
import { servingVersion, type ServingVersion } from '../../inference/lookup';
import { blobKey } from '../../registry/read-artifacts';
import type { AppEnv } from '../../types';
import { notFound, param, ws, type Ctx } from './common';
import { modelName, mustGetModel, mustGetVersion, versionParam } from './model-common';

/**
 * The edge inference API: a registered version (or the version an alias points at) scores rows sent as JSON,
 * with the version's ONNX artifact and the app's own preprocessing. Needs the `predict` scope.
 */
export const predict = new Hono<AppEnv>();

const notServable = (message: string, details: unknown) =>
	new ApiError({ status: 409, code: 'not_servable', message, details });

/** What a version needs to serve: an ONNX artifact this workspace uploaded, and its preprocessing spec. */
function servable(v: ServingVersion): { sha256: string; prep: Preprocessing } {
	const where = `Version ${v.version} of "${v.modelName}"`;
	const details = { modelName: v.modelName, version: v.version };
	const raw = v.signature?.preprocessing;
	if (raw === undefined)
		throw notServable(
			`${where} has no preprocessing signature. Register the version from the notebook (it saves signature.preprocessing), or pass signature: { preprocessing } when creating it.`,
			details
		);
	const parsed = preprocessingSchema.safeParse(raw);
	if (!parsed.success)
		throw new ApiError({
			status: 422,
			code: 'invalid_model',
			message: `${where} has a malformed signature.preprocessing: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}. Register the version again from the notebook.`,
			details: { ...details, issues: parsed.error.issues.slice(0, 20) }
		});
	const sha256 = v.artifactSha256;
	if (!sha256)
		throw notServable(
			`${where} has no artifact. Upload its ONNX export (PUT /api/v1/blobs/<sha256>) and register a version with that artifactSha256.`,
			details
		);
	// Through blob_refs only: a hash another workspace uploaded never serves here.
	if (!v.hasArtifact)
		throw notServable(
			`${where} names artifact ${sha256}, which this workspace never uploaded. PUT its ONNX bytes to /api/v1/blobs/${sha256}.`,
			{ ...details, sha256 }
		);
	return { sha256, prep: parsed.data };
}

/** The body as rows or columns; more than LIMITS.predictRows is a 413 rather than a shape error. */
async function predictBody(c: Ctx) {
	const raw = await jsonBody(c, z.unknown(), LIMITS.predictBodyBytes);
	const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
	const rows = isObject && 'rows' in raw ? raw.rows : undefined;
	const columns = isObject && 'columns' in raw ? raw.columns : undefined;
	const lengths = Array.isArray(rows)
		? [rows.length]
		: typeof columns === 'object' && columns !== null
			? Object.values(columns).map((col) => (Array.isArray(col) ? col.length : 0))
			: [];
	const count = Math.max(0, ...lengths);
	if (count > LIMITS.predictRows)
		throw new ApiError({
			status: 413,
			code: 'payload_too_large',
			message: `${count} rows is more than the ${LIMITS.predictRows} one request may score; send them in batches.`,
			details: { rows: count, limit: LIMITS.predictRows }
		});
	if (rows === undefined && columns !== undefined) return parseWith(predictColumnsSchema, raw, 'body');
	return parseWith(predictRowsSchema, raw, 'body');
}

async function serve(c: Ctx, v: ServingVersion, startedAt: number) {
	const { sha256, prep } = servable(v);
	const body = await predictBody(c);
	const encoded = encode(prep, toFrame(prep, body));
	// ORT loads here, on the first prediction an isolate serves: every other route stays light.
	const { runModel } = await import('../../inference/run');
	const output = await runModel({
		sha256,
		features: encoded.x,
		rows: encoded.rows,
		width: encoded.width,
		bytes: async () => {
			const obj = await c.env.ARTIFACTS.get(blobKey(sha256));
			if (!obj)
				throw notServable(`The bytes of ${sha256} are missing from storage; upload them again.`, {
					sha256
				});
			return new Uint8Array(await obj.arrayBuffer());
		}
	});
	const response: PredictResponse = {
		model: v.modelName,
		version: v.version,
		task: prep.target.task,
		predictions: decodePredictions(prep, output, encoded.rows),
		latencyMs: Date.now() - startedAt
	};
	return c.json(response, 200);
}

predict.post('/:name/versions/:version/predict', requireScope('predict'), async (c) => {
	const startedAt = Date.now();
	const name = modelName(c);
	const version = param(c, 'version', versionParam);
	// Not found: the general path names what is missing (the model or the version); a version created in
	// between is simply read again.
	const v =
		(await servingVersion(c.env.DB, ws(c), name, { version })) ??
		(await mustGetVersion(c, name, version), await servingVersion(c.env.DB, ws(c), name, { version }));
	if (!v)
		throw notFound(`The registered model "${name}" has no version ${version}.`, { modelName: name, version });
	// Awaited here: a rejection handed back unawaited is reported as unhandled by workerd.
	return await serve(c, v, startedAt);
});

predict.post('/:name/aliases/:alias/predict', requireScope('predict'), async (c) => {
	const startedAt = Date.now();
	const name = modelName(c);
	const alias = param(c, 'alias', aliasSchema);
	const v = await servingVersion(c.env.DB, ws(c), name, { alias });
	if (!v) {
		await mustGetModel(c, name);
		throw notFound(`The model "${name}" has no alias "${alias}".`, { modelName: name, alias });
	}
	// Awaited here: a rejection handed back unawaited is reported as unhandled by workerd.
	return await serve(c, v, startedAt);
});
