import type { Clause, Entity, OrderBy } from '../mlflow/filter';
import { asciiLower } from '../mlflow/like';

/**
 * Compiles a parsed search filter and order_by into one parameterised SELECT (docs/registry.md, "Search"). Every
 * value is a bound parameter; keys are bound too, so no user text reaches the SQL. Metric, param and tag clauses
 * join their table on (workspace, row, key) (latest_metrics holds each run's latest point), one row per key, so
 * joins never repeat a row. Semantics are the in-memory matcher's: a missing value never matches and sorts
 * last; LIKE is case-sensitive (compiled to GLOB, which SQLite does not fold); ILIKE folds ASCII on both sides.
 *
 * Pages are keyset pages over a total order (the requested keys, the source's default keys, then the id): the
 * token holds the last row's sort values, so rows added before it do not shift or repeat later pages (an offset
 * would). Bound parameters: at most 2 per clause and per sort key plus a few (LIMITS.search* keep it under D1's 100).
 */

export type SortValue = string | number | null;
export type Kind = 'number' | 'string';

/** How one searchable table maps MLflow's entities onto SQL (`from` names the table and its alias). */
export interface SearchSource {
	from: string;
	id: string;
	/** SQL for an attribute (its kind is checked before compiling); notNull when it is never missing. */
	attribute(key: string): { expr: string; kind: Kind; join?: string; notNull?: boolean };
	/**
	 * A metric/param/tag: the table joined as `alias` on the key (`bind` it), or an expression alone (a key the
	 * row itself holds); null when the entity is not searchable here.
	 */
	keyed(
		entity: Exclude<Entity, 'attribute'>,
		alias: string,
		key: string,
		bind: (v: unknown) => string
	): { join?: string; expr: string } | null;
	/** Keys the requested order is followed by, before the id (MLflow's default order). */
	defaults(order: OrderBy[]): OrderBy[];
}

export interface Cursor {
	values: SortValue[];
	id: string;
}

/** The kind of each sort key, requested then default: what a page token's values must be. */
export function sortKinds(source: SearchSource, order: OrderBy[]): Kind[] {
	return [...order, ...source.defaults(order)].map((o) =>
		o.entity === 'attribute' ? source.attribute(o.key).kind : o.entity === 'metric' ? 'number' : 'string'
	);
}

