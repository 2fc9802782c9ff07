import type { Clause, OrderBy } from '../mlflow/filter';
import { compileSearch, fetchPage, type Cursor, type SearchSource } from './search-sql';

/**
 * Registered-model and model-version search in SQL, as compileSearch sees them. Orders as MLflow's registry
 * does: models by the requested keys then name; versions by the requested keys, then name ascending and version
 * descending (the id only makes the order total).
 */

type Attributes = Record<string, ReturnType<SearchSource['attribute']>>;

const MODEL_ATTRIBUTES: Attributes = {
	name: { expr: 'm.name', kind: 'string', notNull: true },
	creation_timestamp: { expr: 'm.created_at', kind: 'number', notNull: true },
	last_updated_timestamp: { expr: 'm.updated_at', kind: 'number', notNull: true }
};

const VERSION_ATTRIBUTES: Attributes = {
	name: { expr: 'v.model_name', kind: 'string', notNull: true },
	// MLflow answers '' for a version without a run or source, so '' is what a filter sees.
	run_id: { expr: "COALESCE(v.source_run_id, '')", kind: 'string', notNull: true },
	source_path: { expr: "COALESCE(v.source, '')", kind: 'string', notNull: true },
	version_number: { expr: 'v.version', kind: 'number', notNull: true },
	creation_timestamp: { expr: 'v.created_at', kind: 'number', notNull: true },
	last_updated_timestamp: { expr: 'v.updated_at', kind: 'number', notNull: true }
};

export const MODEL_SOURCE: SearchSource = {
	from: 'registered_models m',
	id: 'm.name',
	attribute: (key) => MODEL_ATTRIBUTES[key],
	keyed: (entity, alias, key, bind) =>
		entity === 'tag'
			? {
					join: `model_tags ${alias} ON ${alias}.workspace_id = m.workspace_id AND ${alias}.model_name = m.name AND ${alias}.key = ${bind(key)}`,
					expr: `${alias}.value`
				}
			: null,
	defaults: () => []
};

export const VERSION_SOURCE: SearchSource = {
	from: 'model_versions v',
	id: 'v.id',
	attribute: (key) => VERSION_ATTRIBUTES[key],
	keyed: (entity, alias, key, bind) =>
		entity === 'tag'
			? {
					join: `model_version_tags ${alias} ON ${alias}.workspace_id = v.workspace_id AND ${alias}.model_name = v.model_name AND ${alias}.version = v.version AND ${alias}.key = ${bind(key)}`,
					expr: `${alias}.value`
				}
			: null,
	defaults: () => [
		{ entity: 'attribute', key: 'name', desc: false },
		{ entity: 'attribute', key: 'version_number', desc: true }
	]
};

type Options = { clauses: Clause[]; order: OrderBy[]; after: Cursor | null; limit: number };

/** One page of model names (or version ids) in order, and the cursor after its last row when more follow. */
export function searchModelKeys(db: D1Database, workspaceId: string, source: SearchSource, o: Options) {
	const alias = source === MODEL_SOURCE ? 'm' : 'v';
	const q = compileSearch(source, {
		where: [`${alias}.workspace_id = ?1`],
		binds: [workspaceId],
		clauses: o.clauses,
		order: o.order,
		after: o.after,
		limit: o.limit + 1
	});
	return fetchPage(db, q, o.limit);
}
