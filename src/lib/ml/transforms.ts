import type { DatePart, Preprocessing, Transform } from '../contract/preprocessing';
import type { ColumnData, Frame } from './types';

/**
 * The transforms a model declares (clip, log1p, date parts, buckets), applied by this one function wherever rows
 * are encoded: the train worker before its data check, the evaluate and predict cells, and the Worker at the edge,
 * so a raw record sent to the edge becomes exactly the feature the notebook trained on. Each reads one raw column
 * and writes a new one; applying them again recomputes the same values from the same sources.
 *
 * Semantics, as DuckDB's SQL would give them: `clip` keeps missing values missing; `log1p` of a value ≤ −1 is
 * missing (it has no finite logarithm) and is then imputed like any missing value; date parts read epoch
 * milliseconds (how a Frame holds DATE and TIMESTAMP columns) or ISO-8601 text, in UTC, with `weekday` as
 * DuckDB's `dayofweek` (0 = Sunday … 6 = Saturday); `bucket` labels a value by the half-open interval of the
 * edges it falls in ("< 500", "[500, 1000)", ">= 1000"), missing stays missing.
 */

export class TransformError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'TransformError';
	}
}

/** ISO-8601 text → epoch ms in UTC (a time without an offset is UTC, as DuckDB reads TIMESTAMP); NaN if not a date. */
export function epochMsOf(text: string): number {
	const t = text.trim();
	if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return NaN;
	const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(t);
	const iso = t.length === 10 ? `${t}T00:00:00Z` : hasZone ? t.replace(' ', 'T') : `${t.replace(' ', 'T')}Z`;
	return Date.parse(iso);
}

function part(ms: number, p: DatePart): number {
	if (!Number.isFinite(ms)) return NaN;
	const d = new Date(ms);
	switch (p) {
		case 'year':
			return d.getUTCFullYear();
		case 'month':
			return d.getUTCMonth() + 1;
		case 'day':
			return d.getUTCDate();
		case 'hour':
			return d.getUTCHours();
		case 'minute':
			return d.getUTCMinutes();
		case 'weekday':
			return d.getUTCDay();
		case 'dayofyear':
			return Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
	}
}

const fmt = (v: number) => String(v);

/** The bucket label of a value for increasing `edges`. */
export function bucketLabel(v: number, edges: number[]): string | null {
	if (Number.isNaN(v)) return null;
	if (v < edges[0]) return `< ${fmt(edges[0])}`;
	for (let i = 1; i < edges.length; i++) if (v < edges[i]) return `[${fmt(edges[i - 1])}, ${fmt(edges[i])})`;
	return `>= ${fmt(edges[edges.length - 1])}`;
}

function numericSource(t: Transform, col: ColumnData): Float64Array {
	if (col.kind === 'numeric') return col.values;
	throw new TransformError(`${t.op}(${t.column}) needs a numeric column; "${t.column}" is text.`);
}

function applyOne(t: Transform, col: ColumnData, n: number): ColumnData {
	switch (t.op) {
		case 'clip': {
			const src = numericSource(t, col);
			const out = new Float64Array(n);
			const lo = t.min ?? -Infinity;
			const hi = t.max ?? Infinity;
			for (let i = 0; i < n; i++) out[i] = Number.isNaN(src[i]) ? NaN : Math.min(hi, Math.max(lo, src[i]));
			return { name: t.as, kind: 'numeric', values: out };
		}
		case 'log1p': {
			const src = numericSource(t, col);
			const out = new Float64Array(n);
			for (let i = 0; i < n; i++) out[i] = src[i] > -1 ? Math.log1p(src[i]) : NaN;
			return { name: t.as, kind: 'numeric', values: out };
		}
		case 'datepart': {
			const out = new Float64Array(n);
			for (let i = 0; i < n; i++) {
				const ms =
					col.kind === 'numeric' ? col.values[i] : col.values[i] === null ? NaN : epochMsOf(col.values[i]!);
				out[i] = part(ms, t.part);
			}
			return { name: t.as, kind: 'numeric', values: out };
		}
		case 'bucket': {
			const src = numericSource(t, col);
			return { name: t.as, kind: 'categorical', values: Array.from(src, (v) => bucketLabel(v, t.edges)) };
		}
	}
}

/**
 * The frame with each transform's column added (or recomputed, when it is there already), in declaration order,
 * so a transform may read an earlier one's output. Throws TransformError naming a missing or mistyped source.
 */
export function applyTransforms(transforms: readonly Transform[] | undefined, frame: Frame): Frame {
	if (!transforms?.length) return frame;
	const columns = [...frame.columns];
	for (const t of transforms) {
		const col = columns.find((c) => c.name === t.column);
		if (!col)
			throw new TransformError(
				`${t.op}(${t.column}) reads the column "${t.column}", which is not in the table.`
			);
		const out = applyOne(t, col, frame.rowCount);
		const at = columns.findIndex((c) => c.name === t.as);
		if (at === -1) columns.push(out);
		else columns[at] = out;
	}
	return { columns, rowCount: frame.rowCount };
}

export type RawKind = 'numeric' | 'categorical' | 'temporal';

