import { splitStatements } from '../../src/lib/data/sql-text';
import { openDuckDB } from './duckdb-node';

interface NotebookJson {
	cells: { cell_type: string; source: string[] | string }[];
}

/**
 * Run an exported notebook's `%%sql` cells top to bottom as JupySQL would on `%sql duckdb://`: each cell's
 * `;`-separated statements in order on one in-memory DuckDB, the last one's rows being the cell's result.
 * The files exported beside the notebook are registered under their relative paths, as a kernel started in
 * the notebook's folder would find them. Python's DuckDB is not in Debian, so the engine is DuckDB-WASM.
 */
export async function runIpynbSql(
	nb: NotebookJson,
	files: Record<string, Uint8Array> = {}
): Promise<Record<string, unknown>[][]> {
	const { db, conn } = await openDuckDB();
	try {
		for (const [path, bytes] of Object.entries(files)) db.registerFileBuffer(path, bytes);
		const results: Record<string, unknown>[][] = [];
		for (const cell of nb.cells) {
			const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
			if (cell.cell_type !== 'code' || !source.startsWith('%%sql\n')) continue;
			let rows: Record<string, unknown>[] = [];
			for (const statement of splitStatements(source.slice('%%sql\n'.length))) {
				rows = conn
					.query(statement.text)
					.toArray()
					.map((r) => ({ ...r.toJSON() }));
			}
			results.push(rows);
		}
		return results;
	} finally {
		conn.close();
		db.reset();
	}
}
