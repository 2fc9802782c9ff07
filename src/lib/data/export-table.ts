import type { Engine } from './engine';
import { toIpc } from './engine';
import { ipcToParquet } from './parquet';
import { quoteIdent, quoteString } from './sql-ident';

/** CSV comes from DuckDB's own COPY (built in); Parquet through parquet-wasm, since DuckDB's extension cannot load offline. */
export async function exportTable(
	engine: Engine,
	table: string,
	format: 'csv' | 'parquet'
): Promise<Uint8Array> {
	return engine.exclusive(async (conn) => {
		if (format === 'parquet') {
			const all = await conn.query(`SELECT * FROM ${quoteIdent(table)}`);
			return ipcToParquet(toIpc(all));
		}
		const path = `export_${table}_${Date.now()}.csv`;
		await conn.query(
			`COPY (SELECT * FROM ${quoteIdent(table)}) TO ${quoteString(path)} (HEADER, DELIMITER ',')`
		);
		try {
			return await engine.db.copyFileToBuffer(path);
		} finally {
			await engine.db.dropFile(path).catch(() => undefined);
		}
	});
}
