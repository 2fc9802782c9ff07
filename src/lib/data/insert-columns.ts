import { tableFromArrays, tableToIPC } from 'apache-arrow';
import type { Engine } from './engine';
import { quoteIdent } from './sql-ident';

/** A column computed outside DuckDB (predictions): numbers as Float64Array (NaN = missing) or text. */
export interface InsertColumn {
	name: string;
	values: Float64Array | string[];
}

/**
 * Replace `table` with these columns. They go in as one Arrow IPC stream (never JSON rows), so a predictions
 * table of any size is one copy into DuckDB.
 */
export async function insertColumns(engine: Engine, table: string, columns: InsertColumn[]): Promise<void> {
	const arrow = tableFromArrays(Object.fromEntries(columns.map((c) => [c.name, c.values])));
	const ipc = tableToIPC(arrow, 'stream');
	await engine.exclusive(async (conn) => {
		await conn.query(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
		await conn.insertArrowFromIPCStream(ipc, { name: table, create: true });
	});
}
