import type { ModelVersionWire, RegisteredModelWire } from '../../src/lib/contract';

/** Read side of the model registry: D1 rows → registeredModelWire and modelVersionWire. */

interface ModelRow {
	name: string;
	description: string;
	created_at: number;
	updated_at: number;
}

interface VersionRow {
	model_name: string;
	version: number;
	id: string;
	source_run_id: string | null;
	artifact_sha256: string | null;
	signature: string | null;
	description: string;
	created_at: number;
	updated_at: number;
}

export type ModelVersionRecord = ModelVersionWire & { updatedAt: number };

const VERSION_COLUMNS =
	'model_name, version, id, source_run_id, artifact_sha256, signature, description, created_at, updated_at';

async function hydrateModels(db: D1Database, workspaceId: string, rows: ModelRow[]) {
	if (!rows.length) return [];
	const names = JSON.stringify(rows.map((r) => r.name));
	const inNames = 'model_name IN (SELECT value FROM json_each(?2))';
	const [tags, aliases, latest] = await db.batch([
		db
			.prepare(
				`SELECT model_name, key, value FROM model_tags WHERE workspace_id = ?1 AND ${inNames} ORDER BY key`
			)
			.bind(workspaceId, names),
		db
			.prepare(
				`SELECT model_name, alias AS key, version AS value FROM model_aliases WHERE workspace_id = ?1 AND ${inNames} ORDER BY alias`
			)
			.bind(workspaceId, names),
		db
			.prepare(
				`SELECT model_name, MAX(version) AS value FROM model_versions WHERE workspace_id = ?1 AND ${inNames} GROUP BY model_name`
			)
			.bind(workspaceId, names)
	]);
	const group = <V>(res: D1Result) => {
		const out = new Map<string, Record<string, V>>();
		for (const r of res.results as { model_name: string; key: string; value: V }[]) {
			const m = out.get(r.model_name) ?? {};
			m[r.key] = r.value;
			out.set(r.model_name, m);
		}
		return out;
	};
	const tagMap = group<string>(tags);
	const aliasMap = group<number>(aliases);
	const latestMap = new Map(
		(latest.results as { model_name: string; value: number }[]).map((r) => [r.model_name, r.value])
	);
	return rows.map((r): RegisteredModelWire => ({
		name: r.name,
		description: r.description,
		createdAt: r.created_at,
		updatedAt: r.updated_at,
		tags: tagMap.get(r.name) ?? {},
		aliases: aliasMap.get(r.name) ?? {},
		latestVersion: latestMap.get(r.name) ?? 0
	}));
}

export async function getModel(
	db: D1Database,
	workspaceId: string,
	name: string
): Promise<RegisteredModelWire | null> {
	const row = await db
		.prepare(
			'SELECT name, description, created_at, updated_at FROM registered_models WHERE workspace_id = ? AND name = ?'
		)
		.bind(workspaceId, name)
		.first<ModelRow>();
	return row ? (await hydrateModels(db, workspaceId, [row]))[0] : null;
}

/** By name; `nameLike` is an SQL LIKE pattern (MLflow's search filter), `limit`/`offset` page it. */
export async function listModels(
	db: D1Database,
	workspaceId: string,
	opts: { nameLike?: string; limit?: number; offset?: number } = {}
): Promise<RegisteredModelWire[]> {
	const { results } = await db
		.prepare(
			`SELECT name, description, created_at, updated_at FROM registered_models
			 WHERE workspace_id = ?1 AND (?2 IS NULL OR name LIKE ?2) ORDER BY name LIMIT ?3 OFFSET ?4`
		)
		.bind(workspaceId, opts.nameLike ?? null, opts.limit ?? -1, opts.offset ?? 0)
		.all<ModelRow>();
	return hydrateModels(db, workspaceId, results);
}

