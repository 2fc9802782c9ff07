import { sha256Hex } from '../auth/hash';
import { blobKey } from './read-artifacts';

/**
 * Records that bytes stored in R2 under blobKey(sha) exist (`blobs`) and that this workspace uploaded them
 * (`blob_refs`, what lets the workspace link and serve them), in one batch. Every way bytes arrive calls it: the
 * blob upload route, MLflow's artifact proxy, a federated round's new weights. Answers the batch's results, so a
 * caller can tell a new reference (`[1].meta.changes > 0`) from one it already had.
 */
export function recordBlob(
	db: D1Database,
	workspaceId: string,
	sha256: string,
	bytes: number,
	mediaType: string,
	now = Date.now()
): Promise<D1Result[]> {
	return db.batch([
		db
			.prepare('INSERT OR IGNORE INTO blobs (sha256, bytes, created_at) VALUES (?, ?, ?)')
			.bind(sha256, bytes, now),
		db
			.prepare(
				'INSERT OR IGNORE INTO blob_refs (workspace_id, sha256, media_type, created_at) VALUES (?, ?, ?, ?)'
			)
			.bind(workspaceId, sha256, mediaType, now)
	]);
}

/** Stores bytes content-addressed for the workspace, as PUT /api/v1/blobs does; answers the hash. */
export async function storeBlob(
	db: D1Database,
	bucket: R2Bucket,
	workspaceId: string,
	bytes: Uint8Array,
	mediaType: string
): Promise<string> {
	// A copy on its own ArrayBuffer: digest and R2 take no views of shared or larger buffers.
	const own = bytes.slice();
	const sha = await sha256Hex(own);
	if (!(await bucket.head(blobKey(sha)))) await bucket.put(blobKey(sha), own, { sha256: sha });
	await recordBlob(db, workspaceId, sha, own.length, mediaType);
	return sha;
}
