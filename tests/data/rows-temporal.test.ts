import { beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/duckdb-wasm/blocking';
import { TimeUnit } from 'apache-arrow';
import { toRows } from '$lib/data/rows';
import { timeText, timestampText } from '$lib/data/temporal-text';
import { openDuckDB } from '../helpers/duckdb-node';

// The real engine's Arrow output, so the types and units are the ones the grid receives.
let conn: DuckDBConnection;
beforeAll(async () => {
	conn = (await openDuckDB()).conn;
}, 30_000);

const one = (sql: string) => toRows(conn.query(sql))[0];

describe('dates and times read as ISO-like text in the grid, never as numbers', () => {
	it.each([
		{ sql: "TIMESTAMP '2024-01-05 10:30:00'", text: '2024-01-05 10:30:00' },
		{ sql: "TIMESTAMP '2024-01-05 10:30:00.123456'", text: '2024-01-05 10:30:00.123' },
		{ sql: "TIMESTAMP '1969-12-31 23:59:59.5'", text: '1969-12-31 23:59:59.500' },
		{ sql: "'2024-01-05 10:30:00'::TIMESTAMP_S", text: '2024-01-05 10:30:00' },
		{ sql: "'2024-01-05 10:30:00.25'::TIMESTAMP_MS", text: '2024-01-05 10:30:00.250' },
		{ sql: "'2024-01-05 10:30:00'::TIMESTAMP_NS", text: '2024-01-05 10:30:00' },
		{ sql: "DATE '2024-02-29'", text: '2024-02-29' },
		{ sql: "TIME '10:30:05'", text: '10:30:05' },
		{ sql: "TIME '23:59:59.25'", text: '23:59:59.25' },
		{ sql: "'infinity'::TIMESTAMP", text: 'infinity' },
		{ sql: "'-infinity'::TIMESTAMP", text: '-infinity' }
	])('$sql → $text', ({ sql, text }) => {
		expect(one(`SELECT ${sql} AS v`)).toEqual([text]);
	});

	it('a zoned timestamp is shown in UTC and says so', () => {
		expect(one("SELECT TIMESTAMPTZ '2024-01-05 10:30:00+02' AS v")).toEqual(['2024-01-05 08:30:00+00']);
	});
});

describe('the formatters on their own', () => {
	it('keeps every digit of a nanosecond time', () => {
		expect(timeText(3_723_000_000_001n, TimeUnit.NANOSECOND)).toBe('01:02:03.000000001');
	});
	it('never throws on an out-of-range instant', () => {
		expect(timestampText(-9.3e15, null)).toBe('-infinity');
		expect(timestampText(9.3e15, null)).toBe('infinity');
	});
});