async function hydrateVersions(
	db: D1Database,
	workspaceId: string,
	modelName: string,
	rows: VersionRow[]
): Promise<ModelVersionRecord[]> {
	if (!rows.length) return [];
	const { results } = await db
		.prepare(
			`SELECT version, key, value FROM model_version_tags WHERE workspace_id = ?1 AND model_name = ?2
			 AND version IN (SELECT value FROM json_each(?3)) ORDER BY key`
		)
		.bind(workspaceId, modelName, JSON.stringify(rows.map((r) => r.version)))
		.all<{ version: number; key: string; value: string }>();
	const tags = new Map<number, Record<string, string>>();
	for (const t of results) tags.set(t.version, { ...tags.get(t.version), [t.key]: t.value });
	return rows.map((r) => ({
		id: r.id,
		modelName: r.model_name,
		version: r.version,
		sourceRunId: r.source_run_id,
		artifactSha256: r.artifact_sha256,
		signature: r.signature ? (JSON.parse(r.signature) as Record<string, unknown>) : null,
		description: r.description,
		createdAt: r.created_at,
		updatedAt: r.updated_at,
		tags: tags.get(r.version) ?? {}
	}));
}

/** Newest version first. */
export async function listModelVersions(
	db: D1Database,
	workspaceId: string,
	modelName: string
): Promise<ModelVersionRecord[]> {
	const { results } = await db
		.prepare(
			`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE workspace_id = ? AND model_name = ? ORDER BY version DESC`
		)
		.bind(workspaceId, modelName)
		.all<VersionRow>();
	return hydrateVersions(db, workspaceId, modelName, results);
}

export async function getModelVersion(
	db: D1Database,
	workspaceId: string,
	modelName: string,
	version: number
): Promise<ModelVersionRecord | null> {
	const row = await db
		.prepare(
			`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE workspace_id = ? AND model_name = ? AND version = ?`
		)
		.bind(workspaceId, modelName, version)
		.first<VersionRow>();
	return row ? (await hydrateVersions(db, workspaceId, modelName, [row]))[0] : null;
}

/** The version an alias points at, or null when the model has no such alias. */
export async function getVersionByAlias(
	db: D1Database,
	workspaceId: string,
	modelName: string,
	alias: string
): Promise<ModelVersionRecord | null> {
	const row = await db
		.prepare('SELECT version FROM model_aliases WHERE workspace_id = ? AND model_name = ? AND alias = ?')
		.bind(workspaceId, modelName, alias)
		.first<{ version: number }>();
	return row ? getModelVersion(db, workspaceId, modelName, row.version) : null;
}

/** The aliases that point at one version (MLflow's ModelVersion.aliases). */
export async function aliasesOf(
	db: D1Database,
	workspaceId: string,
	modelName: string,
	version: number
): Promise<string[]> {
	const { results } = await db
		.prepare(
			'SELECT alias FROM model_aliases WHERE workspace_id = ? AND model_name = ? AND version = ? ORDER BY alias'
		)
		.bind(workspaceId, modelName, version)
		.all<{ alias: string }>();
	return results.map((r) => r.alias);
}

/** Models by name, in the order of `names` (search hydrates one page of them). */
export async function getModels(
	db: D1Database,
	workspaceId: string,
	names: string[]
): Promise<RegisteredModelWire[]> {
	if (!names.length) return [];
	const { results } = await db
		.prepare(
			`SELECT name, description, created_at, updated_at FROM registered_models
			 WHERE workspace_id = ?1 AND name IN (SELECT value FROM json_each(?2))`
		)
		.bind(workspaceId, JSON.stringify(names))
		.all<ModelRow>();
	const byName = new Map((await hydrateModels(db, workspaceId, results)).map((m) => [m.name, m]));
	return names.flatMap((n) => byName.get(n) ?? []);
}

/** Versions by id, in the order of `ids`, each model's hydrated together. */
export async function getModelVersionsByIds(
	db: D1Database,
	workspaceId: string,
	ids: string[]
): Promise<ModelVersionRecord[]> {
	if (!ids.length) return [];
	const { results } = await db
		.prepare(
			`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE workspace_id = ?1 AND id IN (SELECT value FROM json_each(?2))`
		)
		.bind(workspaceId, JSON.stringify(ids))
		.all<VersionRow>();
	const byModel = new Map<string, VersionRow[]>();
	for (const r of results) byModel.set(r.model_name, [...(byModel.get(r.model_name) ?? []), r]);
	const hydrated = await Promise.all(
		[...byModel].map(([name, rows]) => hydrateVersions(db, workspaceId, name, rows))
	);
	const byId = new Map(hydrated.flat().map((v) => [v.id, v]));
	return ids.flatMap((id) => byId.get(id) ?? []);
}
