import type { Engine } from './engine';
import { columnKind } from './profile-sql';
import { quoteIdent } from './sql-ident';
import { copyDoubles, copyText } from './float-column';
import type { Frame, ColumnData } from '$lib/ml/types';
import type { ColumnInfo } from './types';

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
		const reads = cols.map(readForTraining);
		const select = reads.map((r) => r.sql).join(', ');
		// Streamed, one DuckDB chunk at a time, into arrays sized from the count (the stream stops at a cancel): a
		// whole-result query first builds the result as one Arrow IPC buffer in the wasm heap and parses it, 3.9 s of the
		// 4.8 s a 1M × 20 table took to become a training tensor; the stream of the same bytes takes a fraction of
		// that (docs/architecture.md, "Data into tensors"), and only one chunk is ever held twice.
		const out: (Float64Array | (string | null)[])[] = reads.map((r) =>
			r.numeric ? new Float64Array(rowCount) : new Array<string | null>(rowCount)
		);
		let base = 0;
		const reader = await engine.stream(`SELECT ${select} FROM ${quoteIdent(table)}`);
		for await (const batch of reader) {
			const n = Math.min(batch.numRows, rowCount - base);
			for (let i = 0; i < cols.length; i++) {
				const vector = batch.getChildAt(i);
				const into = out[i];
				if (into instanceof Float64Array) copyDoubles(vector, into, base, n);
				else copyText(vector, into, base, n);
			}
			base += n;
		}
		// The count and the read run back to back on this connection, so they agree; should a read ever come up
		// short, the arrays are trimmed rather than handing on NaN rows nobody wrote.
		const short = base < rowCount;
		const columns: ColumnData[] = cols.map((c, i) => {
			const values = out[i];
			return values instanceof Float64Array
				? { name: c.name, kind: 'numeric', values: short ? values.slice(0, base) : values }
				: { name: c.name, kind: 'categorical', values: short ? values.slice(0, base) : values };
		});
		return { columns, rowCount: base };
	});
}

/** How a column is read for training: numbers, booleans and times as DOUBLE (copied in bulk), the rest as text. */
function readForTraining(c: ColumnInfo): { sql: string; numeric: boolean } {
	const q = quoteIdent(c.name);
	const kind = columnKind(c.type);
	if (kind === 'numeric') return { sql: `${q}::DOUBLE AS ${q}`, numeric: true };
	if (c.type.toUpperCase() === 'BOOLEAN') return { sql: `${q}::INTEGER::DOUBLE AS ${q}`, numeric: true };
	if (kind === 'temporal') return { sql: `epoch_ms(${q}::TIMESTAMP)::DOUBLE AS ${q}`, numeric: true };
	return { sql: `${q}::VARCHAR AS ${q}`, numeric: false };
}

function missing(name: string, table: string, have: string[]): never {
	const e = new Error(`Column "${name}" is not in ${table} (it has ${have.join(', ')}).`);
	e.name = 'UnknownColumn';
	throw e;
}
