import { describe, expect, it } from 'vitest';
import { jupysqlSource, loadingSql } from '../../src/lib/notebook/ipynb-sql';

describe('jupysqlSource', () => {
	it.each([
		{
			what: 'an unnamed cell is left as written',
			name: '',
			source: 'SELECT 1 -- one',
			out: 'SELECT 1 -- one'
		},
		{
			what: 'a named query becomes a table and is shown',
			name: 'q1',
			source: 'SELECT 1 AS a',
			out: 'CREATE OR REPLACE TABLE "q1" AS\nSELECT 1 AS a;\nSELECT * FROM "q1";'
		},
		{
			what: 'earlier statements and leading comments stay; only the last query is wrapped',
			name: 'q2',
			source: 'SET threads = 1;\n-- the answer\nFROM q1;',
			out: 'SET threads = 1;\n-- the answer\nCREATE OR REPLACE TABLE "q2" AS\nFROM q1;\nSELECT * FROM "q2";'
		},
		{
			what: 'a trailing line comment cannot swallow the end of the wrapper',
			name: 'q3',
			source: 'SELECT 2 AS b; -- done; really',
			out: 'CREATE OR REPLACE TABLE "q3" AS\nSELECT 2 AS b -- done; really\n;\nSELECT * FROM "q3";'
		},
		{
			what: 'DESCRIBE is wrapped as Edgebook wraps it',
			name: 'd',
			source: 'DESCRIBE q1',
			out: 'CREATE OR REPLACE TABLE "d" AS\nFROM (DESCRIBE q1);\nSELECT * FROM "d";'
		},
		{
			what: 'a statement without rows is left as written',
			name: 'q4',
			source: 'CREATE TABLE t AS SELECT 1',
			out: 'CREATE TABLE t AS SELECT 1'
		}
	])('$what', ({ name, source, out }) => {
		expect(jupysqlSource({ name, source })).toBe(out);
	});
});

describe('loadingSql', () => {
	it('creates each dataset from its CSV beside the notebook, quoting names and paths', () => {
		expect(loadingSql([{ name: 'penguins', path: "data/it's.csv" }])).toBe(
			`CREATE OR REPLACE TABLE "penguins" AS\nSELECT * FROM read_csv('data/it''s.csv', header = true, sample_size = -1);`
		);
	});
});
