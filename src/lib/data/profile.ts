import type { Engine } from './engine';
import {
	aggregateSql,
	columnKind,
	histogramBins,
	histogramSql,
	QUANTILES,
	topValuesSql
} from './profile-sql';
import type { ColumnProfile, TableProfile } from './types';

/** Profile every column of a table inside DuckDB; only the small summaries leave it. */
export async function profileTable(engine: Engine, table: string): Promise<TableProfile> {
	return engine.exclusive(async (conn) => {
		const started = performance.now();
		const columns = await engine.columns(conn, table);
		const agg = (await conn.query(aggregateSql(table, columns))).get(0);
		if (!agg) throw new Error(`Table ${table} returned no profile row.`);
		const rowCount = Number(agg.rows);
		const profiles: ColumnProfile[] = [];
		for (const [i, c] of columns.entries()) {
			const kind = columnKind(c.type);
			const count = Number(agg[`n${i}`]);
			const p: ColumnProfile = {
				name: c.name,
				type: c.type,
				kind,
				count,
				nulls: rowCount - count,
				distinct: Number(agg[`d${i}`]),
				min: scalar(agg[`min${i}`]),
				max: scalar(agg[`max${i}`]),
				mean: num(agg[`mean${i}`]),
				std: num(agg[`std${i}`]),
				quantiles: [],
				histogram: [],
				top: []
			};
			if (kind === 'numeric') {
				const qs = agg[`q${i}`]?.toArray?.() ?? [];
				p.quantiles = QUANTILES.map((q, j) => ({ q, value: num(qs[j]) }));
				if (typeof p.min === 'number' && typeof p.max === 'number') {
					const bins = await conn.query(histogramSql(table, c.name, p.min, p.max));
					const rows = bins.toArray().map((r) => ({ bin: Number(r.bin), n: Number(r.n) }));
					p.histogram = histogramBins(rows, p.min, p.max);
				}
			} else {
				const top = await conn.query(topValuesSql(table, c.name));
				p.top = top.toArray().map((r) => ({ value: String(r.v), count: Number(r.n) }));
			}
			profiles.push(p);
		}
		return { table, rowCount, columns: profiles, elapsedMs: performance.now() - started };
	});
}

function num(v: unknown): number | null {
	if (v === null || v === undefined) return null;
	const n = Number(v);
	return Number.isFinite(n) ? n : null;
}

function scalar(v: unknown): string | number | null {
	if (v === null || v === undefined) return null;
	if (typeof v === 'number') return Number.isFinite(v) ? v : null;
	return String(v);
}
