import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/lib/data/engine';
import { runSql } from '../../src/lib/data/run-sql';
import { tableFrame } from '../../src/lib/data/frame';
import { openDuckDB } from '../helpers/duckdb-node';

/**
 * The data worker's engine on the real DuckDB-WASM build, in Node: the same blocking bindings the browser's data
 * worker runs (docs/architecture.md, "The SQL path"), so the cell path, the training frame and cancel are tested
 * on the engine itself rather than on a fake.
 */
let engine: Engine;
beforeAll(async () => {
	engine = await Engine.open((await openDuckDB()).db);
}, 30_000);

/** Long enough to span many 50 ms polling slices on any machine (seconds). */
const SLOW = 'SELECT sum(a.range * b.range) AS s FROM range(200000) a, range(20000) b';

describe('a SQL cell on the engine', () => {
	it('names its result, with its DuckDB types, row count and first rows from one run', async () => {
		const res = await runSql(engine, {
			sql: "CREATE TABLE src AS SELECT range AS i, 'k' || (range % 3) AS k, uuid() AS u FROM range(1000);\nSELECT k, count(*) AS n, any_value(u) AS u FROM src GROUP BY k ORDER BY k",
			resultTable: 'result_1',
			job: 1
		});
		expect(res.ok).toBe(true);
		if (!res.ok) return;
		expect(res.table).toBe('result_1');
		expect(res.rowCount).toBe(3);
		expect(res.columns).toEqual([
			{ name: 'k', type: 'VARCHAR' },
			{ name: 'n', type: 'BIGINT' },
			{ name: 'u', type: 'UUID' }
		]);
		expect(res.preview.map((r) => [r[0], r[1]])).toEqual([
			['k0', 334],
			['k1', 333],
			['k2', 333]
		]);
		const again = await runSql(engine, {
			sql: 'SELECT sum(n) AS total FROM result_1',
			resultTable: 'r2',
			job: 2
		});
		expect(again.ok && again.preview).toEqual([[1000]]);
	});

	it('an error names the line and column in the cell, and leaves earlier results alone', async () => {
		await runSql(engine, { sql: 'SELECT 41 + 1 AS x', resultTable: 'kept', job: 3 });
		const res = await runSql(engine, {
			sql: 'SELECT 1;\nSELECT nope FROM kept',
			resultTable: 'kept',
			job: 4
		});
		expect(res.ok).toBe(false);
		if (res.ok) return;
		expect(res.error.message).toContain('nope');
		expect(res.error.line).toBe(2);
		const still = await runSql(engine, { sql: 'SELECT x FROM kept', resultTable: 'r3', job: 5 });
		expect(still.ok && still.preview).toEqual([[42]]);
	});
});

describe('cancel without a second worker', () => {
	it('stops a long statement between polling slices, and the engine runs the next one', async () => {
		const started = performance.now();
		const running = runSql(engine, { sql: SLOW, resultTable: 'slow', job: 10 });
		setTimeout(() => void engine.cancel(10), 150);
		const res = await running;
		expect(res).toEqual({ ok: false, error: { name: 'Cancelled', message: 'Cancelled by the user.' } });
		// Stopped within a few slices of the cancel, not after the statement's seconds.
		expect(performance.now() - started).toBeLessThan(2_000);
		const next = await runSql(engine, { sql: 'SELECT 7 AS seven', resultTable: 'r4', job: 11 });
		expect(next.ok && next.preview).toEqual([[7]]);
	}, 30_000);

	it('a job cancelled while it waits never starts', async () => {
		const first = runSql(engine, { sql: 'SELECT 1 AS one', resultTable: 'r5', job: 20 });
		const second = runSql(engine, { sql: 'CREATE TABLE never AS SELECT 1', resultTable: 'r6', job: 21 });
		await engine.cancel(21);
		expect((await first).ok).toBe(true);
		// Refused before it starts (the data worker turns this into the cell's Cancelled result).
		await expect(second).rejects.toMatchObject({ name: 'Cancelled' });
		const tables = await engine.exclusive((conn) => engine.tableNames(conn));
		expect(tables).not.toContain('never');
	});
});

describe('a table as a training frame', () => {
	it('streams every chunk into its columns: numbers as doubles with NaN for null, text as text', async () => {
		await runSql(engine, {
			sql:
				'CREATE OR REPLACE TABLE big AS SELECT range AS i, CASE WHEN range % 1000 = 0 THEN NULL ELSE range * 0.5 END AS v, ' +
				"(range % 2 = 0) AS even, CASE WHEN range % 7 = 0 THEN NULL ELSE 'c' || (range % 4) END AS c FROM range(10000)",
			resultTable: 'unused',
			job: 30
		});
		const frame = await tableFrame(engine, 'big', null);
		expect(frame.rowCount).toBe(10_000);
		const [i, v, even, c] = frame.columns;
		expect(i.kind).toBe('numeric');
		expect(Array.from(i.values as Float64Array).every((x, r) => x === r)).toBe(true);
		const vs = v.values as Float64Array;
		expect(Number.isNaN(vs[0]) && Number.isNaN(vs[9000]) && vs[9001] === 4500.5).toBe(true);
		expect(Array.from(vs).filter(Number.isNaN)).toHaveLength(10);
		expect(Array.from((even.values as Float64Array).slice(0, 3))).toEqual([1, 0, 1]);
		expect(c.kind).toBe('categorical');
		expect((c.values as (string | null)[]).slice(0, 4)).toEqual([null, 'c1', 'c2', 'c3']);
	});
});
