-- A model version's reference profile uploaded by hand (PUT /api/v1/models/:name/versions/:v/reference), for a
-- version whose run has none (an imported ONNX graph, a federated round): the profile's JSON is a blob like any
-- upload. A version trained in the notebook needs no row: its run's reference-profile.json artifact is used
-- (docs/architecture.md, "Monitoring").
CREATE TABLE version_references (
	workspace_id TEXT NOT NULL,
	model_name TEXT NOT NULL,
	version INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, model_name, version)
) WITHOUT ROWID;
