-- 0003: what MLflow's REST API needs beyond the registry's own records.

-- MLflow experiments carry tags (set-experiment-tag, and the tags of experiments/create).
CREATE TABLE experiment_tags (
	workspace_id TEXT NOT NULL,
	experiment_id TEXT NOT NULL,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (workspace_id, experiment_id, key)
) WITHOUT ROWID;

-- MLflow model versions name where their files are (`runs:/<run>/model`, `mlflow-artifacts:/...`); clients
-- download through it, so it is kept as given. NULL for versions registered from the browser.
ALTER TABLE model_versions ADD COLUMN source TEXT;
