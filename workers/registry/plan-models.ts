import type { Mutation, MutationOf, VersionRef } from '../../src/lib/contract';
import { findRun } from './plan-runs';
import { conflict, notFound, write, type Plan, type PlanContext } from './plan';

type ModelMutation = Extract<Mutation, { type: `model.${string}` }>;

function findModel(c: PlanContext, name: string) {
	return c.db
		.prepare('SELECT name FROM registered_models WHERE workspace_id = ? AND name = ?')
		.bind(c.workspaceId, name)
		.first<{ name: string }>();
}

async function resolveVersion(c: PlanContext, model: string, ref: VersionRef): Promise<number | null> {
	const row =
		'version' in ref
			? await c.db
					.prepare(
						'SELECT version FROM model_versions WHERE workspace_id = ? AND model_name = ? AND version = ?'
					)
					.bind(c.workspaceId, model, ref.version)
					.first<{ version: number }>()
			: await c.db
					.prepare('SELECT version FROM model_versions WHERE workspace_id = ? AND model_name = ? AND id = ?')
					.bind(c.workspaceId, model, ref.versionId)
					.first<{ version: number }>();
	return row?.version ?? null;
}

const describe = (ref: VersionRef) =>
	'version' in ref ? `version ${ref.version}` : `version id ${ref.versionId}`;

function touchModel(c: PlanContext, name: string): D1PreparedStatement {
	return c.db
		.prepare('UPDATE registered_models SET updated_at = ? WHERE workspace_id = ? AND name = ?')
		.bind(c.now, c.workspaceId, name);
}

export async function planModel(c: PlanContext, m: ModelMutation): Promise<Plan> {
	const ws = c.workspaceId;
	if (m.type === 'model.create') {
		// Create-if-missing for sync (offline browsers meet in one model); a conflict for HTTP and MLflow creates.
		if (await findModel(c, m.name))
			return c.strict
				? conflict(`A registered model named "${m.name}" already exists.`, { name: m.name })
				: write([], { created: false });
		// A plain INSERT: a racing create fails this batch on the key, and its re-plan sees the model.
		const statements = [
			c.db
				.prepare(
					'INSERT INTO registered_models (workspace_id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)'
				)
				.bind(ws, m.name, m.description ?? '', c.at, c.now)
		];
		if (m.tags?.length)
			statements.push(
				c.db
					.prepare(
						`INSERT INTO model_tags (workspace_id, model_name, key, value)
						 SELECT ?1, ?2, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]') FROM json_each(?3) AS j`
					)
					.bind(ws, m.name, JSON.stringify([...new Map(m.tags.map((t) => [t.key, t.value]))]))
			);
		return write(statements, { created: true });
	}
	const modelName = 'modelName' in m ? m.modelName : m.name;
	if (!(await findModel(c, modelName)))
		return notFound(`No registered model named "${modelName}".`, { modelName });
	switch (m.type) {
		case 'model.update':
			return write([
				c.db
					.prepare(
						'UPDATE registered_models SET description = ?, updated_at = ? WHERE workspace_id = ? AND name = ?'
					)
					.bind(m.description, c.now, ws, m.name)
			]);
		case 'model.rename':
			return planRename(c, m);
		case 'model.delete':
			return write(
				['model_version_tags', 'model_aliases', 'model_tags', 'model_versions', 'registered_models'].map(
					(table) =>
						c.db
							.prepare(
								`DELETE FROM ${table} WHERE workspace_id = ? AND ${table === 'registered_models' ? 'name' : 'model_name'} = ?`
							)
							.bind(ws, m.name)
				)
			);
		case 'model.tag.set':
			return write([
				c.db
					.prepare(
						`INSERT INTO model_tags (workspace_id, model_name, key, value) VALUES (?, ?, ?, ?)
						 ON CONFLICT (workspace_id, model_name, key) DO UPDATE SET value = excluded.value`
					)
					.bind(ws, m.name, m.key, m.value),
				touchModel(c, m.name)
			]);
		case 'model.tag.delete':
			return write([
				c.db
					.prepare('DELETE FROM model_tags WHERE workspace_id = ? AND model_name = ? AND key = ?')
					.bind(ws, m.name, m.key)
			]);
		case 'model.version.create':
			return planVersionCreate(c, m);
		case 'model.alias.delete':
			return write([
				c.db
					.prepare('DELETE FROM model_aliases WHERE workspace_id = ? AND model_name = ? AND alias = ?')
					.bind(ws, m.modelName, m.alias),
				touchModel(c, m.modelName)
			]);
		default:
			return planVersionChange(c, m);
	}
}

async function planRename(c: PlanContext, m: MutationOf<'model.rename'>): Promise<Plan> {
	if (m.newName === m.name) return write([]);
	if (await findModel(c, m.newName))
		return conflict(`A registered model named "${m.newName}" already exists.`);
	const ws = c.workspaceId;
	return write([
		c.db
			.prepare('UPDATE registered_models SET name = ?, updated_at = ? WHERE workspace_id = ? AND name = ?')
			.bind(m.newName, c.now, ws, m.name),
		...['model_versions', 'model_aliases', 'model_tags', 'model_version_tags'].map((table) =>
			c.db
				.prepare(`UPDATE ${table} SET model_name = ? WHERE workspace_id = ? AND model_name = ?`)
				.bind(m.newName, ws, m.name)
		)
	]);
}

