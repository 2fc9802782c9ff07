import type { Clause, OrderBy } from '../mlflow/filter';
import type { Lifecycle } from './read-experiments';
import { compileSearch, fetchPage, type Cursor, type SearchSource } from './search-sql';

/** Experiment search in SQL: MLflow's experiment attributes and tags as compileSearch sees them. */

const ATTRIBUTES: Record<string, ReturnType<SearchSource['attribute']>> = {
	name: { expr: 'e.name', kind: 'string', notNull: true },
	experiment_id: { expr: 'e.id', kind: 'string', notNull: true },
	creation_time: { expr: 'e.created_at', kind: 'number', notNull: true },
	last_update_time: { expr: 'e.updated_at', kind: 'number', notNull: true }
};

export const EXPERIMENT_SOURCE: SearchSource = {
	from: 'experiments e',
	id: 'e.id',
	attribute: (key) => ATTRIBUTES[key],
	keyed: (entity, alias, key, bind) =>
		entity === 'tag'
			? {
					join: `experiment_tags ${alias} ON ${alias}.workspace_id = e.workspace_id AND ${alias}.experiment_id = e.id AND ${alias}.key = ${bind(key)}`,
					expr: `${alias}.value`
				}
			: null,
	// MLflow's default order, newest first, applies only when none is requested (every order ends with the id).
	defaults: (order) => (order.length ? [] : [{ entity: 'attribute', key: 'creation_time', desc: true }])
};

const LIFECYCLE: Record<Lifecycle, string[]> = {
	active: ['e.deleted_at IS NULL'],
	deleted: ['e.deleted_at IS NOT NULL'],
	all: []
};

/** One page of experiment ids in order, and the cursor after its last row when more follow. */
export async function searchExperimentIds(
	db: D1Database,
	workspaceId: string,
	o: { lifecycle: Lifecycle; clauses: Clause[]; order: OrderBy[]; after: Cursor | null; limit: number }
): Promise<{ ids: string[]; next: Cursor | null }> {
	const q = compileSearch(EXPERIMENT_SOURCE, {
		where: ['e.workspace_id = ?1', ...LIFECYCLE[o.lifecycle]],
		binds: [workspaceId],
		clauses: o.clauses,
		order: o.order,
		after: o.after,
		limit: o.limit + 1
	});
	return fetchPage(db, q, o.limit);
}
