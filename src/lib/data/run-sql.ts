import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import { splitStatements, isQuery, ctasBody, locateError, friendlyDuckDBError } from './sql-text';
import { Engine } from './engine';
import { toRows } from './rows';
import { quoteIdent } from './sql-ident';
import type { DataError, QueryOutcome, Result } from './types';

const PREVIEW_ROWS = 100;
/** The wrapper puts the user's statement on its own line, so DuckDB's line numbers shift by exactly this. */
const WRAP_LINES = 1;

/**
 * Run a SQL cell: every statement in order; the last one, if it returns rows, is materialised as `resultTable`
 * so that later cells can query it and the grid can page through it without holding it in memory.
 */
export async function runSql(
	engine: Engine,
	opts: { sql: string; resultTable: string }
): Promise<Result<QueryOutcome>> {
	const statements = splitStatements(opts.sql);
	if (statements.length === 0) {
		return { ok: false, error: { name: 'EmptyQuery', message: 'The cell has no SQL statement to run.' } };
	}
	return engine.exclusive(async (conn) => {
		const started = performance.now();
		for (let i = 0; i < statements.length; i++) {
			const stmt = statements[i];
			const last = i === statements.length - 1;
			try {
				if (!last) {
					await engine.run(conn, stmt.text);
					continue;
				}
				return { ok: true as const, ...(await runLast(engine, conn, stmt.text, opts.resultTable, started)) };
			} catch (e) {
				return { ok: false as const, error: toDataError(e, opts.sql, stmt, last && isQuery(stmt.text)) };
			}
		}
		throw new Error('unreachable: the last statement returns');
	});
}

async function runLast(
	engine: Engine,
	conn: AsyncDuckDBConnection,
	text: string,
	resultTable: string,
	started: number
): Promise<QueryOutcome> {
	const target = quoteIdent(resultTable);
	// SUMMARIZE, DESCRIBE and SHOW are not valid in CREATE TABLE AS, but are as a subquery in FROM.
	const body = ctasBody(text);
	if (body !== null) {
		await engine.run(conn, `CREATE OR REPLACE TABLE ${target} AS\n${body}`);
		const [columns, rowCount, preview] = await Promise.all([
			engine.columns(conn, resultTable),
			engine.rowCount(conn, resultTable),
			conn.query(`SELECT * FROM ${target} LIMIT ${PREVIEW_ROWS}`)
		]);
		return {
			table: resultTable,
			columns,
			rowCount,
			elapsedMs: performance.now() - started,
			preview: toRows(preview),
			browsable: true
		};
	}
	// DDL and DML: show what DuckDB answers (e.g. the number of rows changed).
	const result = await engine.run(conn, text);
	return {
		table: null,
		columns: result.schema.fields.map((f) => ({ name: f.name, type: String(f.type) })),
		rowCount: result.numRows,
		elapsedMs: performance.now() - started,
		preview: toRows(result.slice(0, PREVIEW_ROWS)),
		browsable: false
	};
}

function toDataError(
	e: unknown,
	sql: string,
	stmt: { text: string; start: number },
	wrapped: boolean
): DataError {
	const raw = e instanceof Error ? e.message : String(e);
	if (e instanceof Error && e.name === 'Cancelled') return { name: 'Cancelled', message: raw };
	const { name, message } = friendlyDuckDBError(raw);
	const sent = wrapped ? `CREATE OR REPLACE TABLE x AS\n${stmt.text}` : stmt.text;
	const at = locateError(raw, sent);
	if (!at) return { name, message };
	const line = at.line - (wrapped ? WRAP_LINES : 0);
	if (line < 1) return { name, message };
	// Map from the statement's own coordinates to the cell's.
	const before = sql.slice(0, stmt.start);
	const startLine = before.split('\n').length;
	const startCol = stmt.start - (before.lastIndexOf('\n') + 1);
	return {
		name,
		message,
		line: startLine + line - 1,
		column: line === 1 ? startCol + at.column : at.column
	};
}
