import { beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/duckdb-wasm/blocking';
import { readFileSync } from 'node:fs';
import { arrowToIpcStream, jsonToArrow } from '../../src/lib/data/json-arrow';
import { ctasBody, isQuery, locateError } from '../../src/lib/data/sql-text';
import { tableNameFromFile } from '../../src/lib/data/file-kind';
import { errorOf, openDuckDB } from '../helpers/duckdb-node';
import { ERROR_FIXTURES, FIXTURE_SETUP } from './fixtures/duckdb-errors';
import { STATEMENT_FIXTURES } from './fixtures/statements';

// The fixtures elsewhere are frozen strings; this file proves they are still what the engine says.
let conn: DuckDBConnection;
beforeAll(async () => {
	conn = (await openDuckDB()).conn;
	conn.query(FIXTURE_SETUP);
}, 30_000);

describe('live DuckDB error messages', () => {
	it.each(ERROR_FIXTURES)('$name: message unchanged and located', ({ sql, message, at }) => {
		const live = errorOf(conn, sql);
		expect(live).toBe(message);
		const found = locateError(live!, sql);
		expect(found && { line: found.line, column: found.column }).toEqual(at);
	});
});

describe('live DuckDB agrees with isQuery and ctasBody', () => {
	const ctas = (body: string) => errorOf(conn, `CREATE OR REPLACE TEMP TABLE probe AS\n${body}`);
	it.each(STATEMENT_FIXTURES)('$sql', ({ sql, query }) => {
		expect(isQuery(sql)).toBe(query);
		if (query) expect(ctas(sql)).toBeNull();
		else expect(ctas(sql)).toMatch(/^Parser Error/);
		const body = ctasBody(sql);
		if (body !== null) expect(ctas(body)).toBeNull();
		else expect(ctas(`FROM (${sql})`)).toMatch(/^Parser Error/);
	});
});

describe('live DuckDB takes our Arrow', () => {
	const rows = (sql: string) =>
		conn
			.query(sql)
			.toArray()
			.map((r) => r.toJSON());

	it('penguins.json as an IPC stream: rows, types and nulls as expected', () => {
		const text = readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8');
		conn.insertArrowFromIPCStream(arrowToIpcStream(jsonToArrow(text)), {
			name: 'penguins_json',
			create: true
		});
		expect(rows('SELECT count(*)::INTEGER AS n FROM penguins_json')).toEqual([{ n: 344 }]);
		const types = rows('DESCRIBE penguins_json').map((r) => `${r.column_name} ${r.column_type}`);
		expect(types).toEqual([
			'Species VARCHAR',
			'Island VARCHAR',
			'Beak Length (mm) DOUBLE',
			'Beak Depth (mm) DOUBLE',
			'Flipper Length (mm) INTEGER',
			'Body Mass (g) INTEGER',
			'Sex VARCHAR'
		]);
		expect(rows('SELECT count(*)::INTEGER AS n FROM penguins_json WHERE "Body Mass (g)" IS NULL')).toEqual([
			{ n: 2 }
		]);
	});

	it('renamed keys load without a duplicate-column error', () => {
		const table = jsonToArrow('[{"id":1,"ID":2,"":3,"n":null}]');
		conn.insertArrowFromIPCStream(arrowToIpcStream(table), { name: 'odd_keys', create: true });
		expect(rows('SELECT * FROM odd_keys')).toEqual([{ id: 1, ID_2: 2, column: 3, n: null }]);
	});

	it.each(['select.csv', 'left.csv', '2024 sales.csv', 'values.csv', 'My Data (2).csv'])(
		'table name for %s works unquoted',
		(file) => {
			const name = tableNameFromFile(file, []);
			expect(
				errorOf(conn, `CREATE OR REPLACE TABLE ${name} AS SELECT 1 AS a; SELECT a FROM ${name}`)
			).toBeNull();
		}
	);
});
