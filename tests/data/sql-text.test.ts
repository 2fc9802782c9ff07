import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	ctasBody,
	isQuery,
	isRowReturning,
	referencedNames,
	splitStatements,
	tokenize
} from '../../src/lib/data/sql-text';
import { STATEMENT_FIXTURES } from './fixtures/statements';

describe('splitStatements', () => {
	const cases: { name: string; sql: string; texts: string[] }[] = [
		{ name: 'one statement without a semicolon', sql: 'SELECT 1', texts: ['SELECT 1'] },
		{ name: 'two statements', sql: 'SELECT 1; SELECT 2;', texts: ['SELECT 1', 'SELECT 2'] },
		{ name: 'empty statements dropped', sql: ';; SELECT 1 ;;\n;', texts: ['SELECT 1'] },
		{ name: 'comment-only statements dropped', sql: 'SELECT 1; -- the end\n/* bye */', texts: ['SELECT 1'] },
		{ name: 'trailing comment dropped', sql: 'SELECT 1 -- one\n', texts: ['SELECT 1'] },
		{ name: 'leading comment dropped', sql: '-- note\nSELECT 1', texts: ['SELECT 1'] },
		{ name: 'inner comment kept', sql: 'SELECT /* a; b */ 1', texts: ['SELECT /* a; b */ 1'] },
		{
			name: 'semicolon in a string',
			sql: "SELECT ';' AS s; SELECT 2",
			texts: ["SELECT ';' AS s", 'SELECT 2']
		},
		{
			name: 'doubled quote in a string',
			sql: "SELECT 'it''s;'; SELECT 2",
			texts: ["SELECT 'it''s;'", 'SELECT 2']
		},
		{
			name: 'E-string with backslash escape',
			sql: "SELECT E'a\\';b'; SELECT 2",
			texts: ["SELECT E'a\\';b'", 'SELECT 2']
		},
		{
			name: 'semicolon in a quoted identifier',
			sql: 'SELECT 1 AS "a;""b"; SELECT 2',
			texts: ['SELECT 1 AS "a;""b"', 'SELECT 2']
		},
		{ name: 'dollar quoting', sql: 'SELECT $$a;b$$; SELECT 2', texts: ['SELECT $$a;b$$', 'SELECT 2'] },
		{
			name: 'tagged dollar quoting',
			sql: 'SELECT $x$ $$;$$ $x$; SELECT 2',
			texts: ['SELECT $x$ $$;$$ $x$', 'SELECT 2']
		},
		{
			name: 'nested block comment',
			sql: 'SELECT /* /* ; */ ; */ 1; SELECT 2',
			texts: ['SELECT /* /* ; */ ; */ 1', 'SELECT 2']
		},
		{
			name: 'semicolon in a line comment',
			sql: 'SELECT 1 -- a;b\n, 2; SELECT 3',
			texts: ['SELECT 1 -- a;b\n, 2', 'SELECT 3']
		},
		{
			name: 'unterminated string runs to the end',
			sql: "SELECT 1; SELECT 'a;b",
			texts: ['SELECT 1', "SELECT 'a;b"]
		},
		{
			name: 'positional parameter is not a dollar quote',
			sql: 'SELECT $1; SELECT $2',
			texts: ['SELECT $1', 'SELECT $2']
		},
		{ name: 'only whitespace', sql: ' \n\t ', texts: [] }
	];
	it.each(cases)('$name', ({ sql, texts }) => {
		expect(splitStatements(sql).map((s) => s.text)).toEqual(texts);
	});

	it('gives offsets and lines into the original text', () => {
		const sql = '-- setup\nCREATE TABLE a AS SELECT 1;\n\n  SELECT *\n  FROM a;  -- done';
		const statements = splitStatements(sql);
		expect(statements.map((s) => [s.start, s.line])).toEqual([
			[9, 2],
			[40, 4]
		]);
		for (const s of statements) expect(sql.slice(s.start, s.end)).toBe(s.text);
	});

	it('never loses code: every non-comment token lands in exactly one statement', () => {
		const piece = fc.constantFrom(
			'SELECT',
			' ',
			';',
			"'a;b'",
			'"x;"',
			'-- c\n',
			'/* ; */',
			'$$;$$',
			'1',
			'\n',
			't'
		);
		fc.assert(
			fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
				const sql = pieces.join('');
				const code = tokenize(sql).filter((t) => t.kind !== 'comment' && t.kind !== 'semicolon');
				const statements = splitStatements(sql);
				for (const t of code) {
					expect(statements.filter((s) => s.start <= t.start && t.end <= s.end)).toHaveLength(1);
				}
			})
		);
	});
});

describe('referencedNames', () => {
	const cases: { name: string; sql: string; names: string[] }[] = [
		{
			name: 'unquoted names fold to lower case',
			sql: 'SELECT * FROM Penguins',
			names: ['select', 'from', 'penguins']
		},
		{
			name: 'quoted names keep their spelling',
			sql: 'SELECT * FROM "My Table"',
			names: ['select', 'from', 'My Table']
		},
		{ name: 'escaped quote in a quoted name', sql: 'FROM "a""b"', names: ['from', 'a"b'] },
		{
			name: 'qualified parts separately',
			sql: 'FROM main.penguins p',
			names: ['from', 'main', 'penguins', 'p']
		},
		{ name: 'distinct, first-seen order', sql: 'FROM b, a, B, a', names: ['from', 'b', 'a'] },
		{ name: 'nothing from strings', sql: "SELECT 'penguins'", names: ['select'] },
		{ name: 'nothing from E-strings', sql: "SELECT E'x\\' penguins'", names: ['select'] },
		{ name: 'nothing from dollar strings', sql: 'SELECT $t$ penguins $t$', names: ['select'] },
		{
			name: 'nothing from comments',
			sql: 'SELECT 1 -- from penguins\n/* cars /* nested */ cars */',
			names: ['select']
		},
		{ name: 'nothing from parameters or numbers', sql: 'SELECT $name, ?, 1e5, 0x1f', names: ['select'] },
		{ name: 'non-ASCII identifiers', sql: 'FROM données', names: ['from', 'données'] },
		{ name: 'identifier with a dollar inside', sql: 'FROM a$b', names: ['from', 'a$b'] }
	];
	it.each(cases)('$name', ({ sql, names }) => {
		expect(referencedNames(sql)).toEqual(names);
	});
});

describe('isQuery / isRowReturning / ctasBody', () => {
	const cases = [
		...STATEMENT_FIXTURES,
		{ sql: '', query: false, rows: false, ctas: null },
		{ sql: '-- only a comment', query: false, rows: false, ctas: null },
		{ sql: "'select'", query: false, rows: false, ctas: null }
	];
	it.each(cases)('$sql → query $query, rows $rows, ctas $ctas', ({ sql, query, rows, ctas }) => {
		expect(isQuery(sql)).toBe(query);
		expect(isRowReturning(sql)).toBe(rows);
		const body = ctasBody(sql);
		expect(body === null ? null : body === sql ? 'direct' : 'subquery').toBe(ctas);
	});
});
