-- 0001: the registry's first tables. Applied by `wrangler d1 migrations apply DB` (npm start, deploy) and by
-- applyD1Migrations in the Worker tests; wrangler records each applied file in its own d1_migrations table.

-- A workspace groups notebooks, runs and models. One local workspace exists from the start so a single-user
-- install never has to create one; shared deployments add more.
CREATE TABLE workspaces (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

INSERT INTO workspaces (id, name) VALUES ('local', 'Local workspace');

-- Small settings that belong to the deployment, not to a workspace (e.g. install id, feature switches).
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
