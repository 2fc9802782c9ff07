import { Hono } from 'hono';
import { z } from 'zod';
import {
	LIMITS,
	idSchema,
	keySchema,
	sha256Hex,
	signatureSchema,
	stringMapOf
} from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { jsonBody } from '../../http/body';
import { graphSignature } from '../../inference/graph-signature';
import { getBlobRef, listArtifacts } from '../../registry/read-artifacts';
import { listModelVersions } from '../../registry/read-models';
import { getRun } from '../../registry/read-runs';
import type { AppEnv } from '../../types';
import { newId } from '../../registry/write';
import { apply, notFound, param, ws, type Ctx } from './common';
import { modelName, mustGetModel, mustGetVersion, versionParam } from './model-common';

/** A model's versions (numbered by the registry), their tags, and where each came from (lineage). */
export const modelVersions = new Hono<AppEnv>();

const description = z.string().max(LIMITS.descriptionLength);
const createBody = z.strictObject({
	sourceRunId: idSchema.nullable().optional(),
	artifactSha256: sha256Hex.nullable().optional(),
	signature: signatureSchema.nullable().optional(),
	description: description.optional(),
	tags: stringMapOf(LIMITS.tagsPerBatch, LIMITS.tagValueLength).optional()
});
const updateBody = z.strictObject({ description });
const tagBody = z.strictObject({ value: z.string().max(LIMITS.tagValueLength) });

const version = (c: Ctx) => param(c, 'version', versionParam);

modelVersions.post('/:name/versions', requireScope('write'), async (c) => {
	const name = modelName(c);
	const b = await jsonBody(c, createBody);
	// Any other graph than the notebook's (no preprocessing): its signature comes from its own bytes, stored here.
	let signature = b.signature ?? null;
	const described = signature && ('preprocessing' in signature || 'inputs' in signature);
	if (b.artifactSha256 && !described && (await getBlobRef(c.env.DB, ws(c), b.artifactSha256))) {
		const read = await graphSignature(c.env.ARTIFACTS, b.artifactSha256);
		if (read) signature = { ...signature, ...read };
	}
	const result = await apply(c, {
		type: 'model.version.create',
		id: newId(),
		modelName: name,
		sourceRunId: b.sourceRunId ?? null,
		artifactSha256: b.artifactSha256 ?? null,
		signature,
		description: b.description,
		tags: Object.entries(b.tags ?? {}).map(([key, value]) => ({ key, value }))
	});
	return c.json(await mustGetVersion(c, name, (result as { version: number }).version), 201);
});

modelVersions.get('/:name/versions', requireScope('read'), async (c) => {
	const model = await mustGetModel(c, modelName(c));
	return c.json({ versions: await listModelVersions(c.env.DB, ws(c), model.name) }, 200);
});

modelVersions.get('/:name/versions/:version', requireScope('read'), async (c) => {
	return c.json(await mustGetVersion(c, modelName(c), version(c)), 200);
});

modelVersions.patch('/:name/versions/:version', requireScope('write'), async (c) => {
	const [name, v] = [modelName(c), version(c)];
	const { description } = await jsonBody(c, updateBody);
	await apply(c, { type: 'model.version.update', modelName: name, ref: { version: v }, description });
	return c.json(await mustGetVersion(c, name, v), 200);
});

modelVersions.delete('/:name/versions/:version', requireScope('write'), async (c) => {
	const [name, v] = [modelName(c), version(c)];
	await apply(c, { type: 'model.version.delete', modelName: name, ref: { version: v } });
	return c.json({}, 200);
});

modelVersions.put('/:name/versions/:version/tags/:key{.+}', requireScope('write'), async (c) => {
	const [name, v] = [modelName(c), version(c)];
	const key = param(c, 'key', keySchema);
	const { value } = await jsonBody(c, tagBody);
	await apply(c, { type: 'model.version.tag.set', modelName: name, ref: { version: v }, key, value });
	return c.json(await mustGetVersion(c, name, v), 200);
});

modelVersions.delete('/:name/versions/:version/tags/:key{.+}', requireScope('write'), async (c) => {
	const [name, v] = [modelName(c), version(c)];
	const key = param(c, 'key', keySchema);
	const before = await mustGetVersion(c, name, v);
	if (!Object.hasOwn(before.tags, key))
		throw notFound(`Version ${v} of "${name}" has no tag "${key}".`, { modelName: name, version: v, key });
	await apply(c, { type: 'model.version.tag.delete', modelName: name, ref: { version: v }, key });
	return c.json(await mustGetVersion(c, name, v), 200);
});

/** Where a version came from: its run, the data it was trained on, the config and the environment. */
modelVersions.get('/:name/versions/:version/lineage', requireScope('read'), async (c) => {
	const name = modelName(c);
	const v = await mustGetVersion(c, name, version(c));
	const model = await mustGetModel(c, name);
	const run = v.sourceRunId ? await getRun(c.env.DB, ws(c), v.sourceRunId) : null;
	const artifacts = run ? await listArtifacts(c.env.DB, ws(c), run.id) : [];
	return c.json(
		{
			model,
			version: v,
			run,
			dataFingerprint: run?.lineage?.dataFingerprint ?? null,
			configHash: run?.lineage?.configHash ?? null,
			seed: run?.lineage?.seed ?? null,
			environment: run?.lineage?.environment ?? null,
			artifacts
		},
		200
	);
});
