import { Hono } from 'hono';
import { z } from 'zod';
import { artifactWire, idSchema, keySchema } from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { jsonBody, parseWith } from '../../http/body';
import { getArtifact, getBlobRef, listArtifacts } from '../../registry/read-artifacts';
import type { AppEnv } from '../../types';
import { sendBlob } from './blobs';
import { apply, notFound, param, ws } from './common';
import { mustGetRun } from './runs';

/**
 * A run's artifacts: paths linked to uploaded blobs (PUT /blobs/:sha256 first). Mounted under /runs.
 * Size and media type default to the uploaded blob's, so a client only has to name the path and the hash.
 */
export const artifacts = new Hono<AppEnv>();

const linkBody = artifactWire.omit({ runId: true }).partial({ mediaType: true, bytes: true });
const listQuery = z.strictObject({ prefix: z.string().max(250).optional() });

artifacts.post('/:id/artifacts', requireScope('write'), async (c) => {
	const runId = param(c, 'id', idSchema);
	const b = await jsonBody(c, linkBody);
	await mustGetRun(c, runId);
	const blob = await getBlobRef(c.env.DB, ws(c), b.sha256);
	if (!blob)
		throw notFound(
			`No uploaded blob with sha-256 ${b.sha256}; upload it (PUT /api/v1/blobs/${b.sha256}) first.`,
			{
				sha256: b.sha256
			}
		);
	const before = await getArtifact(c.env.DB, ws(c), runId, b.name);
	const artifact = {
		runId,
		name: b.name,
		mediaType: b.mediaType ?? blob.mediaType,
		bytes: b.bytes ?? blob.bytes,
		sha256: b.sha256
	};
	await apply(c, { type: 'artifact.link', artifact });
	const linked = await getArtifact(c.env.DB, ws(c), runId, b.name);
	// Linking the same bytes at the same path again is a no-op: 200, not a second 201.
	return c.json(linked, before ? 200 : 201);
});

artifacts.get('/:id/artifacts', requireScope('read'), async (c) => {
	const run = await mustGetRun(c, param(c, 'id', idSchema));
	const q = parseWith(listQuery, c.req.query(), 'query');
	return c.json({ artifacts: await listArtifacts(c.env.DB, ws(c), run.id, q) }, 200);
});

artifacts.get('/:id/artifacts/:path{.+}', requireScope('read'), async (c) => {
	const runId = param(c, 'id', idSchema);
	const path = param(c, 'path', keySchema);
	const a = await getArtifact(c.env.DB, ws(c), runId, path);
	if (!a) throw notFound(`The run ${runId} has no artifact at ${path}.`, { runId, path });
	return sendBlob(c, a, a.name);
});