async function planVersionCreate(c: PlanContext, m: MutationOf<'model.version.create'>): Promise<Plan> {
	const ws = c.workspaceId;
	const known = await c.db
		.prepare('SELECT model_name, version FROM model_versions WHERE workspace_id = ? AND id = ?')
		.bind(ws, m.id)
		.first<{ model_name: string; version: number }>();
	if (known)
		return conflict(
			`A model version with id ${m.id} already exists (${known.model_name} v${known.version}).`
		);
	if (m.sourceRunId && !(await findRun(c, m.sourceRunId)))
		return notFound(`No run with id ${m.sourceRunId} to register a version from.`, { runId: m.sourceRunId });
	if (m.artifactSha256) {
		const blob = await c.db
			.prepare('SELECT 1 FROM blob_refs WHERE workspace_id = ? AND sha256 = ?')
			.bind(ws, m.artifactSha256)
			.first();
		if (!blob)
			return notFound(`No uploaded artifact with sha-256 ${m.artifactSha256}.`, { sha256: m.artifactSha256 });
	}
	// The next number is taken inside the batch (one INSERT … SELECT MAX + 1): D1 runs a batch as one
	// transaction, one at a time, so racing creates get consecutive numbers with no re-plan and no gap. The
	// number is NULL when the model was deleted since the plan read it: the NOT NULL key fails the batch
	// (nothing written, no orphan version) and applyMutation plans again, which answers not found.
	const statements = [
		c.db
			.prepare(
				`INSERT INTO model_versions (workspace_id, model_name, version, id, source_run_id, artifact_sha256, signature,
				 description, created_at, updated_at, source)
				 SELECT ?1, ?2,
				        CASE WHEN EXISTS (SELECT 1 FROM registered_models WHERE workspace_id = ?1 AND name = ?2)
				             THEN COALESCE(MAX(version), 0) + 1 END,
				        ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
				 FROM model_versions WHERE workspace_id = ?1 AND model_name = ?2`
			)
			.bind(
				ws,
				m.modelName,
				m.id,
				m.sourceRunId,
				m.artifactSha256,
				m.signature ? JSON.stringify(m.signature) : null,
				m.description ?? '',
				c.at,
				c.now,
				m.source ?? null
			),
		touchModel(c, m.modelName)
	];
	// Tags and the result name the version by its id; only the batch knows its number.
	if (m.tags?.length)
		statements.push(
			c.db
				.prepare(
					`INSERT INTO model_version_tags (workspace_id, model_name, version, key, value)
					 SELECT ?1, ?2, v.version, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]')
					 FROM json_each(?4) AS j, model_versions AS v WHERE v.workspace_id = ?1 AND v.id = ?3`
				)
				.bind(ws, m.modelName, m.id, JSON.stringify([...new Map(m.tags.map((t) => [t.key, t.value]))]))
		);
	return {
		kind: 'write',
		statements,
		result: null,
		resultSql: {
			expr: "SELECT json_object('version', version) FROM model_versions WHERE workspace_id = ? AND id = ?",
			params: [ws, m.id]
		}
	};
}

async function planVersionChange(
	c: PlanContext,
	m:
		| MutationOf<'model.version.update'>
		| MutationOf<'model.version.delete'>
		| MutationOf<'model.version.tag.set'>
		| MutationOf<'model.version.tag.delete'>
		| MutationOf<'model.alias.set'>
): Promise<Plan> {
	const ws = c.workspaceId;
	const version = await resolveVersion(c, m.modelName, m.ref);
	if (version === null)
		return notFound(`The registered model "${m.modelName}" has no ${describe(m.ref)}.`, {
			modelName: m.modelName
		});
	const result = { version };
	switch (m.type) {
		case 'model.version.update':
			return write(
				[
					c.db
						.prepare(
							'UPDATE model_versions SET description = ?, updated_at = ? WHERE workspace_id = ? AND model_name = ? AND version = ?'
						)
						.bind(m.description, c.now, ws, m.modelName, version)
				],
				result
			);
		case 'model.version.delete':
			return write(
				['model_version_tags', 'model_aliases', 'model_versions'].map((table) =>
					c.db
						.prepare(`DELETE FROM ${table} WHERE workspace_id = ? AND model_name = ? AND version = ?`)
						.bind(ws, m.modelName, version)
				),
				result
			);
		case 'model.version.tag.set':
			return write(
				[
					c.db
						.prepare(
							`INSERT INTO model_version_tags (workspace_id, model_name, version, key, value) VALUES (?, ?, ?, ?, ?)
							 ON CONFLICT (workspace_id, model_name, version, key) DO UPDATE SET value = excluded.value`
						)
						.bind(ws, m.modelName, version, m.key, m.value)
				],
				result
			);
		case 'model.version.tag.delete':
			return write(
				[
					c.db
						.prepare(
							'DELETE FROM model_version_tags WHERE workspace_id = ? AND model_name = ? AND version = ? AND key = ?'
						)
						.bind(ws, m.modelName, version, m.key)
				],
				result
			);
		case 'model.alias.set':
			return write(
				[
					c.db
						.prepare(
							`INSERT INTO model_aliases (workspace_id, model_name, alias, version) VALUES (?, ?, ?, ?)
							 ON CONFLICT (workspace_id, model_name, alias) DO UPDATE SET version = excluded.version`
						)
						.bind(ws, m.modelName, m.alias, version),
					touchModel(c, m.modelName)
				],
				result
			);
	}
}
