import type { Lineage, RunWire } from '../../src/lib/contract';
import type { Lifecycle } from './read-experiments';

/**
 * Read side of runs: D1 rows → the contract's runWire. Params and tags for many runs are fetched in one
 * query each (json_each over the ids, because D1 binds at most 100 values per statement).
 */

export type RunStatus = RunWire['status'];

interface RunRow {
	id: string;
	experiment_id: string;
	parent_id: string | null;
	name: string;
	status: RunStatus;
	started_at: number;
	ended_at: number | null;
	notebook_id: string | null;
	cell_id: string | null;
	deleted_at: number | null;
	note: string;
	lineage: string | null;
	updated_at: number;
}

const COLUMNS =
	'id, experiment_id, parent_id, name, status, started_at, ended_at, notebook_id, cell_id, deleted_at, note, lineage, updated_at';

/** runWire plus the server's last-write time (MLflow and sync clients use it; runWire stays as the contract says). */
export type RunRecord = RunWire & { updatedAt: number };

async function keyValues(
	db: D1Database,
	table: 'run_params' | 'run_tags',
	workspaceId: string,
	runIds: string[]
): Promise<Map<string, Record<string, string>>> {
	const out = new Map<string, Record<string, string>>(runIds.map((id) => [id, {}]));
	if (!runIds.length) return out;
	const { results } = await db
		.prepare(
			`SELECT run_id, key, value FROM ${table} WHERE workspace_id = ?1
			 AND run_id IN (SELECT value FROM json_each(?2)) ORDER BY key`
		)
		.bind(workspaceId, JSON.stringify(runIds))
		.all<{ run_id: string; key: string; value: string }>();
	for (const r of results) {
		const m = out.get(r.run_id);
		if (m) m[r.key] = r.value;
	}
	return out;
}

async function hydrate(db: D1Database, workspaceId: string, rows: RunRow[]): Promise<RunRecord[]> {
	const ids = rows.map((r) => r.id);
	const [params, tags] = await Promise.all([
		keyValues(db, 'run_params', workspaceId, ids),
		keyValues(db, 'run_tags', workspaceId, ids)
	]);
	return rows.map((r) => ({
		id: r.id,
		experimentId: r.experiment_id,
		parentId: r.parent_id,
		name: r.name,
		status: r.status,
		startedAt: r.started_at,
		endedAt: r.ended_at,
		notebookId: r.notebook_id,
		cellId: r.cell_id,
		deletedAt: r.deleted_at,
		note: r.note,
		params: params.get(r.id) ?? {},
		tags: tags.get(r.id) ?? {},
		lineage: r.lineage ? (JSON.parse(r.lineage) as Lineage) : null,
		updatedAt: r.updated_at
	}));
}

export async function getRun(db: D1Database, workspaceId: string, id: string): Promise<RunRecord | null> {
	const row = await db
		.prepare(`SELECT ${COLUMNS} FROM runs WHERE workspace_id = ? AND id = ?`)
		.bind(workspaceId, id)
		.first<RunRow>();
	return row ? (await hydrate(db, workspaceId, [row]))[0] : null;
}

export async function getRuns(db: D1Database, workspaceId: string, ids: string[]): Promise<RunRecord[]> {
	if (!ids.length) return [];
	const { results } = await db
		.prepare(
			`SELECT ${COLUMNS} FROM runs WHERE workspace_id = ?1 AND id IN (SELECT value FROM json_each(?2))`
		)
		.bind(workspaceId, JSON.stringify(ids))
		.all<RunRow>();
	return hydrate(db, workspaceId, results);
}

/** Where a page ends: the last run's start time and id (newest first, id breaks ties). */
export interface RunCursor {
	startedAt: number;
	id: string;
}

export const encodeRunCursor = (c: RunCursor) => `${c.startedAt}.${c.id}`;
/** Null for text that is not a cursor this module wrote (ids never contain a dot). */
export function decodeRunCursor(text: string): RunCursor | null {
	const m = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/.exec(text);
	return m ? { startedAt: Number(m[1]), id: m[2] } : null;
}

export interface ListRunsOptions {
	/** Any of these experiments; all of the workspace's runs when absent. */
	experimentIds?: string[];
	status?: RunStatus;
	lifecycle?: Lifecycle;
	limit: number;
	after?: RunCursor | null;
}

/** Newest first. `next` is the cursor for the following page, null on the last one. */
export async function listRuns(
	db: D1Database,
	workspaceId: string,
	opts: ListRunsOptions
): Promise<{ runs: RunRecord[]; next: RunCursor | null }> {
	const where = ['workspace_id = ?1'];
	const binds: unknown[] = [workspaceId];
	const bind = (v: unknown) => {
		binds.push(v);
		return `?${binds.length}`;
	};
	if (opts.experimentIds)
		where.push(`experiment_id IN (SELECT value FROM json_each(${bind(JSON.stringify(opts.experimentIds))}))`);
	if (opts.status) where.push(`status = ${bind(opts.status)}`);
	const lifecycle = opts.lifecycle ?? 'active';
	if (lifecycle === 'active') where.push('deleted_at IS NULL');
	if (lifecycle === 'deleted') where.push('deleted_at IS NOT NULL');
	if (opts.after) {
		const s = bind(opts.after.startedAt);
		where.push(`(started_at < ${s} OR (started_at = ${s} AND id > ${bind(opts.after.id)}))`);
	}
	const { results } = await db
		.prepare(
			`SELECT ${COLUMNS} FROM runs WHERE ${where.join(' AND ')}
			 ORDER BY started_at DESC, id ASC LIMIT ${bind(opts.limit + 1)}`
		)
		.bind(...binds)
		.all<RunRow>();
	const page = results.slice(0, opts.limit);
	const last = page[page.length - 1];
	return {
		runs: await hydrate(db, workspaceId, page),
		next: results.length > opts.limit && last ? { startedAt: last.started_at, id: last.id } : null
	};
}
