import type { Engine } from './engine';
import { columnKind } from './profile-sql';
import { quoteIdent } from './sql-ident';
import type { ChartData } from './types';

/** Charts draw at most this many points: beyond it a seeded reservoir sample keeps the picture and the page fast. */
export const CHART_MAX_ROWS = 50_000;

/**
 * Fetch the columns a chart needs, column-major. Numbers and times become Float64Arrays (times as epoch ms)
 * so they transfer without copying; everything else comes as strings.
 */
export async function chartData(engine: Engine, table: string, wanted: string[]): Promise<ChartData> {
	return engine.exclusive(async (conn) => {
		const all = await engine.columns(conn, table);
		const missing = wanted.filter((w) => !all.some((c) => c.name === w));
		if (missing.length) {
			const e = new Error(
				`Column ${missing.map((m) => `"${m}"`).join(', ')} is not in ${table} (it has ${all.map((c) => c.name).join(', ')}).`
			);
			e.name = 'UnknownColumn';
			throw e;
		}
		const cols = all.filter((c) => wanted.includes(c.name));
		const totalRows = await engine.rowCount(conn, table);
		const select = cols
			.map((c) => {
				const q = quoteIdent(c.name);
				const kind = columnKind(c.type);
				if (kind === 'numeric') return `${q}::DOUBLE AS ${q}`;
				if (kind === 'temporal') return `epoch_ms(${q}::TIMESTAMP)::DOUBLE AS ${q}`;
				return `${q}::VARCHAR AS ${q}`;
			})
			.join(', ');
		const sample =
			totalRows > CHART_MAX_ROWS ? ` USING SAMPLE reservoir(${CHART_MAX_ROWS} ROWS) REPEATABLE (42)` : '';
		const result = await conn.query(`SELECT ${select} FROM ${quoteIdent(table)}${sample}`);
		const columns: ChartData['columns'] = {};
		for (const c of cols) {
			const vector = result.getChild(c.name);
			const kind = columnKind(c.type);
			if (kind === 'numeric' || kind === 'temporal') {
				const out = new Float64Array(result.numRows);
				for (let i = 0; i < result.numRows; i++) {
					const v = vector?.get(i);
					out[i] = v === null || v === undefined ? NaN : Number(v);
				}
				columns[c.name] = out;
			} else {
				columns[c.name] = Array.from({ length: result.numRows }, (_, i) => {
					const v = vector?.get(i);
					return v === null || v === undefined ? null : String(v);
				});
			}
		}
		return {
			columns,
			rowCount: result.numRows,
			sampled: sample !== '',
			totalRows,
			temporal: cols.filter((c) => columnKind(c.type) === 'temporal').map((c) => c.name)
		};
	});
}