/**
 * The raw columns a table (or a predict request) must carry for a model: each feature no transform writes, as it
 * was trained, and each transform's source (a date part's as a date or time, the others' as numbers) unless an
 * earlier transform writes it.
 */
export function rawInputs(prep: Pick<Preprocessing, 'features' | 'transforms'>): Map<string, RawKind> {
	const written = new Set((prep.transforms ?? []).map((t) => t.as));
	const raw = new Map<string, RawKind>();
	for (const f of prep.features) if (!written.has(f.name)) raw.set(f.name, f.kind);
	for (const t of prep.transforms ?? [])
		if (!written.has(t.column) && !raw.has(t.column))
			raw.set(t.column, t.op === 'datepart' ? 'temporal' : 'numeric');
	return raw;
}

/** What a train cell declares: the row-wise transforms, and how many categories each top-K feature keeps. */
export interface Declared {
	transforms: Transform[];
	topK: Record<string, number>;
}

const DATE_FNS: readonly DatePart[] = ['year', 'month', 'day', 'hour', 'minute', 'weekday', 'dayofyear'];
const LINE = /^([a-z0-9]+)\s*\((.*)\)\s*(?:as\s+("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*))?$/i;

function unquote(name: string): string {
	const n = name.trim();
	return n.startsWith('"') && n.endsWith('"') && n.length >= 2 ? n.slice(1, -1).replace(/""/g, '"') : n;
}

function numberArg(raw: string | undefined, what: string): number | null {
	const t = raw?.trim() ?? '';
	if (t === '' || t.toLowerCase() === 'null') return null;
	const n = Number(t);
	if (!Number.isFinite(n)) throw new TransformError(`${what} must be a number, not "${t}"`);
	return n;
}

/**
 * A train cell's transforms, one per line, as a data scientist writes them:
 * `hour(dep_time)`, `weekday(dep_time) as dow`, `clip(delay, -60, 180)`, `log1p(distance)`,
 * `bucket(distance, 500, 1000, 2000)`, `top(origin, 20)`; blank lines and `# comments` are skipped. A new column is
 * named `<column>_<function>` unless `as` names it. Returns the first problem with its line number.
 */
export function parseTransformText(
	text: string
): ({ ok: true } & Declared) | { ok: false; line: number; message: string } {
	const transforms: Transform[] = [];
	const topK: Record<string, number> = {};
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		const src = lines[i].replace(/#.*$/, '').trim();
		if (!src) continue;
		try {
			const m = LINE.exec(src);
			if (!m)
				throw new TransformError(
					`write it as function(column, …) [as name], e.g. hour(dep_time) as dep_hour`
				);
			const fn = m[1].toLowerCase();
			const args = m[2].split(',');
			const column = unquote(args[0] ?? '');
			if (!column) throw new TransformError(`${fn}() needs a column`);
			const as = m[3] ? unquote(m[3]) : `${column}_${fn}`;
			if (as === column)
				throw new TransformError(`${fn}(${column}) must write a new column, not "${column}" itself`);
			if (fn === 'top') {
				const k = numberArg(args[1], 'top’s K');
				if (k === null || !Number.isInteger(k) || k < 1 || k > 50)
					throw new TransformError(`top(${column}, K) keeps K of 1 to 50 categories`);
				if (m[3])
					throw new TransformError(`top(${column}, ${k}) changes the feature itself; it takes no "as"`);
				topK[column] = k;
			} else if (fn === 'clip') {
				if (args.length !== 3)
					throw new TransformError(`clip(${column}, min, max): leave one empty for no bound`);
				const [min, max] = [numberArg(args[1], 'clip’s min'), numberArg(args[2], 'clip’s max')];
				if (min !== null && max !== null && min > max)
					throw new TransformError(`clip's min ${min} is above its max ${max}`);
				transforms.push({ op: 'clip', column, as, min, max });
			} else if (fn === 'log1p') {
				if (args.length !== 1) throw new TransformError(`log1p(${column}) takes only the column`);
				transforms.push({ op: 'log1p', column, as });
			} else if (fn === 'bucket') {
				const edges = args.slice(1).map((a) => numberArg(a, 'a bucket edge'));
				if (!edges.length || edges.some((e) => e === null))
					throw new TransformError(`bucket(${column}, edge, …) needs at least one edge`);
				if (edges.some((e, j) => j > 0 && e! <= edges[j - 1]!))
					throw new TransformError('bucket edges must increase');
				transforms.push({ op: 'bucket', column, as, edges: edges as number[] });
			} else if ((DATE_FNS as readonly string[]).includes(fn)) {
				if (args.length !== 1) throw new TransformError(`${fn}(${column}) takes only the column`);
				transforms.push({ op: 'datepart', column, as, part: fn as DatePart });
			} else
				throw new TransformError(
					`no transform "${fn}": use clip, log1p, bucket, top, or a date part (${DATE_FNS.join(', ')})`
				);
			if (transforms.filter((t) => t.as === as).length > 1)
				throw new TransformError(`"${as}" is written twice`);
		} catch (e) {
			if (!(e instanceof TransformError)) throw e;
			return { ok: false, line: i + 1, message: e.message };
		}
	}
	return { ok: true, transforms, topK };
}
