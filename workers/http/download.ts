import { blobKey } from '../registry/read-artifacts';

/** What every download path knows about the bytes it serves. */
export interface StoredBytes {
	sha256: string;
	bytes: number;
	/** The type the uploader gave: kept as metadata, never used as the response's Content-Type. */
	mediaType: string;
}

/** `attachment` with an ASCII fallback name and the exact name in RFC 5987 form (RFC 6266 §4.3). */
export function attachment(filename: string): string {
	const base = filename.split('/').pop() || 'download';
	const ascii = base.replace(/[^\w.-]/g, '_');
	const exact = encodeURIComponent(base).replace(
		/['()*]/g,
		(ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`
	);
	return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/**
 * Headers for stored bytes, the same on every download path (v1 blobs, v1 run artifacts, MLflow's artifact
 * proxy): always `application/octet-stream` as an attachment, never sniffed, sandboxed if opened anyway. The
 * uploader's type could be `text/html` (a page on this origin) or a charset `wrangler dev` cannot rewrite (the
 * download then hangs), so it travels only in `x-edgebook-media-type`. See docs/registry.md.
 */
export function bytesHeaders(blob: StoredBytes, filename: string): Headers {
	return new Headers({
		'content-type': 'application/octet-stream',
		'content-disposition': attachment(filename),
		'content-length': String(blob.bytes),
		etag: `"${blob.sha256}"`,
		'cache-control': 'private, max-age=31536000, immutable',
		'x-content-type-options': 'nosniff',
		'content-security-policy': "default-src 'none'; sandbox",
		// Printable ASCII only: a stored type is any string of up to 200 characters, a header value is not.
		'x-edgebook-media-type': blob.mediaType.replace(/[^\x20-\x7e]/g, '')
	});
}

/** The download response; HEAD answers the headers without reading R2. null when R2 has lost the bytes. */
export async function bytesResponse(
	method: string,
	bucket: R2Bucket,
	blob: StoredBytes,
	filename: string
): Promise<Response | null> {
	const headers = bytesHeaders(blob, filename);
	if (method === 'HEAD') return new Response(null, { status: 200, headers });
	const obj = await bucket.get(blobKey(blob.sha256));
	return obj ? new Response(obj.body, { status: 200, headers }) : null;
}
