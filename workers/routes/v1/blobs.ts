import { Hono } from 'hono';
import { z } from 'zod';
import { LIMITS, sha256Hex } from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { ApiError } from '../../errors';
import { readBytes } from '../../http/body';
import { bytesResponse, type StoredBytes } from '../../http/download';
import { blobKey, getBlobRef, type BlobRecord } from '../../registry/read-artifacts';
import type { AppEnv } from '../../types';
import { notFound, param, ws, type Ctx } from './common';

/**
 * Content-addressed artifact bytes. The same bytes are stored once in R2 (under their sha-256) whichever
 * workspace uploads them; blob_refs records which workspaces did, and only those may read them back, so
 * knowing a hash never opens another workspace's artifact.
 */
export const blobs = new Hono<AppEnv>();

/** `type/subtype` with optional parameters; what a browser would put in Content-Type. */
const mediaTypeSchema = z
	.string()
	.max(200)
	.regex(/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=("[^"]*"|[\w.+-]+))*$/, 'Content-Type is not a media type');

export function mediaTypeOf(c: Ctx): string {
	const header = c.req.header('content-type')?.trim();
	if (!header) return 'application/octet-stream';
	const parsed = mediaTypeSchema.safeParse(header);
	if (!parsed.success)
		throw new ApiError({
			status: 400,
			code: 'invalid_request',
			message: `Invalid header: content-type: "${header.slice(0, 100)}" is not a media type (type/subtype).`
		});
	return parsed.data;
}

async function hexDigest(bytes: Uint8Array): Promise<string> {
	const d = await crypto.subtle.digest('SHA-256', bytes);
	return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

blobs.put('/:sha256', requireScope('write'), async (c) => {
	const sha = param(c, 'sha256', sha256Hex);
	const mediaType = mediaTypeOf(c);
	// Buffered (the limit keeps it inside a Worker's memory) so the hash is checked before anything is stored.
	const bytes = await readBytes(c.req.raw, LIMITS.artifactBytes);
	const actual = await hexDigest(bytes);
	if (actual !== sha)
		throw new ApiError({
			status: 400,
			code: 'hash_mismatch',
			message: `The body's sha-256 is ${actual}, not ${sha} as the path says.`,
			details: { expected: sha, actual }
		});
	const db = c.env.DB;
	const known = await db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').bind(sha).first();
	// A row without its object (a put that died between R2 and D1) is healed by storing the bytes again.
	if (!known || !(await c.env.ARTIFACTS.head(blobKey(sha))))
		await c.env.ARTIFACTS.put(blobKey(sha), bytes, { sha256: sha });
	const now = Date.now();
	const [, ref] = await db.batch([
		db
			.prepare('INSERT OR IGNORE INTO blobs (sha256, bytes, created_at) VALUES (?, ?, ?)')
			.bind(sha, bytes.byteLength, now),
		db
			.prepare(
				'INSERT OR IGNORE INTO blob_refs (workspace_id, sha256, media_type, created_at) VALUES (?, ?, ?, ?)'
			)
			.bind(ws(c), sha, mediaType, now)
	]);
	const blob = (await getBlobRef(db, ws(c), sha)) as BlobRecord;
	return c.json(blob, ref.meta.changes > 0 ? 201 : 200);
});

/** Streams a blob this workspace holds, under `filename` (the artifact's path, or the hash). */
export async function sendBlob(c: Ctx, blob: StoredBytes, filename: string = blob.sha256) {
	const res = await bytesResponse(c.req.method, c.env.ARTIFACTS, blob, filename);
	if (!res)
		throw notFound(`The bytes of ${blob.sha256} are missing from storage; upload them again.`, {
			sha256: blob.sha256
		});
	return res;
}

blobs.get('/:sha256', requireScope('read'), async (c) => {
	const sha = param(c, 'sha256', sha256Hex);
	const blob = await getBlobRef(c.env.DB, ws(c), sha);
	if (!blob) throw notFound(`No uploaded blob with sha-256 ${sha}.`, { sha256: sha });
	return sendBlob(c, blob);
});
