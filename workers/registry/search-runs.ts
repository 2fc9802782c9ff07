import type { Clause, OrderBy } from '../mlflow/filter';
import { RUN_NAME_TAG } from '../mlflow/convert';
import type { Lifecycle } from './read-experiments';
import { compileSearch, fetchPage, type Cursor, type SearchSource } from './search-sql';

/**
 * Run search in SQL: MLflow's run attributes, latest metrics, params and tags as compileSearch sees them. The
 * answers match the in-memory reference (workers/mlflow/runs-search-memory.ts) row for row; the property test in
 * tests/worker/mlflow/search-sql.test.ts holds them together.
 */

const STATUS = `CASE r.status WHEN 'running' THEN 'RUNNING' WHEN 'finished' THEN 'FINISHED' WHEN 'cancelled' THEN 'KILLED' ELSE 'FAILED' END`;
// MLflow's user_id is the mlflow.user tag here, '' when unset (never missing), as runInfoOut answers it.
const USER_JOIN = `LEFT JOIN run_tags u ON u.workspace_id = r.workspace_id AND u.run_id = r.id AND u.key = 'mlflow.user'`;

const ATTRIBUTES: Record<string, ReturnType<SearchSource['attribute']>> = {
	status: { expr: STATUS, kind: 'string', notNull: true },
	run_name: { expr: 'r.name', kind: 'string', notNull: true },
	run_id: { expr: 'r.id', kind: 'string', notNull: true },
	user_id: { expr: "COALESCE(u.value, '')", kind: 'string', join: USER_JOIN, notNull: true },
	start_time: { expr: 'r.started_at', kind: 'number', notNull: true },
	end_time: { expr: 'r.ended_at', kind: 'number' }
};

const TABLE = { metric: 'latest_metrics', param: 'run_params', tag: 'run_tags' } as const;

export const RUN_SOURCE: SearchSource = {
	from: 'runs r',
	id: 'r.id',
	attribute: (key) => ATTRIBUTES[key],
	keyed: (entity, alias, key, bind) =>
		// The run's name is its own column; MLflow shows it as the mlflow.runName tag too.
		entity === 'tag' && key === RUN_NAME_TAG
			? { expr: 'r.name' }
			: {
					join: `${TABLE[entity]} ${alias} ON ${alias}.workspace_id = r.workspace_id AND ${alias}.run_id = r.id AND ${alias}.key = ${bind(key)}`,
					expr: `${alias}.value`
				},
	// MLflow orders runs by start time, newest first, after any requested keys (then the id).
	defaults: () => [{ entity: 'attribute', key: 'start_time', desc: true }]
};

export interface SearchRunsOptions {
	experimentIds: string[];
	lifecycle: Lifecycle;
	clauses: Clause[];
	order: OrderBy[];
	after: Cursor | null;
	limit: number;
}

/** One page of run ids in order, and the cursor after its last row when more follow. */
export async function searchRunIds(
	db: D1Database,
	workspaceId: string,
	o: SearchRunsOptions
): Promise<{ ids: string[]; next: Cursor | null }> {
	const where = ['r.workspace_id = ?1', 'r.experiment_id IN (SELECT value FROM json_each(?2))'];
	if (o.lifecycle === 'active') where.push('r.deleted_at IS NULL');
	if (o.lifecycle === 'deleted') where.push('r.deleted_at IS NOT NULL');
	const q = compileSearch(RUN_SOURCE, {
		where,
		binds: [workspaceId, JSON.stringify(o.experimentIds)],
		clauses: o.clauses,
		order: o.order,
		after: o.after,
		limit: o.limit + 1
	});
	return fetchPage(db, q, o.limit);
}
