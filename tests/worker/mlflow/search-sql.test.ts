import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFilter, parseOrderBy } from '../../../workers/mlflow/filter';
import { searchExperimentsInMemory } from '../../../workers/mlflow/experiments-search-memory';
import { searchRunsInMemory } from '../../../workers/mlflow/runs-search-memory';
import { RUN_SOURCE } from '../../../workers/registry/search-runs';
import { compileSearch } from '../../../workers/registry/search-sql';
import { testEnv } from '../helpers';
import { ml, newExperiment, newRun, ok } from './helpers';

/**
 * The SQL run search against the in-memory reference: random runs (ties, missing keys, NaN and ±Infinity, GLOB's
 * own wildcards in values) and random filters and orders give the same ids in the same order, the SQL side read
 * page by page through its keyset tokens.
 */

const WORKSPACE = 'local'; // the admin token's workspace
const STR = ['a', 'A', 'ab', 'aB', 'b*', 'a?', '[a]', 'a%b', 'a_'];
const PAT = ['a', 'A', 'b', '*', '?', '[', ']', '%', '_'];
const NUM = [-1, 0, 0.5, 1];
const METRIC: (number | string)[] = [...NUM, 'NaN', 'Infinity', '-Infinity'];

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const runArb = fc.record({
	name: fc.constantFrom('r1', 'r2', 'R1', 'r*'),
	start: fc.constantFrom(1000, 2000, 3000),
	user: maybe(fc.constantFrom('ann', 'Bob')),
	status: fc.constantFrom('RUNNING', 'FINISHED', 'FAILED', 'KILLED'),
	m1: fc.array(fc.tuple(fc.constantFrom(...METRIC), fc.nat(2), fc.nat(2)), { maxLength: 3 }),
	m2: maybe(fc.constantFrom(...METRIC)),
	p1: maybe(fc.constantFrom(...STR)),
	t1: maybe(fc.constantFrom(...STR)),
	deleted: fc.boolean()
});

