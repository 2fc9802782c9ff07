-- Batch scoring jobs (workers/batch): one row per job, written by the route that creates it and then by the job's
-- BatchJob Durable Object as it goes. The Durable Object owns the cursor; this row is what GET /api/v1/batch/:id
-- and the result route read, and what lists a workspace's jobs. The version is pinned at creation: an alias that
-- moves while the job runs does not mix versions in one result.
CREATE TABLE batch_jobs (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL,
	model_name TEXT NOT NULL,
	version INTEGER NOT NULL,
	alias TEXT,
	input_sha256 TEXT,
	input_format TEXT NOT NULL CHECK (input_format IN ('csv', 'parquet')),
	input_bytes INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
	rows_total INTEGER,
	rows_done INTEGER NOT NULL DEFAULT 0,
	parts INTEGER NOT NULL DEFAULT 0,
	error TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	finished_at INTEGER
);

CREATE INDEX batch_jobs_by_workspace ON batch_jobs (workspace_id, created_at);
