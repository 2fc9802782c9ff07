import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFilter, parseOrderBy } from '../../../workers/mlflow/filter';
import { searchModelsInMemory, searchVersionsInMemory } from '../../../workers/mlflow/registry-search-memory';
import type { Ctx } from '../../../workers/mlflow/request';
import { testEnv } from '../helpers';
import { ml, newExperiment, newRun, ok } from './helpers';

/**
 * Registered-model and model-version search in SQL against the in-memory references: random models, tags and
 * versions, random filters and orders, the same names/ids in the same order, read page by page.
 */

// What the references read from a request: the D1 binding and the caller's workspace (the admin's, `local`).
const ctx = { env: testEnv, get: () => ({ workspaceId: 'local' }) } as unknown as Ctx;
const NAMES = ['m1', 'M1', 'm_1', 'm.1', 'n 1', 'ma', 'Ma']; // what model names may hold
const VALUES = ['a', 'A', 'a*', 'b?'];
const PAT = ['m', 'M', 'a', '1', '.', '*', '?', '[', '%', '_'];
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
const made: string[] = [];

beforeAll(async () => {
	const exp = await newExperiment('search-registry');
	const run = await newRun(exp);
	const models = fc.sample(
		fc.record({
			base: fc.constantFrom(...NAMES),
			tag: fc.option(fc.constantFrom(...VALUES)),
			versions: fc.nat(3)
		}),
		{ numRuns: 14, seed: 5 }
	);
	for (const [i, m] of models.entries()) {
		const name = `${m.base}-${i % 3}`;
		if (made.includes(name)) continue;
		made.push(name);
		await ok(ml('/registered-models/create', { json: { name } }));
		if (m.tag !== null)
			await ok(ml('/registered-models/set-tag', { json: { name, key: 'k', value: m.tag } }));
		for (let v = 0; v < m.versions; v++)
			await ok(
				ml('/model-versions/create', {
					json: {
						name,
						source: v % 2 ? `runs:/${run}/model` : `s3://${VALUES[(i + v) % VALUES.length]}`,
						...(v % 2 ? { run_id: run } : {}),
						tags: (i + v) % 3 ? [{ key: 'k', value: VALUES[v] }] : []
					}
				})
			);
	}
});

async function pages<T>(path: string, query: Record<string, string | string[]>, pick: (b: T) => string[]) {
	const got: string[] = [];
	for (let token: string | undefined, n = 0; n < 100; n++) {
		const body = await ok<T & { next_page_token?: string }>(
			ml(path, { query: { ...query, max_results: '3', ...(token ? { page_token: token } : {}) } })
		);
		got.push(...pick(body));
		token = body.next_page_token;
		if (!token) break;
	}
	return got;
}

describe('registered-models/search and model-versions/search in SQL', () => {
	it('registered models: the in-memory reference’s names in its order', async () => {
		const clause = fc.oneof(stringClause('name', made), stringClause('tags.k', VALUES));
		const order = fc
			.tuple(
				fc.constantFrom('name', 'creation_timestamp', 'last_updated_timestamp'),
				fc.constantFrom('', ' DESC')
			)
			.map(([k, d]) => k + d);
		await fc.assert(
			fc.asyncProperty(
				fc.array(clause, { maxLength: 2 }),
				fc.array(order, { maxLength: 2 }),
				async (cs, os) => {
					const filter = cs.join(' and ');
					const expected = await searchModelsInMemory(ctx, parseFilter(filter), parseOrderBy(os));
					const got = await pages<{ registered_models?: { name: string }[] }>(
						'/registered-models/search',
						{ filter, order_by: os },
						(b) => (b.registered_models ?? []).map((m) => m.name)
					);
					expect(got).toEqual(expected.map((m) => m.name));
				}
			),
			{ numRuns: 50 }
		);
	}, 120_000);

	it('model versions: the in-memory reference’s versions in its order', async () => {
		const clause = fc.oneof(
			stringClause('name', made),
			stringClause('tags.k', VALUES),
			stringClause('source_path', ['s3://a', 's3://a*']),
			stringClause('run_id', ['']),
			fc
				.tuple(fc.constantFrom('=', '!=', '<', '<=', '>', '>='), fc.nat(3))
				.map(([op, v]) => `version_number ${op} ${v}`)
		);
		const order = fc
			.tuple(
				fc.constantFrom('name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'),
				fc.constantFrom('', ' DESC')
			)
			.map(([k, d]) => k + d);
		let paged = 0;
		await fc.assert(
			fc.asyncProperty(
				fc.array(clause, { maxLength: 2 }),
				fc.array(order, { maxLength: 2 }),
				async (cs, os) => {
					const filter = cs.join(' and ');
					const expected = await searchVersionsInMemory(ctx, parseFilter(filter), parseOrderBy(os));
					const got = await pages<{ model_versions?: { name: string; version: string }[] }>(
						'/model-versions/search',
						{ filter, order_by: os },
						(b) => (b.model_versions ?? []).map((v) => `${v.name}/${v.version}`)
					);
					expect(got).toEqual(expected.map((v) => `${v.json.name}/${v.json.version}`));
					if (got.length > 3) paged++;
				}
			),
			{ numRuns: 50 }
		);
		expect(paged).toBeGreaterThan(5);
	}, 120_000);
});
