-- 0004: search runs in SQL (docs/registry.md, "Search").

-- Each run's latest point per metric key (MLflow's latest_metrics): the highest step, then the latest timestamp,
-- then the last logged, the rule latestMetrics reads from run_metrics. Kept by every metric write in the same
-- batch as the points. value is sortable: ±Infinity stored as SQLite's ±Inf (9e999), NaN as NULL (it never
-- matches and sorts last, as a missing metric); special keeps the spelling, as in run_metrics.
CREATE TABLE latest_metrics (
	workspace_id TEXT NOT NULL,
	run_id TEXT NOT NULL,
	key TEXT NOT NULL,
	step INTEGER NOT NULL,
	timestamp INTEGER NOT NULL,
	value REAL,
	special TEXT,
	PRIMARY KEY (workspace_id, run_id, key)
) WITHOUT ROWID;

INSERT INTO latest_metrics (workspace_id, run_id, key, step, timestamp, value, special)
SELECT workspace_id, run_id, key, step, timestamp,
       CASE special WHEN 'Infinity' THEN 9e999 WHEN '-Infinity' THEN -9e999 ELSE value END, special
FROM (
	SELECT *, ROW_NUMBER() OVER (
		PARTITION BY workspace_id, run_id, key ORDER BY step DESC, timestamp DESC, rowid DESC
	) AS n
	FROM run_metrics
)
WHERE n = 1;

-- A filter or sort on one key reads its rows in value order, whichever table leads the join.
CREATE INDEX latest_metrics_key ON latest_metrics (workspace_id, key, value);
CREATE INDEX run_params_key ON run_params (workspace_id, key, value);
CREATE INDEX run_tags_key ON run_tags (workspace_id, key, value);
-- The default order (newest first) within a workspace when no experiment narrows it.
CREATE INDEX runs_started ON runs (workspace_id, started_at);
CREATE INDEX experiment_tags_key ON experiment_tags (workspace_id, key, value);
CREATE INDEX experiments_created ON experiments (workspace_id, created_at);
CREATE INDEX model_tags_key ON model_tags (workspace_id, key, value);
CREATE INDEX model_version_tags_key ON model_version_tags (workspace_id, key, value);
