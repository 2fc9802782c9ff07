/**
 * A small lexer for DuckDB SQL text: enough to split statements, find names and locate errors without
 * loading DuckDB. It never fails: unterminated strings and comments run to the end of the text, as
 * DuckDB's own scanner would report them there.
 *
 * Checked against DuckDB 1.4.3 (duckdb-wasm 1.32): block comments nest (`/* /* *\/ *\/` is one comment),
 * E'…' strings take backslash escapes, '…' strings only the doubled quote, and dollar quotes are `$$…$$`
 * or `$tag$…$tag$` while `$1` / `$name` are parameters.
 */

export type TokenKind =
	| 'word' // unquoted identifier or keyword
	| 'quoted' // "quoted identifier"
	| 'string' // '…', E'…', X'…', $$…$$
	| 'number'
	| 'param' // $1, $name, ?
	| 'comment'
	| 'semicolon'
	| 'op'; // any other punctuation, one character at a time

export interface Token {
	kind: TokenKind;
	/** Offsets into the original text, end exclusive. */
	start: number;
	end: number;
}

const isDigit = (c: string) => c >= '0' && c <= '9';
// Non-ASCII letters are identifier characters in DuckDB (its scanner takes bytes \200-\377), and so is `$`
// after the first character, as in PostgreSQL.
const isIdentStart = (c: string) => /[A-Za-z_]/.test(c) || c > '\x7f';
const isIdentPart = (c: string) => isIdentStart(c) || isDigit(c) || c === '$';

/** End of a quoted run starting at `i` (on the opening quote); a doubled quote is an escaped one. */
function quotedEnd(sql: string, i: number, quote: string, backslash: boolean): number {
	let j = i + 1;
	while (j < sql.length) {
		const c = sql[j];
		if (backslash && c === '\\') j += 2;
		else if (c === quote) {
			if (sql[j + 1] === quote) j += 2;
			else return j + 1;
		} else j++;
	}
	return sql.length;
}

function blockCommentEnd(sql: string, i: number): number {
	let depth = 0;
	let j = i;
	while (j < sql.length) {
		if (sql.startsWith('/*', j)) {
			depth++;
			j += 2;
		} else if (sql.startsWith('*/', j)) {
			depth--;
			j += 2;
			if (depth === 0) return j;
		} else j++;
	}
	return sql.length;
}

const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;

export function tokenize(sql: string): Token[] {
	const tokens: Token[] = [];
	let i = 0;
	const push = (kind: TokenKind, end: number) => {
		tokens.push({ kind, start: i, end });
		i = end;
	};
	while (i < sql.length) {
		const c = sql[i];
		const next = sql[i + 1] ?? '';
		if (/\s/.test(c)) i++;
		else if (c === '-' && next === '-') {
			const nl = sql.indexOf('\n', i);
			push('comment', nl === -1 ? sql.length : nl);
		} else if (c === '/' && next === '*') push('comment', blockCommentEnd(sql, i));
		else if (c === "'") push('string', quotedEnd(sql, i, "'", false));
		else if (c === '"') push('quoted', quotedEnd(sql, i, '"', false));
		else if (/[EeXxBbNn]/.test(c) && next === "'" && !isIdentPart(sql[i - 1] ?? ' ')) {
			push('string', quotedEnd(sql, i + 1, "'", c === 'E' || c === 'e'));
		} else if (c === '$') {
			DOLLAR_TAG.lastIndex = i;
			const tag = DOLLAR_TAG.exec(sql);
			if (tag) {
				const close = sql.indexOf(tag[0], i + tag[0].length);
				push('string', close === -1 ? sql.length : close + tag[0].length);
			} else {
				let j = i + 1;
				while (j < sql.length && isIdentPart(sql[j]) && sql[j] !== '$') j++;
				push(j > i + 1 ? 'param' : 'op', j);
			}
		} else if (c === '?') push('param', i + 1);
		else if (isDigit(c) || (c === '.' && isDigit(next))) {
			const m = /(?:0[xX][0-9A-Fa-f_]+|[0-9_]*\.?[0-9_]+(?:[eE][+-]?[0-9]+)?)/y;
			m.lastIndex = i;
			m.exec(sql);
			push('number', Math.max(m.lastIndex, i + 1));
		} else if (isIdentStart(c)) {
			let j = i + 1;
			while (j < sql.length && isIdentPart(sql[j])) j++;
			push('word', j);
		} else push(c === ';' ? 'semicolon' : 'op', i + 1);
	}
	return tokens;
}

/** The identifier a word or quoted token names: unquoted folds to lower case, quoted keeps its spelling. */
export function identifierOf(sql: string, token: Token): string {
	const text = sql.slice(token.start, token.end);
	if (token.kind === 'word') return text.toLowerCase();
	const closed = text.length > 1 && text.endsWith('"');
	return text.slice(1, closed ? -1 : undefined).replaceAll('""', '"');
}
