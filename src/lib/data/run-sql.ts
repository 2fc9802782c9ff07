import { splitStatements, ctasBody, locateError, friendlyDuckDBError, positionAt } from './sql-text';
import { Engine, type Conn } from './engine';
import { toRows } from './rows';
import { quoteIdent } from './sql-ident';
import type { DataError, QueryOutcome, Result } from './types';

/** Matches the grid page size, so the grid shows a fresh result without asking for its first page again. */
const PREVIEW_ROWS = 200;

/**
 * Run a SQL cell: every statement in order; the last one, if it returns rows, is materialised as `resultTable`
 * so that later cells can query it and the grid can page through it without holding it in memory.
 */
export async function runSql(
	engine: Engine,
	opts: { sql: string; resultTable: string; job: number }
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
			const body = last ? ctasBody(stmt.text) : null;
			// The user's statement follows this prefix verbatim, so an error offset maps straight back.
			const prefix = body === null ? '' : `CREATE OR REPLACE TABLE ${quoteIdent(opts.resultTable)} AS\n`;
			const sent = prefix + (body ?? stmt.text);
			const shift = prefix.length + (body === null ? 0 : body.indexOf(stmt.text));
			try {
				if (!last) {
					await engine.run(sent);
					continue;
				}
				return {
					ok: true as const,
					...(await finish(engine, conn, sent, body !== null, opts.resultTable, started))
				};
			} catch (e) {
				return { ok: false as const, error: toDataError(e, { sql: opts.sql, sent, stmt, shift }) };
			}
		}
		throw new Error('unreachable: the last statement returns');
	}, opts.job);
}

async function finish(
	engine: Engine,
	conn: Conn,
	sent: string,
	materialised: boolean,
	resultTable: string,
	started: number
): Promise<QueryOutcome> {
	const result = await engine.run(sent);
	if (materialised) {
		const target = quoteIdent(resultTable);
		// DuckDB answers CREATE TABLE … AS with the rows it wrote (one `Count`): no count(*) statement after it.
		const inserted = insertedRows(result);
		const [columns, rowCount, preview] = await Promise.all([
			engine.columns(conn, resultTable),
			inserted ?? engine.rowCount(conn, resultTable),
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
	return {
		table: null,
		columns: result.schema.fields.map((f) => ({ name: f.name, type: String(f.type) })),
		rowCount: result.numRows,
		elapsedMs: performance.now() - started,
		preview: toRows(result.slice(0, PREVIEW_ROWS)),
		browsable: false
	};
}

/** The row count a CREATE TABLE … AS answered, or null when the answer is not that shape. */
export function insertedRows(result: {
	numRows: number;
	schema: { fields: { name: string }[] };
	get(i: number): unknown;
}): number | null {
	if (result.numRows !== 1 || result.schema.fields.length !== 1 || result.schema.fields[0].name !== 'Count')
		return null;
	const n = Number((result.get(0) as { Count?: unknown } | null)?.Count);
	return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function toDataError(
	e: unknown,
	at: { sql: string; sent: string; stmt: { text: string; start: number }; shift: number }
): DataError {
	const raw = e instanceof Error ? e.message : String(e);
	if (e instanceof Error && e.name === 'Cancelled') return { name: 'Cancelled', message: raw };
	const { name, message } = friendlyDuckDBError(raw);
	const pos = locateError(raw, at.sent);
	const inStmt = pos ? pos.offset - at.shift : -1;
	if (!pos || inStmt < 0 || inStmt > at.stmt.text.length) return { name, message };
	const cellPos = positionAt(at.sql, at.stmt.start + inStmt);
	return { name, message, line: cellPos.line, column: cellPos.column };
}
