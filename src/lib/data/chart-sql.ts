import { columnKind } from './profile-sql';
import { quoteIdent, quoteString } from './sql-ident';
import type { ChartCategoryRole, ChartRequest, ColumnInfo } from './types';

/** Points draw at most this many rows: beyond it a seeded reservoir sample keeps the page fast. */
export const CHART_MAX_ROWS = 50_000;
/** Categories drawn per role before the rest are summed into one "Other" category. */
export const CHART_MAX_CATEGORIES: Record<ChartCategoryRole, number> = { x: 40, color: 10, facet: 12 };
/** A line or area over more distinct x than this is summed per bin, `CHART_LINE_BINS` bins in all. */
export const CHART_MAX_LINE_POINTS = 2_000;
export const CHART_LINE_BINS = 1_000;
/** About this many histogram bins, with a round width. */
export const CHART_HISTOGRAM_BINS = 30;

export type Kind = ReturnType<typeof columnKind>;

/** A column as a number (times as epoch ms), or as a text label. */
export function asNumber(name: string, kind: Kind): string {
	const q = quoteIdent(name);
	return kind === 'temporal' ? `epoch_ms(${q}::TIMESTAMP)::DOUBLE` : `${q}::DOUBLE`;
}

export function asLabel(name: string): string {
	return `${quoteIdent(name)}::VARCHAR`;
}

/** The label that stands for every category past the largest ones. */
export function otherLabel(kept: number, of: number): string {
	return `Other (${(of - kept).toLocaleString('en-US')} more)`;
}

/** A round bin width (1, 2 or 5 times a power of ten) near `raw`. */
export function niceStep(raw: number): number {
	if (!(raw > 0) || !Number.isFinite(raw)) return 1;
	const p = 10 ** Math.floor(Math.log10(raw));
	const m = raw / p;
	return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

export function num(n: number): string {
	return `(${String(n)})::DOUBLE`;
}

/**
 * One aggregate over every row: `src` is a SELECT naming the roles; category roles listed in `fold` keep their
 * `kept` largest categories (by |sum of y|, or by row count) and the rest become one "Other" category.
 */
export function aggregateSql(
	src: string,
	roles: string[],
	reduce: 'sum' | 'count',
	fold: Partial<Record<ChartCategoryRole, { kept: number; of: number }>>
): string {
	const weight = reduce === 'sum' ? 'abs(sum(y))' : 'count(*)';
	const ctes = [`src AS (${src})`];
	const select = roles.map((r) => {
		const f = fold[r as ChartCategoryRole];
		if (!f) return r;
		ctes.push(
			`top_${r} AS (SELECT ${r} AS k FROM src WHERE ${r} IS NOT NULL GROUP BY ${r} ORDER BY ${weight} DESC NULLS LAST, ${r} LIMIT ${f.kept})`
		);
		return `CASE WHEN ${r} IS NULL OR ${r} IN (SELECT k FROM top_${r}) THEN ${r} ELSE ${quoteString(otherLabel(f.kept, f.of))} END AS ${r}`;
	});
	const keep = reduce === 'sum' ? ', y' : '';
	ctes.push(`f AS (SELECT ${select.join(', ')}${keep} FROM src)`);
	const value = reduce === 'sum' ? 'sum(y)' : 'count(*)::DOUBLE';
	return `WITH ${ctes.join(', ')} SELECT ${roles.join(', ')}, ${value} AS y, count(*)::DOUBLE AS n FROM f GROUP BY ALL`;
}

/** Which kind each requested column has, or a clear error naming the one that is not in the table. */
export function resolveColumns(req: ChartRequest, all: ColumnInfo[]): Record<string, Kind> {
	const wanted = [req.x, req.y, req.color, req.facet].filter(Boolean);
	const missing = wanted.filter((w) => !all.some((c) => c.name === w));
	if (missing.length) {
		const e = new Error(
			`Column ${missing.map((m) => `"${m}"`).join(', ')} is not in ${req.table} (it has ${all.map((c) => c.name).join(', ')}).`
		);
		e.name = 'UnknownColumn';
		throw e;
	}
	const kinds: Record<string, Kind> = {};
	for (const c of all) if (wanted.includes(c.name)) kinds[c.name] = columnKind(c.type);
	if (['bar', 'line', 'area'].includes(req.mark) && kinds[req.y] !== 'numeric') {
		const type = all.find((c) => c.name === req.y)?.type;
		const e = new Error(
			`A ${req.mark} chart adds up y, and "${req.y}" is not a number (${type}): pick a numeric column for y, or a histogram to count rows.`
		);
		e.name = 'ChartSpecError';
		throw e;
	}
	return kinds;
}
