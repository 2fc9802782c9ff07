import { beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/duckdb-wasm/blocking';
import type { Table } from 'apache-arrow';
import { buildChart } from '../../src/lib/data/chart-data';
import { CHART_MAX_ROWS, niceStep } from '../../src/lib/data/chart-sql';
import type { ChartData, ChartRequest } from '../../src/lib/data/types';
import { openDuckDB } from '../helpers/duckdb-node';

// The real engine: the totals a chart draws must be DuckDB's own SUM over every row, never a sample's.
let conn: DuckDBConnection;
beforeAll(async () => {
	conn = (await openDuckDB()).conn;
	conn.query(`CREATE TABLE t AS SELECT 'c' || (i % 7) AS cat, 'g' || (i % 3) AS grp,
		'k' || lpad((i % 229)::VARCHAR, 3, '0') AS many, i % 12 AS month, (i * 1000)::DOUBLE AS v,
		TIMESTAMP '2020-01-01' + to_minutes(i) AS at FROM range(60000) r(i)`);
}, 30_000);

function chart(req: Partial<ChartRequest>): Promise<ChartData> {
	const full: ChartRequest = { table: 't', mark: 'bar', x: '', y: '', color: '', facet: '', ...req };
	const all = conn
		.query('DESCRIBE t')
		.toArray()
		.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
	return buildChart(async (sql) => conn.query(sql) as unknown as Table, full, all);
}

const one = (sql: string) => Number(Object.values(conn.query(sql).get(0)!.toJSON())[0]);
const sum = (d: ChartData, role: 'y' = 'y') => (d.columns[role] as Float64Array).reduce((s, v) => s + v, 0);

describe('chart data', () => {
	it('sums a bar per category and colour over every row, never a sample', async () => {
		const d = await chart({ x: 'cat', y: 'v', color: 'grp' });
		expect(d).toMatchObject({ shape: 'groups', sampled: false, totalRows: 60_000, y: 'sum', rowCount: 21 });
		expect(d.domains).toEqual({ x: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6'], color: ['g0', 'g1', 'g2'] });
		const x = d.columns.x as string[];
		const c3 = x.reduce((s, k, i) => (k === 'c3' ? s + (d.columns.y as Float64Array)[i] : s), 0);
		expect(c3).toBe(one(`SELECT sum(v) FROM t WHERE cat = 'c3'`));
		expect(sum(d)).toBe(one('SELECT sum(v) FROM t'));
	});

	it('folds categories past the largest 40 into one "Other" bar that keeps the total', async () => {
		const d = await chart({ x: 'many', y: 'v' });
		expect(d.folded).toEqual({ x: { kept: 40, of: 229 } });
		expect(d.domains.x).toHaveLength(41);
		expect(d.domains.x!.at(-1)).toBe('Other (189 more)');
		expect(sum(d)).toBe(one('SELECT sum(v) FROM t'));
	});

	it('draws a missing category as "(null)" and counts missing x on a continuous axis', async () => {
		conn.query(`CREATE TABLE n AS SELECT * FROM (VALUES ('a', 1.0), (NULL, 2.0), (NULL, 4.0)) v(k, x)`);
		const all = [
			{ name: 'k', type: 'VARCHAR' },
			{ name: 'x', type: 'DOUBLE' }
		];
		const q = async (sql: string) => conn.query(sql) as unknown as Table;
		const bars = await buildChart(q, { table: 'n', mark: 'bar', x: 'k', y: 'x', color: '', facet: '' }, all);
		expect(bars.domains.x).toEqual(['(null)', 'a']);
		expect(sum(bars)).toBe(7);
		const hist = await buildChart(
			q,
			{ table: 'n', mark: 'histogram', x: 'x', y: '', color: 'k', facet: '' },
			all
		);
		expect(hist.unplaced).toBe(0);
		expect(sum(hist)).toBe(3);
		conn.query(`INSERT INTO n VALUES ('b', NULL)`);
		const gaps = await buildChart(
			q,
			{ table: 'n', mark: 'histogram', x: 'x', y: '', color: '', facet: '' },
			all
		);
		expect(gaps.unplaced).toBe(1);
	});

	it('orders numeric categories as numbers', async () => {
		const d = await chart({ x: 'month', y: 'v' });
		expect(d.domains.x).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
	});

	it('counts every row into round-width histogram bins', async () => {
		const d = await chart({ mark: 'histogram', x: 'v' });
		expect(d).toMatchObject({ shape: 'bins', y: 'count', binWidth: niceStep(59_999_000 / 30) });
		expect(sum(d)).toBe(60_000);
		const x = d.columns.x as Float64Array;
		const x2 = d.columns.x2 as Float64Array;
		expect(x2[0] - x[0]).toBe(d.binWidth);
	});

	it('sums a line over too many distinct x per bin, keeping the total', async () => {
		const d = await chart({ mark: 'line', x: 'at', y: 'v' });
		expect(d.rowCount).toBeLessThanOrEqual(1000);
		expect(d.temporal).toContain('x');
		expect(d.binWidth).toBeCloseTo((59_999 * 60_000) / 1000);
		expect(sum(d)).toBe(one('SELECT sum(v) FROM t'));
	});

	it('samples points only, and says so', async () => {
		const d = await chart({ mark: 'point', x: 'v', y: 'month', color: 'grp' });
		expect(d).toMatchObject({ shape: 'rows', sampled: true, rowCount: CHART_MAX_ROWS, totalRows: 60_000 });
	});

	it('refuses to add up text, naming the column', async () => {
		await expect(chart({ x: 'cat', y: 'grp' })).rejects.toThrow(/"grp" is not a number \(VARCHAR\)/);
		await expect(chart({ x: 'nope', y: 'v' })).rejects.toThrow(/Column "nope" is not in t/);
	});
});
