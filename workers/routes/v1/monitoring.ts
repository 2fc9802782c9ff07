import { Hono } from 'hono';
import { z } from 'zod';
import type { DriftReport } from '../../../src/lib/contract';
import { ReferenceProfile } from '../../../src/lib/ml/monitor/reference';
import { requireScope } from '../../auth/middleware';
import { domainErrorOf } from '../../domain/errors';
import { jsonBody, parseWith } from '../../http/body';
import { logFor } from '../../predictions/log-store';
import { storeBlob } from '../../registry/blob-records';
import type { AppEnv } from '../../types';
import { msQuery, param, WINDOWS, ws } from './common';
import { modelName, mustGetModel, mustGetVersion, versionParam } from './model-common';

/**
 * Monitoring over HTTP (docs/architecture.md, "Monitoring"): drift per window against each version's reference
 * profile, and a reference uploaded by hand for a version whose run has none.
 */
export const monitoring = new Hono<AppEnv>();

const driftQuery = z.strictObject({
	from: msQuery.optional(),
	to: msQuery.optional(),
	window: z.enum(['hour', 'day']).optional(),
	version: z
		.string()
		.regex(/^[1-9]\d{0,8}$/, 'a version is a positive whole number')
		.transform(Number)
		.optional(),
	/** A feature whose reference and current distributions the answer carries (`__prediction__` for the output). */
	feature: z.string().min(1).max(200).optional()
});

/** Drift per window (hourly by default) and version over [from, to] (the last 7 days by default). */
monitoring.get('/:name/drift', requireScope('read'), async (c) => {
	const name = modelName(c);
	const q = parseWith(driftQuery, c.req.query(), 'query');
	await mustGetModel(c, name);
	const to = q.to ?? Date.now();
	const from = q.from ?? to - 7 * WINDOWS.day;
	if (from > to) throw domainErrorOf('invalid_request', 'Invalid query: from must not be after to.');
	const windowMs = WINDOWS[q.window ?? 'hour'];
	const d = await logFor(c.env, { workspaceId: ws(c), modelName: name }).drift(
		from,
		to,
		windowMs,
		q.version ?? null,
		q.feature ?? null
	);
	const report: DriftReport = { model: name, from, to, windowMs, ...d };
	return c.json(report, 200);
});

/**
 * A version's reference profile, uploaded (the JSON a notebook run's reference-profile.json holds): it replaces the
 * run's for monitoring. Stored as a blob like any upload; windows from the next hour take its shape.
 */
monitoring.put('/:name/versions/:version/reference', requireScope('write'), async (c) => {
	const body = await jsonBody(c, z.unknown());
	const name = modelName(c);
	const version = param(c, 'version', versionParam);
	await mustGetVersion(c, name, version);
	let reference: ReferenceProfile;
	try {
		reference = ReferenceProfile.fromJSON(body);
	} catch (e) {
		throw domainErrorOf('invalid_request', `Not a reference profile: ${(e as Error).message}`);
	}
	const bytes = new TextEncoder().encode(JSON.stringify(reference.toJSON()));
	const sha256 = await storeBlob(c.env.DB, c.env.ARTIFACTS, ws(c), bytes, 'application/json');
	await c.env.DB.prepare(
		`INSERT OR REPLACE INTO version_references (workspace_id, model_name, version, sha256, created_at)
		 VALUES (?, ?, ?, ?, ?)`
	)
		.bind(ws(c), name, version, sha256, Date.now())
		.run();
	await logFor(c.env, { workspaceId: ws(c), modelName: name }).forgetReference(version);
	return c.json(
		{
			model: name,
			version,
			sha256,
			features: [...reference.features].map(([feature, p]) => ({ feature, kind: p.kind }))
		},
		200
	);
});
