import { ApiError } from '../errors';
import { blobKey } from '../registry/read-artifacts';

/**
 * Streamed uploads: the bytes pass through a SHA-256 digest on their way to R2 instead of being held in memory,
 * so a 64 MiB artifact costs a Worker one chunk at a time. R2 needs the length of a streamed body up front.
 */

/** The upload's length from Content-Length: 411 without one, 413 over `limit`. */
export function declaredLength(req: Request, limit: number): number {
	const raw = req.headers.get('content-length');
	if (raw === null)
		throw new ApiError({
			status: 411,
			code: 'length_required',
			message: 'Uploads must say their size in Content-Length (they are streamed to storage, which needs it).'
		});
	const n = Number(raw);
	if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n))
		throw new ApiError({
			status: 400,
			code: 'invalid_request',
			message: `Invalid header: content-length: "${raw.slice(0, 40)}" is not a byte count.`
		});
	if (n > limit)
		throw new ApiError({
			status: 413,
			code: 'payload_too_large',
			message: `The body is larger than ${limit} bytes.`,
			details: { limit }
		});
	return n;
}

export interface Hashing {
	/** The body, unchanged, for whoever consumes it (R2, or a drain). */
	stream: ReadableStream<Uint8Array>;
	/** Bytes read so far. */
	bytes(): number;
	/** Whether the body has been read to its end: then `digest` settles. */
	ended(): boolean;
	/** The hex SHA-256 of the whole body; settles once the body has been read to its end. */
	digest: Promise<string>;
}

/** Taps the body's chunks into a DigestStream as they are pulled; nothing is buffered beyond the chunk in hand. */
export function hashing(body: ReadableStream<Uint8Array> | null): Hashing {
	const sha = new crypto.DigestStream('SHA-256');
	const writer = sha.getWriter();
	const reader = body?.getReader();
	let bytes = 0;
	let ended = false;
	const stream = new ReadableStream<Uint8Array>({
		async pull(out) {
			const next = reader ? await reader.read() : { done: true as const, value: undefined };
			if (next.done) {
				ended = true;
				await writer.close();
				out.close();
				return;
			}
			bytes += next.value.byteLength;
			// A copy for the digest: the chunk itself goes on to R2, whose native stream may take its buffer.
			await writer.write(next.value.slice());
			out.enqueue(next.value);
		},
		async cancel(reason) {
			await reader?.cancel(reason);
		}
	});
	const digest = sha.digest.then(hex);
	// Unread when the body fails before its end; the caller only awaits it once ended() says it will settle.
	digest.catch(() => {});
	return { stream, bytes: () => bytes, ended: () => ended, digest };
}

function hex(buf: ArrayBuffer): string {
	return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A 400 when the body was not the length it declared (read to its end short, or past it); null otherwise. */
export function lengthFailure(body: Hashing, length: number): ApiError | null {
	return body.bytes() > length || (body.ended() && body.bytes() !== length)
		? new ApiError({
				status: 400,
				code: 'invalid_request',
				message: `The body is not the ${length} bytes its Content-Length says.`
			})
		: null;
}

/**
 * Stores a body whose hash is not known up front (MLflow's artifact proxy names a path, not a hash) at
 * blobKey(its sha-256), and returns the hash. Streamed to a key of its own first, then copied R2 to R2 (with R2
 * checking the hash) only when no object holds those bytes yet; the staging key is always deleted.
 */
export async function storeByContent(
	bucket: R2Bucket,
	raw: ReadableStream<Uint8Array> | null,
	length: number
): Promise<string> {
	const staging = `uploads/${crypto.randomUUID()}`;
	const body = hashing(raw);
	try {
		try {
			await bucket.put(staging, body.stream.pipeThrough(new FixedLengthStream(length)));
		} catch (e) {
			throw lengthFailure(body, length) ?? e;
		}
		const sha = await body.digest;
		if (!(await bucket.head(blobKey(sha)))) {
			const staged = await bucket.get(staging);
			if (!staged) throw new Error(`The staged upload ${staging} vanished before it was stored.`);
			await bucket.put(blobKey(sha), staged.body, { sha256: sha });
		}
		return sha;
	} finally {
		await bucket.delete(staging);
	}
}
