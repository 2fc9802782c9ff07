-- The prediction log's index: one row per NDJSON batch in R2 (predictions/<workspace>/<model>/…), written by the
-- PredictionLog Durable Object. A time-range read finds its batches here, then reads only those objects.
CREATE TABLE prediction_batches (
	workspace_id TEXT NOT NULL,
	model_name TEXT NOT NULL,
	object_key TEXT NOT NULL,
	first_at INTEGER NOT NULL,
	last_at INTEGER NOT NULL,
	count INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, object_key)
) WITHOUT ROWID;

CREATE INDEX prediction_batches_by_time ON prediction_batches (workspace_id, model_name, last_at);
