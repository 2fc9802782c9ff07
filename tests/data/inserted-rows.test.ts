import { describe, expect, it } from 'vitest';
import { insertedRows } from '../../src/lib/data/run-sql';
import { openDuckDB } from '../helpers/duckdb-node';

/** A SQL cell's row count comes from DuckDB's own answer to CREATE TABLE … AS, checked on the real engine. */
describe('the rows a CREATE TABLE … AS wrote', () => {
	it('are what count(*) says afterwards, empty tables included; any other answer is not read as a count', async () => {
		const { conn } = await openDuckDB();
		for (const n of [0, 1, 12_345]) {
			const answer = conn.query(`CREATE OR REPLACE TABLE t AS SELECT range AS x FROM range(${n})`);
			const counted = Number(conn.query('SELECT count(*)::DOUBLE AS n FROM t').get(0)!.n);
			expect(insertedRows(answer)).toBe(counted);
		}
		expect(insertedRows(conn.query('SELECT 5 AS Count'))).toBe(5);
		expect(insertedRows(conn.query('SELECT 5 AS n'))).toBeNull();
		expect(insertedRows(conn.query('SELECT * FROM range(2) t(Count)'))).toBeNull();
		expect(insertedRows(conn.query("SELECT 'x' AS Count"))).toBeNull();
	});
});
