import type { MutationOf } from '../../src/lib/contract';
import { findExperiment } from './plan-experiments';
import { conflict, invalid, notFound, write, type Plan, type PlanContext } from './plan';

interface RunRow {
	id: string;
	status: string;
	deleted_at: number | null;
}

const ENDED = new Set(['finished', 'failed', 'cancelled']);

export function findRun(c: PlanContext, id: string): Promise<RunRow | null> {
	return c.db
		.prepare('SELECT id, status, deleted_at FROM runs WHERE workspace_id = ? AND id = ?')
		.bind(c.workspaceId, id)
		.first<RunRow>();
}

/** Rows go in as one JSON argument expanded by json_each: D1 binds at most 100 values per statement. */
function insertParams(
	c: PlanContext,
	runId: string,
	params: { key: string; value: string }[]
): D1PreparedStatement {
	return c.db
		.prepare(
			`INSERT INTO run_params (workspace_id, run_id, key, value)
			 SELECT ?1, ?2, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]') FROM json_each(?3) AS j`
		)
		.bind(c.workspaceId, runId, JSON.stringify(params.map((p) => [p.key, p.value])));
}

function upsertTags(
	c: PlanContext,
	runId: string,
	tags: { key: string; value: string }[]
): D1PreparedStatement {
	// Within one request the last value of a key wins, as it would applied one by one.
	const last = new Map(tags.map((t) => [t.key, t.value]));
	return c.db
		.prepare(
			`INSERT INTO run_tags (workspace_id, run_id, key, value)
			 SELECT ?1, ?2, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]') FROM json_each(?3) AS j WHERE true
			 ON CONFLICT (workspace_id, run_id, key) DO UPDATE SET value = excluded.value`
		)
		.bind(c.workspaceId, runId, JSON.stringify([...last]));
}

/** Metric values may be special (MLflow clients log NaN); `special` keeps what SQLite cannot. */
export type MetricRowIn = {
	key: string;
	value: number | null;
	special: string | null;
	step: number;
	timestamp: number;
};

/**
 * Metric rows are bound, not expanded from JSON text as the other rows are: SQLite's text-to-REAL conversion
 * is off by one ulp for some doubles (1.460092505766015e-115), and a logged value must read back as logged.
 * D1 binds at most 100 values per statement: the two shared ones and 19 rows of five.
 */
const METRIC_ROWS_PER_STATEMENT = 19;

export function insertMetrics(c: PlanContext, runId: string, rows: MetricRowIn[]): D1PreparedStatement[] {
	const statements: D1PreparedStatement[] = [];
	for (let at = 0; at < rows.length; at += METRIC_ROWS_PER_STATEMENT) {
		const chunk = rows.slice(at, at + METRIC_ROWS_PER_STATEMENT);
		const tuples = chunk.map((_, i) => {
			const n = 3 + i * 5;
			return `(?1, ?2, ?${n}, ?${n + 1}, ?${n + 2}, ?${n + 3}, ?${n + 4})`;
		});
		statements.push(
			c.db
				.prepare(
					`INSERT INTO run_metrics (workspace_id, run_id, key, step, timestamp, value, special) VALUES ${tuples.join(', ')}`
				)
				.bind(c.workspaceId, runId, ...chunk.flatMap((r) => [r.key, r.step, r.timestamp, r.value, r.special]))
		);
	}
	return statements;
}

/** At or after `b` in (step, timestamp) order: the later of two tied points is the one logged last. */
const notBefore = (a: MetricRowIn, b: MetricRowIn) =>
	a.step > b.step || (a.step === b.step && a.timestamp >= b.timestamp);

/**
 * Keeps latest_metrics (migration 0004) in step with the points, in the same batch: each key's latest point in
 * this request (ties to the last logged) replaces the stored one when its (step, timestamp) is not lower. Values
 * are bound, as in insertMetrics, so the latest value is the logged one to the bit; ±Infinity sort as ±9e999.
 */
