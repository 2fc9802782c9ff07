-- Retraining tasks (docs/architecture.md, "Monitoring"): one open task per model and workspace (`open` is 1 while
-- the task is pending, claimed or in its canary, NULL after, and SQLite lets NULLs repeat in a UNIQUE index), so a
-- trigger that fires twice finds the task it opened. The task itself is JSON (contract RetrainTask).
CREATE TABLE retrain_tasks (
	workspace_id TEXT NOT NULL,
	id TEXT NOT NULL,
	model_name TEXT NOT NULL,
	open INTEGER CHECK (open IS NULL OR open = 1),
	state TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, id),
	UNIQUE (workspace_id, model_name, open)
) WITHOUT ROWID;
CREATE INDEX retrain_tasks_by_state ON retrain_tasks (state, updated_at);
