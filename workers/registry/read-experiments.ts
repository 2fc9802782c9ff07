import type { ExperimentWire } from '../../src/lib/contract';

/**
 * Read side of experiments. The wire record plus what MLflow's shape and the soft-delete UI need
 * (lifecycle and last update), so the /api/v1 and MLflow routes read the same rows the same way.
 */
export type ExperimentRecord = ExperimentWire & { updatedAt: number; deletedAt: number | null };

interface ExperimentRow {
	id: string;
	name: string;
	created_at: number;
	updated_at: number;
	deleted_at: number | null;
}

const COLUMNS = 'id, name, created_at, updated_at, deleted_at';

export function toExperiment(r: ExperimentRow): ExperimentRecord {
	return {
		id: r.id,
		name: r.name,
		createdAt: r.created_at,
		updatedAt: r.updated_at,
		deletedAt: r.deleted_at
	};
}

export async function getExperiment(
	db: D1Database,
	workspaceId: string,
	id: string
): Promise<ExperimentRecord | null> {
	const row = await db
		.prepare(`SELECT ${COLUMNS} FROM experiments WHERE workspace_id = ? AND id = ?`)
		.bind(workspaceId, id)
		.first<ExperimentRow>();
	return row ? toExperiment(row) : null;
}

export async function getExperimentByName(
	db: D1Database,
	workspaceId: string,
	name: string
): Promise<ExperimentRecord | null> {
	const row = await db
		.prepare(`SELECT ${COLUMNS} FROM experiments WHERE workspace_id = ? AND name = ?`)
		.bind(workspaceId, name)
		.first<ExperimentRow>();
	return row ? toExperiment(row) : null;
}

/** `active` hides soft-deleted experiments (the default view); `deleted` is the bin; `all` is both. */
export type Lifecycle = 'active' | 'deleted' | 'all';

const LIFECYCLE_SQL: Record<Lifecycle, string> = {
	active: 'AND deleted_at IS NULL',
	deleted: 'AND deleted_at IS NOT NULL',
	all: ''
};

export async function listExperiments(
	db: D1Database,
	workspaceId: string,
	opts: { lifecycle?: Lifecycle } = {}
): Promise<ExperimentRecord[]> {
	const { results } = await db
		.prepare(
			`SELECT ${COLUMNS} FROM experiments WHERE workspace_id = ? ${LIFECYCLE_SQL[opts.lifecycle ?? 'active']}
			 ORDER BY created_at DESC, id`
		)
		.bind(workspaceId)
		.all<ExperimentRow>();
	return results.map(toExperiment);
}

/** Experiments by id, in the order of `ids` (search hydrates one page of them). */
export async function getExperiments(
	db: D1Database,
	workspaceId: string,
	ids: string[]
): Promise<ExperimentRecord[]> {
	if (!ids.length) return [];
	const { results } = await db
		.prepare(
			`SELECT ${COLUMNS} FROM experiments WHERE workspace_id = ?1 AND id IN (SELECT value FROM json_each(?2))`
		)
		.bind(workspaceId, JSON.stringify(ids))
		.all<ExperimentRow>();
	const byId = new Map(results.map((r) => [r.id, toExperiment(r)]));
	return ids.flatMap((id) => byId.get(id) ?? []);
}
