-- 0005: reads never write, and the change feed is numbered per workspace (docs/registry.md, docs/sync.md).

-- The change feed's position, counted per workspace. The global seq told a workspace how many writes the others
-- made (its first change came back as seq 77); ws_seq is 1, 2, 3… within each workspace, so a cursor reveals
-- nothing else. Existing rows are numbered in their apply order.
ALTER TABLE mutations ADD COLUMN ws_seq INTEGER;

UPDATE mutations SET ws_seq = numbered.n
FROM (SELECT seq, ROW_NUMBER() OVER (PARTITION BY workspace_id ORDER BY seq) AS n FROM mutations) AS numbered
WHERE numbered.seq = mutations.seq;

CREATE UNIQUE INDEX mutations_ws_seq ON mutations (workspace_id, ws_seq);
DROP INDEX mutations_feed;
CREATE INDEX mutations_feed ON mutations (workspace_id, outcome, ws_seq);

-- Every insert into the log gets the next number of its workspace, whichever code path wrote it, inside the
-- same statement (so inside the batch that writes the mutation). D1 runs one write at a time, and the unique
-- index above fails a batch rather than ever repeating a number.
CREATE TRIGGER mutations_ws_seq AFTER INSERT ON mutations WHEN NEW.ws_seq IS NULL
BEGIN
	UPDATE mutations
	SET ws_seq = (SELECT COALESCE(MAX(ws_seq), 0) + 1 FROM mutations WHERE workspace_id = NEW.workspace_id)
	WHERE seq = NEW.seq;
END;

-- Browsers that pulled before this migration hold a global seq as their cursor. The pull route translates such
-- a legacy cursor into this workspace's numbering, but only up to the last global seq that existed here, so a
-- caller cannot probe global numbers of writes made after it.
INSERT OR REPLACE INTO meta (key, value)
SELECT 'feed_legacy_max_seq', CAST(COALESCE(MAX(seq), 0) AS TEXT) FROM mutations;

-- MLflow's Default experiment (id "0" to MLflow clients; here the id derived from its name,
-- experimentIdForName('Default') = exp_11326fd2590f4e5e) exists from a workspace's creation, so that reading it
-- never has to create it. Its creation is in the feed like any other, so browsers learn of it.
CREATE TRIGGER workspace_defaults AFTER INSERT ON workspaces
BEGIN
	INSERT INTO mutations (workspace_id, mutation_id, type, body, outcome, at, applied_at)
	SELECT NEW.id, 'default-experiment', 'experiment.create',
		json_object('type', 'experiment.create', 'experiment',
			json_object('id', 'exp_11326fd2590f4e5e', 'name', 'Default', 'createdAt', t.now)),
		'applied', t.now, t.now
	FROM (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now) AS t
	WHERE NOT EXISTS (
		SELECT 1 FROM experiments
		WHERE workspace_id = NEW.id AND (id = 'exp_11326fd2590f4e5e' OR name = 'Default')
	);
	INSERT INTO experiments (workspace_id, id, name, created_at, updated_at)
	SELECT NEW.id, 'exp_11326fd2590f4e5e', 'Default', t.now, t.now
	FROM (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now) AS t
	WHERE NOT EXISTS (
		SELECT 1 FROM experiments
		WHERE workspace_id = NEW.id AND (id = 'exp_11326fd2590f4e5e' OR name = 'Default')
	);
END;

-- Backfill: the same two rows for every existing workspace that lacks them (a Default made on first use, or an
-- experiment already named Default, is kept as it is).
INSERT INTO mutations (workspace_id, mutation_id, type, body, outcome, at, applied_at)
SELECT w.id, 'default-experiment', 'experiment.create',
	json_object('type', 'experiment.create', 'experiment',
		json_object('id', 'exp_11326fd2590f4e5e', 'name', 'Default', 'createdAt', t.now)),
	'applied', t.now, t.now
FROM workspaces AS w, (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now) AS t
WHERE NOT EXISTS (
	SELECT 1 FROM experiments AS e
	WHERE e.workspace_id = w.id AND (e.id = 'exp_11326fd2590f4e5e' OR e.name = 'Default')
)
AND NOT EXISTS (
	SELECT 1 FROM mutations AS m WHERE m.workspace_id = w.id AND m.mutation_id = 'default-experiment'
);

INSERT INTO experiments (workspace_id, id, name, created_at, updated_at)
SELECT w.id, 'exp_11326fd2590f4e5e', 'Default', t.now, t.now
FROM workspaces AS w, (SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS now) AS t
WHERE NOT EXISTS (
	SELECT 1 FROM experiments AS e
	WHERE e.workspace_id = w.id AND (e.id = 'exp_11326fd2590f4e5e' OR e.name = 'Default')
);
