import type { Engine } from './engine';
import { columnKind } from './profile-sql';
import { quoteIdent } from './sql-ident';
import { float64Column } from './float-column';
import type { Frame, ColumnData } from '$lib/ml/types';

/** Rows past this are refused for training in the browser: a clear limit beats a tab out of memory. */
export const MAX_FRAME_ROWS = 5_000_000;

/**
 * Columns of a table, column-major, for training: numbers (and booleans, times) as Float64Array with NaN for
 * missing (transferable, no copies on the way to the train worker), everything else as text. Built from Arrow
 * vectors inside the worker; rows never cross as JSON.
 */
export async function tableFrame(engine: Engine, table: string, wanted: string[] | null): Promise<Frame> {
	return engine.exclusive(async (conn) => {
		const all = await engine.columns(conn, table);
		const cols = wanted
			? wanted.map(
					(w) =>
						all.find((c) => c.name === w) ??
						missing(
							w,
							table,
							all.map((c) => c.name)
						)
				)
			: all;
		const rowCount = await engine.rowCount(conn, table);
		if (rowCount > MAX_FRAME_ROWS) {
			const e = new Error(
				`${table} has ${rowCount.toLocaleString('en-US')} rows; training in the browser takes at most ${MAX_FRAME_ROWS.toLocaleString('en-US')}. Sample it with SQL first (USING SAMPLE).`
			);
			e.name = 'TooManyRows';
			throw e;
		}
		const select = cols
			.map((c) => {
				const q = quoteIdent(c.name);
				const kind = columnKind(c.type);
				if (kind === 'numeric') return `${q}::DOUBLE AS ${q}`;
				if (c.type.toUpperCase() === 'BOOLEAN') return `${q}::INTEGER::DOUBLE AS ${q}`;
				if (kind === 'temporal') return `epoch_ms(${q}::TIMESTAMP)::DOUBLE AS ${q}`;
				return `${q}::VARCHAR AS ${q}`;
			})
			.join(', ');
		const result = await conn.query(`SELECT ${select} FROM ${quoteIdent(table)}`);
		const columns: ColumnData[] = cols.map((c, i) => {
			const vector = result.getChildAt(i);
			const numeric =
				columnKind(c.type) === 'numeric' ||
				columnKind(c.type) === 'temporal' ||
				c.type.toUpperCase() === 'BOOLEAN';
			// Every numeric column was cast to DOUBLE above, so it can be copied in bulk.
			if (numeric) return { name: c.name, kind: 'numeric', values: float64Column(vector, result.numRows) };
			const out: (string | null)[] = new Array(result.numRows);
			for (let r = 0; r < result.numRows; r++) {
				const v = vector?.get(r);
				out[r] = v === null || v === undefined ? null : String(v);
			}
			return { name: c.name, kind: 'categorical', values: out };
		});
		return { columns, rowCount: result.numRows };
	});
}

function missing(name: string, table: string, have: string[]): never {
	const e = new Error(`Column "${name}" is not in ${table} (it has ${have.join(', ')}).`);
	e.name = 'UnknownColumn';
	throw e;
}
