import type { DatePart, Transform } from '../contract/preprocessing';
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

/** The raw column a transformed feature is read from; a feature no transform writes is its own source. */
export function rawSource(transforms: readonly Transform[] | undefined, feature: string): Transform | null {
	return transforms?.findLast((t) => t.as === feature) ?? null;
}