export function upsertLatestMetrics(
	c: PlanContext,
	runId: string,
	rows: MetricRowIn[]
): D1PreparedStatement[] {
	const latest = new Map<string, MetricRowIn>();
	for (const r of rows) {
		const held = latest.get(r.key);
		if (!held || notBefore(r, held)) latest.set(r.key, r);
	}
	const points = [...latest.values()];
	const statements: D1PreparedStatement[] = [];
	for (let at = 0; at < points.length; at += METRIC_ROWS_PER_STATEMENT) {
		const chunk = points.slice(at, at + METRIC_ROWS_PER_STATEMENT);
		const tuples = chunk.map((_, i) => {
			const n = 3 + i * 5;
			const value = `CASE ?${n + 4} WHEN 'Infinity' THEN 9e999 WHEN '-Infinity' THEN -9e999 ELSE ?${n + 3} END`;
			return `(?1, ?2, ?${n}, ?${n + 1}, ?${n + 2}, ${value}, ?${n + 4})`;
		});
		statements.push(
			c.db
				.prepare(
					`INSERT INTO latest_metrics (workspace_id, run_id, key, step, timestamp, value, special)
					 VALUES ${tuples.join(', ')}
					 ON CONFLICT (workspace_id, run_id, key) DO UPDATE SET step = excluded.step,
					   timestamp = excluded.timestamp, value = excluded.value, special = excluded.special
					 WHERE excluded.step > latest_metrics.step
					    OR (excluded.step = latest_metrics.step AND excluded.timestamp >= latest_metrics.timestamp)`
				)
				.bind(c.workspaceId, runId, ...chunk.flatMap((r) => [r.key, r.step, r.timestamp, r.value, r.special]))
		);
	}
	return statements;
}

function touch(c: PlanContext, runId: string): D1PreparedStatement {
	return c.db
		.prepare('UPDATE runs SET updated_at = ? WHERE workspace_id = ? AND id = ?')
		.bind(c.now, c.workspaceId, runId);
}

/** Params already logged with the same value are skipped; another value for a key is refused (immutable). */
async function newParams(
	c: PlanContext,
	runId: string,
	params: { key: string; value: string }[]
): Promise<{ fresh: { key: string; value: string }[] } | { clash: Plan }> {
	const incoming = new Map<string, string>();
	for (const p of params) {
		const seen = incoming.get(p.key);
		if (seen !== undefined && seen !== p.value)
			return {
				clash: invalid(`The param "${p.key}" is given twice in one request with different values.`, {
					key: p.key
				})
			};
		incoming.set(p.key, p.value);
	}
	if (incoming.size === 0) return { fresh: [] };
	const { results } = await c.db
		.prepare(
			`SELECT key, value FROM run_params WHERE workspace_id = ?1 AND run_id = ?2
			 AND key IN (SELECT value FROM json_each(?3))`
		)
		.bind(c.workspaceId, runId, JSON.stringify([...incoming.keys()]))
		.all<{ key: string; value: string }>();
	for (const row of results) {
		if (row.value !== incoming.get(row.key))
			return {
				clash: invalid(
					`The param "${row.key}" was already logged as "${row.value}"; params are immutable, so it cannot become "${incoming.get(row.key)}".`,
					{ key: row.key, old: row.value, new: incoming.get(row.key) }
				)
			};
		incoming.delete(row.key);
	}
	return { fresh: [...incoming].map(([key, value]) => ({ key, value })) };
}

export async function planRunCreate(c: PlanContext, m: MutationOf<'run.create'>): Promise<Plan> {
	const r = m.run;
	const exp = await findExperiment(c, r.experimentId);
	if (!exp) return notFound(`No experiment with id ${r.experimentId}.`, { experimentId: r.experimentId });
	if (exp.deleted_at !== null)
		return invalid(`The experiment ${exp.name} is deleted; restore it to add runs.`);
	if (r.parentId && !(await findRun(c, r.parentId)))
		return notFound(`No parent run with id ${r.parentId}.`, { parentId: r.parentId });
	if (await findRun(c, r.id)) return conflict(`A run with id ${r.id} already exists.`, { runId: r.id });
	const checked = await newParams(c, r.id, r.params);
	if ('clash' in checked) return checked.clash;
	const statements = [
		c.db
			.prepare(
				`INSERT INTO runs (workspace_id, id, experiment_id, parent_id, name, status, started_at, notebook_id, cell_id, lineage, updated_at)
				 VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)`
			)
			.bind(
				c.workspaceId,
				r.id,
				r.experimentId,
				r.parentId,
				r.name,
				r.startedAt,
				r.notebookId,
				r.cellId,
				r.lineage ? JSON.stringify(r.lineage) : null,
				c.now
			)
	];
	if (checked.fresh.length) statements.push(insertParams(c, r.id, checked.fresh));
	if (r.tags.length) statements.push(upsertTags(c, r.id, r.tags));
	return write(statements);
}

