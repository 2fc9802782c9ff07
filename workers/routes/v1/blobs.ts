import { Hono } from 'hono';
import { z } from 'zod';
import { LIMITS, sha256Hex } from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { ApiError } from '../../errors';
import { bytesResponse, type StoredBytes } from '../../http/download';
import { declaredLength, hashing, lengthFailure, type Hashing } from '../../http/upload';
import { blobKey, getBlobRef, type BlobRecord } from '../../registry/read-artifacts';
import { recordBlob } from '../../registry/blob-records';
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

blobs.put('/:sha256', requireScope('write'), async (c) => {
	const sha = param(c, 'sha256', sha256Hex);
	const mediaType = mediaTypeOf(c);
	const length = declaredLength(c.req.raw, LIMITS.artifactBytes);
	const db = c.env.DB;
	const known = await db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').bind(sha).first();
	// A row without its object (a put that died between R2 and D1) is healed by storing the bytes again.
	const stored = known !== null && (await c.env.ARTIFACTS.head(blobKey(sha))) !== null;
	const body = hashing(c.req.raw.body);
	try {
		if (stored) await body.stream.pipeTo(new WritableStream());
		// Straight to the final key: R2 checks the sha-256 itself and keeps nothing when it differs, so wrong
		// bytes never land there, and a concurrent correct upload of the same hash is never overwritten or deleted.
		else
			await c.env.ARTIFACTS.put(blobKey(sha), body.stream.pipeThrough(new FixedLengthStream(length)), {
				sha256: sha
			});
	} catch (e) {
		throw (await uploadFailure(body, sha, length)) ?? e;
	}
	const failure = await uploadFailure(body, sha, length);
	if (failure) throw failure;
	const [, ref] = await recordBlob(db, ws(c), sha, length, mediaType);
	const blob = (await getBlobRef(db, ws(c), sha)) as BlobRecord;
	return c.json(blob, ref.meta.changes > 0 ? 201 : 200);
});

const mismatch = (expected: string, actual: string) =>
	new ApiError({
		status: 400,
		code: 'hash_mismatch',
		message: `The body's sha-256 is ${actual}, not ${expected} as the path says.`,
		details: { expected, actual }
	});

/** Why storing failed, when the body is to blame: its length, or its hash (R2 refused it); null for anything else. */
async function uploadFailure(body: Hashing, sha: string, length: number): Promise<ApiError | null> {
	const wrongLength = lengthFailure(body, length);
	if (wrongLength || !body.ended()) return wrongLength;
	const actual = await body.digest;
	return actual === sha ? null : mismatch(sha, actual);
}

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
