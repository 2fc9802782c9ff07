import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ml, newExperiment, newRun, ok } from '../mlflow/helpers';
import { seedMlflow, type MlflowSeed } from '../routes/mlflow-seed';
import { check, runs, unicodeKey, unicodeText } from './arbitraries';
import { send } from './refuse';

/**
 * MLflow's search grammar (filter and order_by) on all four search routes. Arbitrary token soup — entities,
 * keys quoted three ways, every operator, OR and parentheses, literals beyond ASCII — is 200 or a 400
 * INVALID_PARAMETER_VALUE, never a 5xx. Valid filters are accepted and mean what they say: a run whose param,
 * tag or metric matches a clause is found by it and only runs that match are.
 */

let s: MlflowSeed;
let exp: string;
/** Each run's param `p` and tag `t` (the same text) and metric `m`. */
const made: { id: string; text: string; metric: number }[] = [];
const TEXTS = ['plain', "it's", 'мир 🧪', 'e\u0301', 'a%b_c', '"q"', 'مرحبا', '`tick`'];
beforeAll(async () => {
	s = await seedMlflow('grammar');
	exp = await newExperiment('grammar-runs');
	for (const [i, text] of TEXTS.entries()) {
		const id = await newRun(exp);
		await ok(
			ml('/runs/log-batch', {
				json: {
					run_id: id,
					params: [{ key: 'p', value: text }],
					tags: [{ key: 't', value: text }],
					metrics: [{ key: 'm', value: i * 1.5 - 3, timestamp: 1, step: 0 }]
				}
			})
		);
		made.push({ id, text, metric: i * 1.5 - 3 });
	}
});

const quote = (t: string) => `'${t.replaceAll("'", "''")}'`;
const TOKENS = [
	...[
		'metrics',
		'metric',
		'params',
		'param',
		'tags',
		'tag',
		'attributes',
		'attribute',
		'run',
		'name',
		'status'
	],
	...['.', 'm', 'p', 't', '`m`', '"p"', '`a b`', '"x.y"', 'start_time', 'run_name', 'version', 'user_id'],
	...[
		'=',
		'!=',
		'<>',
		'<',
		'<=',
		'>',
		'>=',
		'==',
		'LIKE',
		'ILIKE',
		'like',
		'IN',
		'NOT',
		'NOT IN',
		'IS',
		'NULL'
	],
	...['AND', 'and', 'OR', '(', ')', ',', "'", '"', '`', "''", '1', '-1.5e3', '1e999', 'NaN', '%', '_', '\\'],
	...["'%'", "'_%'", "'FINISHED'", "('a', 'b')", ';', '--', '/*', 'DROP', '\u0000', '🧪']
];
const soup = fc
	.array(fc.oneof(fc.constantFrom(...TOKENS), unicodeText(6), unicodeText(6).map(quote)), { maxLength: 12 })
	.chain((parts) => fc.constantFrom(' ', '').map((sep) => parts.join(sep)));

const SEARCHES: [string, (filter: string, orderBy: string[]) => Parameters<typeof ml>[1]][] = [
	['/runs/search', (filter, order_by) => ({ json: { experiment_ids: [exp], filter, order_by } })],
	['/experiments/search', (filter, order_by) => ({ json: { filter, order_by } })],
	['/registered-models/search', (filter, order_by) => ({ query: { filter, order_by } })],
	['/model-versions/search', (filter, order_by) => ({ query: { filter, order_by } })]
];

async function search(path: string, opts: Parameters<typeof ml>[1]) {
	const url = new URL(`http://x/api/2.0/mlflow${path}`);
	for (const [k, v] of Object.entries(opts?.query ?? {}))
		for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one);
	return send(
		url.pathname + url.search,
		{ method: opts?.json ? 'POST' : 'GET', json: opts?.json, token: 'test-admin-token' },
		JSON.stringify(opts).slice(0, 300)
	);
}

