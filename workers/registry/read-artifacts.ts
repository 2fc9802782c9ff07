import type { ArtifactWire } from '../../src/lib/contract';

/** Read side of artifacts: a run's linked paths and the workspace's uploaded blobs (blob_refs). */

interface ArtifactRow {
	run_id: string;
	name: string;
	sha256: string;
	media_type: string;
	bytes: number;
	created_at: number;
}

export type ArtifactRecord = ArtifactWire & { createdAt: number };

const toArtifact = (r: ArtifactRow): ArtifactRecord => ({
	runId: r.run_id,
	name: r.name,
	mediaType: r.media_type,
	bytes: r.bytes,
	sha256: r.sha256,
	createdAt: r.created_at
});

const COLUMNS = 'run_id, name, sha256, media_type, bytes, created_at';

/** A run's artifacts by path; `prefix` limits them to one folder (`model/`), as MLflow's list does. */
export async function listArtifacts(
	db: D1Database,
	workspaceId: string,
	runId: string,
	opts: { prefix?: string } = {}
): Promise<ArtifactRecord[]> {
	const prefix = opts.prefix ?? '';
	const { results } = await db
		.prepare(
			`SELECT ${COLUMNS} FROM run_artifacts WHERE workspace_id = ? AND run_id = ?
			 AND substr(name, 1, length(?3)) = ?3 ORDER BY name`
		)
		.bind(workspaceId, runId, prefix)
		.all<ArtifactRow>();
	return results.map(toArtifact);
}

export async function getArtifact(
	db: D1Database,
	workspaceId: string,
	runId: string,
	name: string
): Promise<ArtifactRecord | null> {
	const row = await db
		.prepare(`SELECT ${COLUMNS} FROM run_artifacts WHERE workspace_id = ? AND run_id = ? AND name = ?`)
		.bind(workspaceId, runId, name)
		.first<ArtifactRow>();
	return row ? toArtifact(row) : null;
}

export interface BlobRecord {
	sha256: string;
	bytes: number;
	mediaType: string;
	createdAt: number;
}

/** The blob as this workspace uploaded it, or null: a hash alone never opens another workspace's bytes. */
export async function getBlobRef(
	db: D1Database,
	workspaceId: string,
	sha256: string
): Promise<BlobRecord | null> {
	const row = await db
		.prepare(
			`SELECT r.sha256, b.bytes, r.media_type, r.created_at FROM blob_refs r JOIN blobs b ON b.sha256 = r.sha256
			 WHERE r.workspace_id = ? AND r.sha256 = ?`
		)
		.bind(workspaceId, sha256)
		.first<{ sha256: string; bytes: number; media_type: string; created_at: number }>();
	return row
		? { sha256: row.sha256, bytes: row.bytes, mediaType: row.media_type, createdAt: row.created_at }
		: null;
}

/** The R2 key of a blob's bytes: content-addressed, shared by every workspace that uploaded them. */
export const blobKey = (sha256: string) => `blobs/${sha256}`;