/** `%` → `*`, `_` → `?`; GLOB's own wildcards are escaped as one-character classes. */
export function likeToGlob(pattern: string): string {
	return pattern.replace(/[%_*?[]/g, (ch) =>
		ch === '%' ? '*' : ch === '_' ? '?' : ch === '[' ? '[[]' : `[${ch}]`
	);
}

// ±Inf as SQL literals (D1 cannot bind them); only these two names are ever spliced, checked by decodeCursor.
const INF: Record<string, string> = { Infinity: '9e999', '-Infinity': '-9e999' };

export function compileSearch(
	source: SearchSource,
	opts: {
		where: string[];
		binds: unknown[];
		clauses: Clause[];
		order: OrderBy[];
		after: Cursor | null;
		limit: number;
	}
) {
	const binds = [...opts.binds];
	const bind = (v: unknown) => `?${binds.push(v)}`;
	const joins: string[] = [];
	const where = [...opts.where];
	// Keyed values a filter clause joined: never NULL (every operator rejects NULL), reused by a sort on the key.
	const filtered = new Map<string, { expr: string; kind: Kind; notNull: boolean }>();
	const refer = (c: { entity: Entity; key: string }, alias: string, left: boolean) => {
		if (c.entity === 'attribute') {
			const a = source.attribute(c.key);
			if (a.join && !joins.includes(a.join)) joins.push(a.join);
			return { expr: a.expr, kind: a.kind, notNull: !!a.notNull };
		}
		const known = filtered.get(`${c.entity}.${c.key}`);
		if (known) return known;
		const k = source.keyed(c.entity, alias, c.key, bind);
		if (!k) throw new Error(`${c.entity} is not searchable here`);
		if (k.join) joins.push(`${left ? 'LEFT ' : ''}JOIN ${k.join}`);
		const r = { expr: k.expr, kind: (c.entity === 'metric' ? 'number' : 'string') as Kind, notNull: !k.join };
		if (!left && k.join) filtered.set(`${c.entity}.${c.key}`, { ...r, notNull: true });
		return r;
	};
	opts.clauses.forEach((c, i) => {
		const { expr } = refer({ entity: c.entity, key: c.key }, `f${i}`, false);
		const v = c.value;
		if (c.op === 'LIKE') where.push(`${expr} GLOB ${bind(likeToGlob(String(v)))}`);
		else if (c.op === 'ILIKE') where.push(`lower(${expr}) GLOB ${bind(likeToGlob(asciiLower(String(v))))}`);
		else if (c.op === 'IN' || c.op === 'NOT IN')
			where.push(`${expr} ${c.op} (SELECT value FROM json_each(${bind(JSON.stringify(v))}))`);
		else where.push(`${expr} ${c.op} ${bind(v)}`);
	});
	const keys = [...opts.order, ...source.defaults(opts.order)].map((o, i) => {
		const r = refer(o, `s${i}`, true);
		// ±Inf goes out as its name (JSON has no Infinity); NaN is stored NULL, so it is a missing value.
		const out =
			r.kind === 'number'
				? `CASE ${r.expr} WHEN 9e999 THEN 'Infinity' WHEN -9e999 THEN '-Infinity' ELSE ${r.expr} END`
				: r.expr;
		return { ...r, out, desc: o.desc };
	});
	if (opts.after) where.push(afterCursor(keys, opts.after, bind, source.id));
	// Without the IS NULL term on keys that cannot be NULL, an index on the key can deliver the order (and LIMIT
	// stop the scan early).
	const order = keys.map(
		(k) => `${k.notNull ? '' : `${k.expr} IS NULL, `}${k.expr} ${k.desc ? 'DESC' : 'ASC'}`
	);
	const sql = `SELECT ${source.id} AS id${keys.map((k, i) => `, ${k.out} AS k${i}`).join('')}
		FROM ${source.from} ${joins.join(' ')} WHERE ${where.join(' AND ')}
		ORDER BY ${[...order, `${source.id} ASC`].join(', ')} LIMIT ${bind(opts.limit)}`;
	return { sql, binds, kinds: keys.map((k) => k.kind) };
}

/** Rows strictly after the cursor in the order: later on the first differing key, missing values last. */
function afterCursor(
	keys: { expr: string; kind: Kind; desc: boolean; notNull: boolean }[],
	cursor: Cursor,
	bind: (v: unknown) => string,
	id: string
): string {
	let rest = `${id} > ${bind(cursor.id)}`;
	for (let i = keys.length - 1; i >= 0; i--) {
		const { expr, desc, notNull } = keys[i];
		const v = cursor.values[i];
		if (v === null) {
			rest = `(${expr} IS NULL AND ${rest})`;
			continue;
		}
		const lit = typeof v === 'string' && keys[i].kind === 'number' ? INF[v] : bind(v);
		const missing = notNull ? '' : ` OR ${expr} IS NULL`;
		rest = `(${expr} ${desc ? '<' : '>'} ${lit}${missing} OR (${expr} = ${lit} AND ${rest}))`;
	}
	return rest;
}

/** Page tokens: the order they belong to and the last row's sort values, so a token from another order is refused. */
export function encodeCursor(order: OrderBy[], cursor: Cursor): string {
	return btoa(JSON.stringify({ o: signature(order), v: cursor.values, id: cursor.id }));
}

const signature = (order: OrderBy[]) =>
	order.map((o) => `${o.entity}.${o.key}.${o.desc ? 'd' : 'a'}`).join(',');

/** The cursor in `token`, or null when it is not one this order wrote (values checked against their kinds). */
export function decodeCursor(token: string, order: OrderBy[], kinds: Kind[]): Cursor | null {
	let raw: unknown;
	try {
		raw = JSON.parse(atob(token));
	} catch {
		return null;
	}
	const t = raw as { o?: unknown; v?: unknown; id?: unknown };
	if (
		t?.o !== signature(order) ||
		typeof t.id !== 'string' ||
		!Array.isArray(t.v) ||
		t.v.length !== kinds.length
	)
		return null;
	const ok = t.v.every(
		(v: unknown, i) =>
			v === null ||
			(kinds[i] === 'string'
				? typeof v === 'string'
				: Number.isFinite(v) || (typeof v === 'string' && Object.hasOwn(INF, v)))
	);
	return ok ? { values: t.v as SortValue[], id: t.id } : null;
}

/** Runs a compiled search for one page (it asked for limit + 1 rows): the ids, and the cursor when more follow. */
export async function fetchPage(
	db: D1Database,
	q: ReturnType<typeof compileSearch>,
	limit: number
): Promise<{ ids: string[]; next: Cursor | null }> {
	const { results } = await db
		.prepare(q.sql)
		.bind(...q.binds)
		.all<Record<string, SortValue> & { id: string }>();
	const rows = results.slice(0, limit);
	const last = rows[rows.length - 1];
	return {
		ids: rows.map((r) => r.id),
		next:
			results.length > limit && last
				? { id: last.id, values: q.kinds.map((_, i) => last[`k${i}`] ?? null) }
				: null
	};
}
