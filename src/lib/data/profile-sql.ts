import { quoteIdent } from './sql-ident';
import type { ColumnInfo, ColumnProfile } from './types';

export const HISTOGRAM_BINS = 20;
export const TOP_VALUES = 8;
export const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95];

/** How a DuckDB type is profiled: numbers get moments, quantiles and a histogram; the rest top values. */
export function columnKind(type: string): ColumnProfile['kind'] {
	const t = type.toUpperCase();
	if (
		/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL)$/.test(
			t
		)
	)
		return 'numeric';
	if (t.startsWith('DECIMAL')) return 'numeric';
	if (
		/^(DATE|TIME|TIMESTAMP|TIMESTAMP WITH TIME ZONE|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMPTZ)$/.test(
			t
		)
	)
		return 'temporal';
	if (/^(VARCHAR|BOOLEAN|UUID|ENUM)/.test(t) || t.startsWith('ENUM')) return 'categorical';
	return 'other';
}

/** One pass over the table for every column's counts, extremes, moments and quantiles. */
export function aggregateSql(table: string, columns: ColumnInfo[]): string {
	const parts = ['count(*)::DOUBLE AS "rows"'];
	columns.forEach((c, i) => {
		const q = quoteIdent(c.name);
		const kind = columnKind(c.type);
		parts.push(`count(${q})::DOUBLE AS "n${i}"`, `count(DISTINCT ${q})::DOUBLE AS "d${i}"`);
		if (kind === 'numeric') {
			parts.push(
				`min(${q})::DOUBLE AS "min${i}"`,
				`max(${q})::DOUBLE AS "max${i}"`,
				`avg(${q})::DOUBLE AS "mean${i}"`,
				`stddev_samp(${q})::DOUBLE AS "std${i}"`,
				`quantile_cont(${q}::DOUBLE, [${QUANTILES.join(', ')}]) AS "q${i}"`
			);
		} else if (kind === 'temporal') {
			parts.push(`min(${q})::VARCHAR AS "min${i}"`, `max(${q})::VARCHAR AS "max${i}"`);
		} else if (kind === 'categorical') {
			parts.push(`min(${q}::VARCHAR) AS "min${i}"`, `max(${q}::VARCHAR) AS "max${i}"`);
		}
	});
	return `SELECT ${parts.join(', ')} FROM ${quoteIdent(table)}`;
}

/** Equal-width bins between known extremes; the top edge falls into the last bin. */
export function histogramSql(
	table: string,
	column: string,
	min: number,
	max: number,
	bins = HISTOGRAM_BINS
): string {
	const q = quoteIdent(column);
	const width = max > min ? (max - min) / bins : 1;
	return `SELECT least(floor((${q}::DOUBLE - ${min}) / ${width}), ${bins - 1})::INTEGER AS bin, count(*)::DOUBLE AS n
FROM ${quoteIdent(table)} WHERE ${q} IS NOT NULL AND isfinite(${q}::DOUBLE) GROUP BY ALL ORDER BY bin`;
}

export function topValuesSql(table: string, column: string, limit = TOP_VALUES): string {
	const q = quoteIdent(column);
	return `SELECT ${q}::VARCHAR AS v, count(*)::DOUBLE AS n FROM ${quoteIdent(table)}
WHERE ${q} IS NOT NULL GROUP BY ALL ORDER BY n DESC, v LIMIT ${limit}`;
}

export function histogramBins(
	rows: { bin: number; n: number }[],
	min: number,
	max: number,
	bins = HISTOGRAM_BINS
): ColumnProfile['histogram'] {
	const width = max > min ? (max - min) / bins : 1;
	const counts = new Array<number>(max > min ? bins : 1).fill(0);
	for (const r of rows) counts[Math.min(Math.max(r.bin, 0), counts.length - 1)] += r.n;
	return counts.map((count, i) => ({ x0: min + i * width, x1: min + (i + 1) * width, count }));
}
