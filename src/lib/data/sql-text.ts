import { identifierOf, tokenize, type Token } from './sql-lexer';

/**
 * Text-level facts about DuckDB SQL that the notebook needs before (or instead of) asking DuckDB:
 * where statements are, which names a cell reads, whether its last statement can become a table.
 */

export { tokenize, type Token, type TokenKind } from './sql-lexer';
export { friendlyDuckDBError, locateError, positionAt, type SqlPosition } from './duckdb-error';

export interface SqlStatement {
	text: string;
	/** Offset of `text` in the original SQL, and its 1-based line there. */
	start: number;
	end: number;
	line: number;
}

const lineAt = (sql: string, offset: number) => {
	let line = 1;
	for (let i = sql.indexOf('\n'); i !== -1 && i < offset; i = sql.indexOf('\n', i + 1)) line++;
	return line;
};

/**
 * The `;`-separated statements that contain code. Each runs from its first to its last token that is not a
 * comment: a trailing `-- note` would otherwise swallow anything a caller appends, and a statement of
 * comments only is not one DuckDB would run.
 */
export function splitStatements(sql: string): SqlStatement[] {
	const statements: SqlStatement[] = [];
	let first: Token | null = null;
	let last: Token | null = null;
	const flush = () => {
		if (first && last) {
			const text = sql.slice(first.start, last.end);
			statements.push({ text, start: first.start, end: last.end, line: lineAt(sql, first.start) });
		}
		first = last = null;
	};
	for (const token of tokenize(sql)) {
		if (token.kind === 'semicolon') flush();
		else if (token.kind !== 'comment') {
			first ??= token;
			last = token;
		}
	}
	flush();
	return statements;
}

/**
 * Every distinct identifier outside strings and comments, first-seen order. Keywords come along; the caller
 * intersects with the names it knows. `a.b` gives `a` and `b`, so schema- or alias-qualified references count.
 */
export function referencedNames(sql: string): string[] {
	const names = new Set<string>();
	for (const token of tokenize(sql)) {
		if (token.kind === 'word' || token.kind === 'quoted') names.add(identifierOf(sql, token));
	}
	return [...names];
}

/** Statements that DuckDB accepts after `CREATE TABLE x AS` (checked against DuckDB 1.4.3). */
const WRAPPABLE = new Set(['select', 'with', 'from', 'values', 'table', 'pivot', 'unpivot']);
/** Return rows but are rejected by the parser inside CTAS. */
const ROWS_ONLY = new Set(['summarize', 'describe', 'show', 'explain', 'call']);
/** A CTE may lead into a data-changing statement, which yields no rows. */
const DML = new Set(['insert', 'update', 'delete', 'merge']);

function leadingWord(sql: string, tokens: Token[]): { word: string; index: number } | null {
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i];
		if (t.kind === 'comment' || (t.kind === 'op' && sql[t.start] === '(')) continue;
		return t.kind === 'word' ? { word: identifierOf(sql, t), index: i } : null;
	}
	return null;
}

/** Whether a WITH … statement ends in a query: no DML keyword at the outermost level. */
function withEndsInQuery(sql: string, tokens: Token[], from: number): boolean {
	let depth = 0;
	for (let i = from; i < tokens.length; i++) {
		const t = tokens[i];
		if (t.kind === 'semicolon') break;
		if (t.kind === 'op' && sql[t.start] === '(') depth++;
		else if (t.kind === 'op' && sql[t.start] === ')') depth--;
		else if (depth <= 0 && t.kind === 'word' && DML.has(identifierOf(sql, t))) return false;
	}
	return true;
}

/** True when the statement yields rows and can be wrapped as `CREATE OR REPLACE TABLE x AS <statement>`. */
export function isQuery(statement: string): boolean {
	const tokens = tokenize(statement);
	const lead = leadingWord(statement, tokens);
	if (!lead || !WRAPPABLE.has(lead.word)) return false;
	return lead.word !== 'with' || withEndsInQuery(statement, tokens, lead.index + 1);
}

/** True when the statement yields rows, including SUMMARIZE / DESCRIBE / SHOW / EXPLAIN / CALL. */
export function isRowReturning(statement: string): boolean {
	if (isQuery(statement)) return true;
	const lead = leadingWord(statement, tokenize(statement));
	return lead !== null && ROWS_ONLY.has(lead.word);
}

/** Refused after `CREATE TABLE x AS`, accepted as `FROM (<statement>)` there; EXPLAIN and CALL are in neither. */
const SUBQUERY_ONLY = new Set(['summarize', 'describe', 'show']);

/**
 * The text to put after `CREATE OR REPLACE TABLE x AS` so the table holds the statement's rows: the statement
 * itself for a query, `FROM (<statement>)` for SUMMARIZE / DESCRIBE / SHOW, null when DuckDB 1.4.3 accepts
 * neither (EXPLAIN, CALL, DDL, DML). Positions in an error from the subquery form are shifted by `FROM (`.
 */
export function ctasBody(statement: string): string | null {
	if (isQuery(statement)) return statement;
	const lead = leadingWord(statement, tokenize(statement));
	return lead && SUBQUERY_ONLY.has(lead.word) ? `FROM (${statement})` : null;
}
