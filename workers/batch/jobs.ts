import type { BatchFormat, BatchJob, BatchStatus } from '../../src/lib/contract';

/**
 * A batch job's row in D1 (`batch_jobs`, migration 0007) and its objects in R2: what the routes read and what the
 * job's Durable Object updates as it goes. The Durable Object owns the cursor; D1 is the index others read.
 */

export interface BatchJobRow {
	id: string;
	workspace_id: string;
	model_name: string;
	version: number;
	alias: string | null;
	input_sha256: string | null;
	input_format: BatchFormat;
	input_bytes: number;
	status: BatchStatus;
	rows_total: number | null;
	rows_done: number;
	parts: number;
	error: string | null;
	created_at: number;
	updated_at: number;
	finished_at: number | null;
}

export const jobView = (r: BatchJobRow): BatchJob => ({
	id: r.id,
	status: r.status,
	model: r.model_name,
	version: r.version,
	alias: r.alias,
	input: { format: r.input_format, sha256: r.input_sha256, bytes: r.input_bytes },
	rowsTotal: r.rows_total,
	rowsDone: r.rows_done,
	parts: r.parts,
	error: r.error,
	createdAt: r.created_at,
	updatedAt: r.updated_at,
	finishedAt: r.finished_at
});

export async function getJob(db: D1Database, workspaceId: string, id: string): Promise<BatchJobRow | null> {
	return db
		.prepare('SELECT * FROM batch_jobs WHERE workspace_id = ? AND id = ?')
		.bind(workspaceId, id)
		.first<BatchJobRow>();
}

/** `bj_` and 32 hex digits: unguessable, and a fixed shape the route checks before any lookup. */
export const newJobId = () => `bj_${crypto.randomUUID().replace(/-/g, '')}`;
export const JOB_ID = /^bj_[0-9a-f]{32}$/;

const prefix = (workspaceId: string, id: string) => `batch/${workspaceId}/${id}/`;

/** Where an uploaded input is kept while its job runs (a named blob stays under blobs/<sha256>). */
export const inputKey = (workspaceId: string, id: string, format: BatchFormat) =>
	`${prefix(workspaceId, id)}input.${format}`;

/** The n-th (1-based) NDJSON part of a job's result; a retried chunk writes the same key again. */
export const partKey = (workspaceId: string, id: string, n: number) =>
	`${prefix(workspaceId, id)}part-${String(n).padStart(6, '0')}.ndjson`;

export async function updateJob(
	db: D1Database,
	id: string,
	set: Partial<Pick<BatchJobRow, 'status' | 'rows_done' | 'parts' | 'error' | 'finished_at'>>
): Promise<void> {
	const keys = Object.keys(set) as (keyof typeof set)[];
	const now = Date.now();
	await db
		.prepare(`UPDATE batch_jobs SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`)
		.bind(...keys.map((k) => set[k] ?? null), now, id)
		.run();
}