const quote = (s: string) => `'${s}'`;
const pattern = fc.array(fc.constantFrom(...PAT), { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
const stringClause = (field: string, values: readonly string[]) =>
	fc.oneof(
		fc
			.tuple(fc.constantFrom('=', '!='), fc.constantFrom(...values))
			.map(([op, v]) => `${field} ${op} ${quote(v)}`),
		fc.tuple(fc.constantFrom('LIKE', 'ILIKE'), pattern).map(([op, p]) => `${field} ${op} ${quote(p)}`),
		fc
			.tuple(fc.constantFrom('IN', 'NOT IN'), fc.subarray([...values], { minLength: 1 }))
			.map(([op, vs]) => `${field} ${op} (${vs.map(quote).join(', ')})`)
	);
const numberClause = (field: string, values: number[]) =>
	fc
		.tuple(fc.constantFrom('=', '!=', '<', '<=', '>', '>='), fc.constantFrom(...values))
		.map(([op, v]) => `${field} ${op} ${v}`);
const clause = fc.oneof(
	numberClause('metrics.m1', NUM),
	numberClause('metrics.m2', NUM),
	numberClause('attributes.start_time', [1000, 2000, 3000]),
	numberClause('attributes.end_time', [0, 5000]),
	stringClause('params.p1', STR),
	stringClause('tags.t1', STR),
	stringClause('params.zz', STR),
	stringClause('attributes.run_name', ['r1', 'R1', 'r*']),
	stringClause('tags.`mlflow.runName`', ['r1', 'r2']),
	stringClause('attributes.user_id', ['ann', 'Bob', '']),
	stringClause('attributes.status', ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'])
);
const orderKey = fc
	.tuple(
		fc.constantFrom(
			'metrics.m1',
			'metrics.m2',
			'params.p1',
			'tags.t1',
			'run_name',
			'start_time',
			'end_time',
			'status',
			'user_id',
			'tags.`mlflow.runName`'
		),
		fc.constantFrom('', ' ASC', ' DESC')
	)
	.map(([k, d]) => k + d);

let exp = '';

beforeAll(async () => {
	exp = await newExperiment('search-sql-equivalence');
	const runs = fc.sample(runArb, { numRuns: 30, seed: 8 });
	for (const r of runs) {
		const created = await ok<{ run: { info: { run_id: string } } }>(
			ml('/runs/create', {
				json: {
					experiment_id: exp,
					run_name: r.name,
					start_time: r.start,
					...(r.user ? { user_id: r.user } : {})
				}
			})
		);
		const id = created.run.info.run_id;
		const metrics = [
			...r.m1.map(([value, step, timestamp]) => ({ key: 'm1', value, step, timestamp })),
			...(r.m2 === undefined ? [] : [{ key: 'm2', value: r.m2, step: 0, timestamp: 0 }])
		];
		await ok(
			ml('/runs/log-batch', {
				json: {
					run_id: id,
					metrics,
					params: r.p1 === undefined ? [] : [{ key: 'p1', value: r.p1 }],
					tags: r.t1 === undefined ? [] : [{ key: 't1', value: r.t1 }]
				}
			})
		);
		if (r.status !== 'RUNNING')
			await ok(ml('/runs/update', { json: { run_id: id, status: r.status, end_time: r.start + 2000 } }));
		if (r.deleted) await ok(ml('/runs/delete', { json: { run_id: id } }));
	}
});

type Page = { runs?: { info: { run_id: string; start_time: number } }[]; next_page_token?: string };

async function viaSql(body: Record<string, unknown>): Promise<string[]> {
	const ids: string[] = [];
	for (let token: string | undefined, pages = 0; pages < 100; pages++) {
		const p = await ok<Page>(
			ml('/runs/search', { json: { experiment_ids: [exp], max_results: 4, page_token: token, ...body } })
		);
		ids.push(...(p.runs ?? []).map((r) => r.info.run_id));
		token = p.next_page_token;
		if (!token) break;
	}
	return ids;
}

describe('runs/search in SQL', () => {
	it('gives the in-memory reference’s ids in its order, page by page', async () => {
		let paged = 0; // answers longer than one page: the property is not vacuous
		await fc.assert(
			fc.asyncProperty(
				fc.array(clause, { maxLength: 3 }),
				fc.array(orderKey, { maxLength: 2 }),
				fc.constantFrom('ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'),
				async (clauses, order, view) => {
					const filter = clauses.join(' and ');
					const expected = await searchRunsInMemory(testEnv.DB, WORKSPACE, {
						experimentIds: [exp],
						lifecycle: ({ ACTIVE_ONLY: 'active', DELETED_ONLY: 'deleted', ALL: 'all' } as const)[view],
						clauses: parseFilter(filter),
						order: parseOrderBy(order)
					});
					const got = await viaSql({ filter, order_by: order, run_view_type: view });
					expect(got).toEqual(expected.map((r) => r.info.run_id));
					if (got.length > 4) paged++;
				}
			),
			{ numRuns: 80 }
		);
		expect(paged).toBeGreaterThan(10);
	}, 120_000);

	it('keeps later pages in place when runs are added before the token', async () => {
		const e = await newExperiment('search-keyset');
		for (const start of [1, 2, 3, 4])
			await ok(ml('/runs/create', { json: { experiment_id: e, start_time: start } }));
		const body = { experiment_ids: [e], max_results: 2 };
		const first = await ok<Page>(ml('/runs/search', { json: body }));
		expect(first.runs?.map((r) => r.info.start_time)).toEqual([4, 3]);
		// A newer run sorts first; an offset token would now repeat start_time 3 on the second page.
		await ok(ml('/runs/create', { json: { experiment_id: e, start_time: 5 } }));
		const second = await ok<Page>(
			ml('/runs/search', { json: { ...body, page_token: first.next_page_token } })
		);
		expect(second.runs?.map((r) => r.info.start_time)).toEqual([2, 1]);
	});

	it('pages through ±Infinity and NaN one run at a time, missing values last', async () => {
		const e = await newExperiment('search-specials');
		const values: [string, number | string | null][] = [
			['inf', 'Infinity'],
			['one', 1],
			['nan', 'NaN'],
			['minus-inf', '-Infinity'],
			['none', null]
		];
		for (const [i, [name, value]] of values.entries()) {
			const id = await newRun(e, { run_name: name, start_time: 1000 + i });
			if (value !== null)
				await ok(
					ml('/runs/log-batch', {
						json: { run_id: id, metrics: [{ key: 'acc', value, timestamp: 0, step: 0 }] }
					})
				);
		}
		const names: string[] = [];
		for (let token: string | undefined, n = 0; n < 10; n++) {
			const p = await ok<{ runs?: { info: { run_name: string } }[]; next_page_token?: string }>(
				ml('/runs/search', {
					json: { experiment_ids: [e], order_by: ['metrics.acc DESC'], max_results: 1, page_token: token }
				})
			);
			names.push(...(p.runs ?? []).map((r) => r.info.run_name));
			token = p.next_page_token;
			if (!token) break;
		}
		// NaN counts as missing, as in the in-memory search; missing values go by the default order (newest first).
		expect(names).toEqual(['inf', 'one', 'minus-inf', 'none', 'nan']);
	});

	it('refuses a page token from another order', async () => {
		const body = { experiment_ids: [exp], max_results: 1 };
		const first = await ok<Page>(ml('/runs/search', { json: body }));
		const res = await ml('/runs/search', {
			json: { ...body, order_by: ['metrics.m1'], page_token: first.next_page_token }
		});
		expect(res.status).toBe(400);
		expect(((await res.json()) as { message: string }).message).toMatch(/page token/);
		// A forged token: a metric's value that is neither a number nor ±Infinity never reaches the SQL.
		const ordered = { ...body, order_by: ['metrics.m1'] };
		for (const v of ['toString', 'constructor', '1) OR (1=1', 'Infinity; DROP TABLE runs']) {
			const forged = btoa(JSON.stringify({ o: 'metric.m1.a', v: [v, 1000], id: 'x' }));
			const r = await ml('/runs/search', { json: { ...ordered, page_token: forged } });
			expect(r.status).toBe(400);
		}
		const real = btoa(JSON.stringify({ o: 'metric.m1.a', v: ['Infinity', 1000], id: 'x' }));
		expect((await ml('/runs/search', { json: { ...ordered, page_token: real } })).status).toBe(200);
	});

	it('migration 0004 backfills latest_metrics to what the write path keeps', async () => {
		const all = 'SELECT * FROM latest_metrics ORDER BY workspace_id, run_id, key';
		const kept = (await testEnv.DB.prepare(all).all()).results;
		expect(kept.length).toBeGreaterThan(20);
		const migration = testEnv.TEST_MIGRATIONS.find((m) => m.name.startsWith('0004'));
		const backfill = /INSERT INTO latest_metrics[^;]*;/.exec(migration?.queries.join('\n') ?? '')?.[0];
		expect(backfill).toBeDefined();
		await testEnv.DB.batch([testEnv.DB.prepare('DELETE FROM latest_metrics'), testEnv.DB.prepare(backfill!)]);
		expect((await testEnv.DB.prepare(all).all()).results).toEqual(kept);
	});
});

describe('experiments/search in SQL', () => {
	it('gives the in-memory reference’s ids in its order, page by page', async () => {
		const names = fc.sample(fc.constantFrom('x1', 'X1', 'x*', 'x?', 'y[1]', 'x_1', 'x%'), {
			numRuns: 30,
			seed: 3
		});
		const made = new Set<string>();
		for (const [i, base] of names.entries()) {
			const name = `${base}-${i % 4}`;
			if (made.has(name)) continue;
			made.add(name);
			const id = await newExperiment(name);
			if (i % 3)
				await ok(
					ml('/experiments/set-experiment-tag', { json: { experiment_id: id, key: 'k', value: base } })
				);
			if (i % 5 === 0) await ok(ml('/experiments/delete', { json: { experiment_id: id } }));
		}
		const tagsOf = async (ids: string[]) => {
			const { results } = await testEnv.DB.prepare(
				`SELECT experiment_id, key, value FROM experiment_tags WHERE workspace_id = ?1
				 AND experiment_id IN (SELECT value FROM json_each(?2))`
			)
				.bind(WORKSPACE, JSON.stringify(ids))
				.all<{ experiment_id: string; key: string; value: string }>();
			const out = new Map<string, Record<string, string>>(ids.map((id) => [id, {}]));
			for (const r of results) out.get(r.experiment_id)![r.key] = r.value;
			return out;
		};
		const expClause = fc.oneof(
			stringClause('name', [...made]),
			stringClause('tags.k', ['x1', 'X1', 'x*']),
			numberClause('creation_time', [0, Date.now() + 60_000])
		);
		const expOrder = fc
			.tuple(
				fc.constantFrom('name', 'experiment_id', 'creation_time', 'last_update_time'),
				fc.constantFrom('', ' DESC')
			)
			.map(([k, d]) => k + d);
		await fc.assert(
			fc.asyncProperty(
				fc.array(expClause, { maxLength: 2 }),
				fc.array(expOrder, { maxLength: 2 }),
				fc.constantFrom('ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'),
				async (clauses, order, view) => {
					const filter = clauses.join(' and ');
					const expected = await searchExperimentsInMemory(testEnv.DB, WORKSPACE, tagsOf, {
						lifecycle: ({ ACTIVE_ONLY: 'active', DELETED_ONLY: 'deleted', ALL: 'all' } as const)[view],
						clauses: parseFilter(filter),
						order: parseOrderBy(order)
					});
					const got: string[] = [];
					for (let token: string | undefined, pages = 0; pages < 100; pages++) {
						const p = await ok<{ experiments?: { experiment_id: string }[]; next_page_token?: string }>(
							ml('/experiments/search', {
								json: { filter, order_by: order, view_type: view, max_results: 3, page_token: token }
							})
						);
						got.push(...(p.experiments ?? []).map((e) => e.experiment_id));
						token = p.next_page_token;
						if (!token) break;
					}
					expect(got).toEqual(expected.map((e) => e.experiment_id));
				}
			),
			{ numRuns: 60 }
		);
	}, 120_000);

	it('binds at most D1’s 100 parameters for the largest filter and order the limits allow', async () => {
		const filter = Array.from({ length: 20 }, (_, i) => `params.p${i} LIKE '%x%'`).join(' and ');
		const order = Array.from({ length: 5 }, (_, i) => `metrics.m${i} DESC`);
		const q = compileSearch(RUN_SOURCE, {
			where: ['r.workspace_id = ?1', 'r.experiment_id IN (SELECT value FROM json_each(?2))'],
			binds: ['local', '[]'],
			clauses: parseFilter(filter),
			order: parseOrderBy(order),
			after: { values: [1, 2, 3, 4, 5, 6], id: 'x' },
			limit: 10
		});
		expect(q.binds.length).toBeLessThanOrEqual(100);
		const used = [...q.sql.matchAll(/\?(\d+)/g)].map((m) => Number(m[1]));
		expect(Math.max(...used)).toBe(q.binds.length);
		expect(
			(
				await testEnv.DB.prepare(q.sql)
					.bind(...q.binds)
					.all()
			).results
		).toEqual([]);
	});
});
