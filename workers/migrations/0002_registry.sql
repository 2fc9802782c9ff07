-- 0002: the registry. Every table is keyed by workspace first: a token sees only its own workspace's rows,
-- and ids chosen by browsers can repeat across workspaces without meeting. Times are epoch milliseconds.

-- API tokens: only the sha-256 of the secret is stored. scopes is a JSON array of strings.
CREATE TABLE tokens (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	name TEXT NOT NULL,
	secret_hash TEXT NOT NULL,
	scopes TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_used_at INTEGER,
	revoked_at INTEGER
);
CREATE INDEX tokens_workspace ON tokens (workspace_id, created_at);

CREATE TABLE experiments (
	workspace_id TEXT NOT NULL,
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	deleted_at INTEGER,
	PRIMARY KEY (workspace_id, id),
	UNIQUE (workspace_id, name)
);

CREATE TABLE runs (
	workspace_id TEXT NOT NULL,
	id TEXT NOT NULL,
	experiment_id TEXT NOT NULL,
	parent_id TEXT,
	name TEXT NOT NULL,
	status TEXT NOT NULL,
	started_at INTEGER NOT NULL,
	ended_at INTEGER,
	notebook_id TEXT,
	cell_id TEXT,
	deleted_at INTEGER,
	note TEXT NOT NULL DEFAULT '',
	lineage TEXT,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, id)
);
CREATE INDEX runs_experiment ON runs (workspace_id, experiment_id, started_at);
CREATE INDEX runs_parent ON runs (workspace_id, parent_id);

-- Params are immutable: the primary key makes a second value for a key fail the whole write.
CREATE TABLE run_params (
	workspace_id TEXT NOT NULL,
	run_id TEXT NOT NULL,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (workspace_id, run_id, key)
) WITHOUT ROWID;

CREATE TABLE run_tags (
	workspace_id TEXT NOT NULL,
	run_id TEXT NOT NULL,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (workspace_id, run_id, key)
) WITHOUT ROWID;

-- Append-only, every point kept (as the browser keeps them); exactly-once comes from mutation ids, not from
-- deduplicating points. special holds 'NaN', 'Infinity' or '-Infinity' (MLflow clients may log them; SQLite
-- cannot store NaN) with value NULL.
CREATE TABLE run_metrics (
	workspace_id TEXT NOT NULL,
	run_id TEXT NOT NULL,
	key TEXT NOT NULL,
	step INTEGER NOT NULL,
	timestamp INTEGER NOT NULL,
	value REAL,
	special TEXT
);
CREATE INDEX run_metrics_history ON run_metrics (workspace_id, run_id, key, step, timestamp);

-- Content-addressed artifact bytes in R2 under blobs/<sha256>: the same bytes are stored once. blob_refs says
-- which workspaces uploaded them, so a hash alone never opens another workspace's artifact.
CREATE TABLE blobs (
	sha256 TEXT PRIMARY KEY,
	bytes INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TABLE blob_refs (
	workspace_id TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	media_type TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, sha256)
) WITHOUT ROWID;

CREATE TABLE run_artifacts (
	workspace_id TEXT NOT NULL,
	run_id TEXT NOT NULL,
	name TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	media_type TEXT NOT NULL,
	bytes INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, run_id, name)
) WITHOUT ROWID;

CREATE TABLE registered_models (
	workspace_id TEXT NOT NULL,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, name)
) WITHOUT ROWID;

CREATE TABLE model_versions (
	workspace_id TEXT NOT NULL,
	model_name TEXT NOT NULL,
	version INTEGER NOT NULL,
	id TEXT NOT NULL,
	source_run_id TEXT,
	artifact_sha256 TEXT,
	signature TEXT,
	description TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, model_name, version),
	UNIQUE (workspace_id, id)
);

CREATE TABLE model_aliases (
	workspace_id TEXT NOT NULL,
	model_name TEXT NOT NULL,
	alias TEXT NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, model_name, alias)
) WITHOUT ROWID;

CREATE TABLE model_tags (
	workspace_id TEXT NOT NULL,
	model_name TEXT NOT NULL,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (workspace_id, model_name, key)
) WITHOUT ROWID;

CREATE TABLE model_version_tags (
	workspace_id TEXT NOT NULL,
	model_name TEXT NOT NULL,
	version INTEGER NOT NULL,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (workspace_id, model_name, version, key)
) WITHOUT ROWID;

-- Every applied (or finally rejected) mutation, in order. seq is the change-feed cursor clients pull after.
-- (workspace, mutation id) makes a repeated push a no-op; (workspace, client, client seq) keeps one client's
-- mutations in order and fails a racing duplicate inside the same transaction as its writes.
CREATE TABLE mutations (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id TEXT NOT NULL,
	mutation_id TEXT NOT NULL,
	client_id TEXT,
	client_seq INTEGER,
	type TEXT NOT NULL,
	body TEXT NOT NULL,
	outcome TEXT NOT NULL,
	result TEXT,
	error TEXT,
	at INTEGER NOT NULL,
	applied_at INTEGER NOT NULL,
	UNIQUE (workspace_id, mutation_id),
	UNIQUE (workspace_id, client_id, client_seq)
);
CREATE INDEX mutations_feed ON mutations (workspace_id, outcome, seq);