export async function planRunLog(
	c: PlanContext,
	m: MutationOf<'run.log'>,
	metrics: MetricRowIn[] = m.metrics.map((p) => ({ ...p, special: null }))
): Promise<Plan> {
	const run = await findRun(c, m.runId);
	if (!run) return notFound(`No run with id ${m.runId}.`, { runId: m.runId });
	if (run.deleted_at !== null)
		return invalid(`The run ${m.runId} is deleted; restore it to log to it.`, { runId: m.runId });
	const checked = await newParams(c, m.runId, m.params);
	if ('clash' in checked) return checked.clash;
	const statements: D1PreparedStatement[] = [];
	if (checked.fresh.length) statements.push(insertParams(c, m.runId, checked.fresh));
	if (metrics.length)
		statements.push(...insertMetrics(c, m.runId, metrics), ...upsertLatestMetrics(c, m.runId, metrics));
	if (m.tags.length) statements.push(upsertTags(c, m.runId, m.tags));
	if (statements.length) statements.push(touch(c, m.runId));
	return write(statements);
}

/**
 * Conflict rule for status: the first end wins. A run that finished, failed or was cancelled stays so; a run
 * marked interrupted (its tab closed) may still be ended by the browser that ran it. Names and notes: the last
 * mutation the registry applies wins.
 */
export async function planRunUpdate(c: PlanContext, m: MutationOf<'run.update'>): Promise<Plan> {
	const run = await findRun(c, m.runId);
	if (!run) return notFound(`No run with id ${m.runId}.`, { runId: m.runId });
	const sets: string[] = [];
	const values: unknown[] = [];
	let statusIgnored = false;
	if (m.status !== undefined && m.status !== run.status) {
		const movable = run.status === 'running' || (run.status === 'interrupted' && ENDED.has(m.status));
		if (movable && m.status !== 'running') {
			sets.push('status = ?');
			values.push(m.status);
			sets.push('ended_at = ?');
			values.push(m.endedAt ?? c.at);
		} else statusIgnored = true;
	} else if (m.endedAt !== undefined && run.status !== 'running') {
		sets.push('ended_at = ?');
		values.push(m.endedAt);
	}
	if (m.name !== undefined) {
		sets.push('name = ?');
		values.push(m.name);
	}
	if (m.note !== undefined) {
		sets.push('note = ?');
		values.push(m.note);
	}
	if (!sets.length) return write([], statusIgnored ? { statusIgnored: true, status: run.status } : null);
	sets.push('updated_at = ?');
	values.push(c.now);
	return write(
		[
			c.db
				.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE workspace_id = ? AND id = ?`)
				.bind(...values, c.workspaceId, m.runId)
		],
		statusIgnored ? { statusIgnored: true, status: run.status } : null
	);
}

export async function planRunTagDelete(c: PlanContext, m: MutationOf<'run.tag.delete'>): Promise<Plan> {
	if (!(await findRun(c, m.runId))) return notFound(`No run with id ${m.runId}.`, { runId: m.runId });
	const tag = await c.db
		.prepare('SELECT 1 FROM run_tags WHERE workspace_id = ? AND run_id = ? AND key = ?')
		.bind(c.workspaceId, m.runId, m.key)
		.first();
	if (!tag) return notFound(`The run ${m.runId} has no tag "${m.key}".`, { runId: m.runId, key: m.key });
	return write([
		c.db
			.prepare('DELETE FROM run_tags WHERE workspace_id = ? AND run_id = ? AND key = ?')
			.bind(c.workspaceId, m.runId, m.key),
		touch(c, m.runId)
	]);
}

export async function planRunLifecycle(
	c: PlanContext,
	m: MutationOf<'run.delete'> | MutationOf<'run.restore'>
): Promise<Plan> {
	const run = await findRun(c, m.runId);
	if (!run) return notFound(`No run with id ${m.runId}.`, { runId: m.runId });
	const deletedAt = m.type === 'run.delete' ? (run.deleted_at ?? m.deletedAt) : null;
	return write([
		c.db
			.prepare('UPDATE runs SET deleted_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?')
			.bind(deletedAt, c.now, c.workspaceId, m.runId)
	]);
}