describe('fuzz: the search grammar', { timeout: 60_000 }, () => {
	it.each(SEARCHES)('%s: token soup in filter and order_by is 200 or 400, never 5xx', async (path, body) => {
		void s;
		await check(
			fc.assert(
				fc.asyncProperty(soup, fc.array(soup, { maxLength: 2 }), async (filter, orderBy) => {
					const { status, text } = await search(path, body(filter, orderBy));
					if (status !== 200) expect(JSON.parse(text).error_code, text).toBe('INVALID_PARAMETER_VALUE');
				}),
				runs(15, 'search-grammar soup')
			)
		);
	});

	const runsWhere = async (filter: string, orderBy: string[] = []) => {
		const { status, text } = await search('/runs/search', {
			json: { experiment_ids: [exp], filter, order_by: orderBy }
		});
		expect(status, `${filter}: ${text}`).toBe(200);
		return (
			(JSON.parse(text) as { runs?: { info: { run_id: string } }[] }).runs?.map((r) => r.info.run_id) ?? []
		);
	};

	it('equality and inequality on params and tags, with any text as the literal', async () => {
		await check(
			fc.assert(
				fc.asyncProperty(
					fc.constantFrom(...made),
					fc.constantFrom('params.p', 'tags.t', 'params.`p`', 'tags."t"'),
					async (run, field) => {
						expect(await runsWhere(`${field} = ${quote(run.text)}`)).toEqual([run.id]);
						const others = await runsWhere(`${field} != ${quote(run.text)}`);
						expect(others.sort()).toEqual(
							made
								.filter((r) => r.text !== run.text)
								.map((r) => r.id)
								.sort()
						);
					}
				),
				runs(12, 'search-grammar valid')
			)
		);
	});

	it('text that matches nothing finds nothing, in any script', async () => {
		await check(
			fc.assert(
				fc.asyncProperty(unicodeText(20), unicodeKey, async (text, key) => {
					fc.pre(!made.some((r) => r.text === text));
					expect(await runsWhere(`params.p = ${quote(text)}`)).toEqual([]);
					expect(await runsWhere(`tags.\`${key.replaceAll('`', '')}\` = ${quote(text)}`)).toEqual([]);
				}),
				runs(12, 'search-grammar valid')
			)
		);
	});

	it('metric comparisons find exactly the runs on that side, AND narrows, order_by sorts', async () => {
		await check(
			fc.assert(
				fc.asyncProperty(
					fc.double({ min: -10, max: 10, noNaN: true }),
					fc.constantFrom('<', '<=', '>', '>=', '=', '!='),
					fc.boolean(),
					async (x, op, desc) => {
						const holds = (v: number) =>
							({ '<': v < x, '<=': v <= x, '>': v > x, '>=': v >= x, '=': v === x, '!=': v !== x })[op];
						const found = await runsWhere(`metrics.m ${op} ${x}`, [`metrics.m ${desc ? 'DESC' : 'ASC'}`]);
						const want = made
							.filter((r) => holds(r.metric))
							.sort((a, b) => (desc ? b.metric - a.metric : a.metric - b.metric));
						expect(found).toEqual(want.map((r) => r.id));
						const narrowed = await runsWhere(`metrics.m ${op} ${x} AND params.p = ${quote(TEXTS[0])}`);
						expect(narrowed).toEqual(want.filter((r) => r.text === TEXTS[0]).map((r) => r.id));
					}
				),
				runs(15, 'search-grammar valid')
			)
		);
	});

	it('LIKE and ILIKE with any text as a literal prefix', async () => {
		await check(
			fc.assert(
				fc.asyncProperty(fc.constantFrom(...made), fc.constantFrom('LIKE', 'ILIKE'), async (run, op) => {
					// % and _ are wildcards; a literal that holds them may match more runs, never fewer.
					const prefix = [...run.text].slice(0, 2).join('');
					const found = await runsWhere(`params.p ${op} ${quote(`${prefix}%`)}`);
					expect(found).toContain(run.id);
					const exact = made.filter(
						(r) =>
							r.text.startsWith(prefix) ||
							(op === 'ILIKE' && r.text.toLowerCase().startsWith(prefix.toLowerCase()))
					);
					if (!/[%_]/.test(prefix)) expect(found.sort()).toEqual(exact.map((r) => r.id).sort());
				}),
				runs(12, 'search-grammar valid')
			)
		);
	});
});
