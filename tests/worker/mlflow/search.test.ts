import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../workers/mlflow/filter';
import { fails, ml, newExperiment, newRun, ok } from './helpers';

type Found = { runs: { info: { run_name: string } }[]; next_page_token?: string };

describe('parseFilter', () => {
	it.each([
		["params.lr = '0.01'", [{ entity: 'param', key: 'lr', op: '=', value: '0.01' }]],
		['metrics.acc >= 0.9', [{ entity: 'metric', key: 'acc', op: '>=', value: 0.9 }]],
		['tags."mlflow.user" LIKE \'a%\'', [{ entity: 'tag', key: 'mlflow.user', op: 'LIKE', value: 'a%' }]],
		["tags.mlflow.user != 'x'", [{ entity: 'tag', key: 'mlflow.user', op: '!=', value: 'x' }]],
		[
			"metrics.`my acc` < 1 and attributes.status = 'FINISHED'",
			[
				{ entity: 'metric', key: 'my acc', op: '<', value: 1 },
				{ entity: 'attribute', key: 'status', op: '=', value: 'FINISHED' }
			]
		],
		[
			"status IN ('FAILED', 'KILLED')",
			[{ entity: 'attribute', key: 'status', op: 'IN', value: ['FAILED', 'KILLED'] }]
		],
		["name ILIKE 'it''s%'", [{ entity: 'attribute', key: 'name', op: 'ILIKE', value: "it's%" }]],
		['', []]
	])('%s', (filter, clauses) => {
		expect(parseFilter(filter)).toEqual(clauses);
	});

	it.each(["a = 'b' OR c = 'd'", 'metrics.acc >', 'foo.bar = 1', "(name = 'x')", "params.lr == '1'"])(
		'refuses %s',
		(filter) => {
			expect(() => parseFilter(filter)).toThrow(/Invalid filter/);
		}
	);
});

describe('runs/search', () => {
	it('filters on status, params, metrics and tags, orders and pages', async () => {
		const exp = await newExperiment('search-runs');
		const make = async (name: string, lr: string, acc: number, status: string, team: string) => {
			const id = await newRun(exp, { run_name: name });
			await ok(
				ml('/runs/log-batch', {
					json: {
						run_id: id,
						params: [{ key: 'lr', value: lr }],
						metrics: [{ key: 'acc', value: acc, timestamp: 1, step: 0 }],
						tags: [{ key: 'team', value: team }]
					}
				})
			);
			if (status !== 'RUNNING') await ok(ml('/runs/update', { json: { run_id: id, status } }));
			return id;
		};
		await make('a', '0.1', 0.5, 'FINISHED', 'red');
		await make('b', '0.01', 0.9, 'FINISHED', 'blue');
		await make('c', '0.01', 0.7, 'FAILED', 'red');
		const names = async (json: Record<string, unknown>) =>
			(await ok<Found>(ml('/runs/search', { json: { experiment_ids: [exp], ...json } }))).runs.map(
				(r) => r.info.run_name
			);
		expect(await names({ filter: "attributes.status = 'FINISHED'", order_by: ['run_name'] })).toEqual([
			'a',
			'b'
		]);
		expect(await names({ filter: "params.lr = '0.01'", order_by: ['run_name'] })).toEqual(['b', 'c']);
		expect(await names({ filter: 'metrics.acc > 0.6', order_by: ['metrics.acc DESC'] })).toEqual(['b', 'c']);
		expect(await names({ filter: "tags.team = 'red' and metrics.acc < 0.6" })).toEqual(['a']);
		expect(await names({ order_by: ['metrics.acc ASC'] })).toEqual(['a', 'c', 'b']);
		const first = await ok<Found>(
			ml('/runs/search', { json: { experiment_ids: [exp], max_results: 2, order_by: ['run_name'] } })
		);
		expect(first.runs.map((r) => r.info.run_name)).toEqual(['a', 'b']);
		const rest = await ok<Found>(
			ml('/runs/search', {
				json: {
					experiment_ids: [exp],
					max_results: 2,
					order_by: ['run_name'],
					page_token: first.next_page_token
				}
			})
		);
		expect(rest.runs.map((r) => r.info.run_name)).toEqual(['c']);
		expect(rest.next_page_token).toBeUndefined();
	});

	it('hides deleted runs unless asked', async () => {
		const exp = await newExperiment('search-deleted');
		const id = await newRun(exp, { run_name: 'gone' });
		await ok(ml('/runs/delete', { json: { run_id: id } }));
		expect((await ok<Found>(ml('/runs/search', { json: { experiment_ids: [exp] } }))).runs).toEqual([]);
		const deleted = await ok<Found>(
			ml('/runs/search', { json: { experiment_ids: [exp], run_view_type: 'DELETED_ONLY' } })
		);
		expect(deleted.runs.map((r) => r.info.run_name)).toEqual(['gone']);
	});

	it('refuses unsupported filters with a clear INVALID_PARAMETER_VALUE', async () => {
		const exp = await newExperiment('search-bad');
		for (const filter of [
			"metrics.acc > 'high'",
			'params.lr > 1',
			"attributes.color = 'red'",
			"params.lr = '1' OR params.lr = '2'"
		]) {
			const msg = await fails(
				ml('/runs/search', { json: { experiment_ids: [exp], filter } }),
				400,
				'INVALID_PARAMETER_VALUE'
			);
			expect(msg).toMatch(/filter|attribute/i);
		}
		await fails(
			ml('/runs/search', { json: { experiment_ids: [exp], order_by: ['attributes.color'] } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		await fails(
			ml('/runs/search', { json: { experiment_ids: 'x', max_results: -1 } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
	});
});

describe('search bounds (one request cannot stall the Worker)', () => {
	it('answers the LIKE pattern that made the old regex matcher backtrack', async () => {
		const exp = await newExperiment('search-redos');
		await newRun(exp, { run_name: 'a'.repeat(60) });
		const filter = (p: string) => `attributes.run_name LIKE '${p}'`;
		const found = async (p: string) =>
			(await ok<Found>(ml('/runs/search', { json: { experiment_ids: [exp], filter: filter(p) } }))).runs
				.length;
		// The regex it used to build took over 40 s on this one (node 22); the linear matcher does ~200 steps.
		expect(await found('%a%a%a%a%a%a%a%b')).toBe(0);
		expect(await found('%a%a%a%a%a%a%a')).toBe(1);
	});

	it.each([
		['a filter over the length limit', `params.x = '${'y'.repeat(4000)}'`, /filter.*4000 characters/],
		[
			'too many clauses',
			Array.from({ length: 21 }, (_, i) => `params.p${i} = '1'`).join(' and '),
			/20 clauses/
		],
		[
			'an IN list over the limit',
			`params.x IN (${Array.from({ length: 101 }, (_, i) => `'${i}'`).join(', ')})`,
			/IN list.*100 values/
		],
		['a LIKE pattern over 50 bytes', `params.x LIKE '${'%a'.repeat(26)}'`, /LIKE pattern.*50 bytes/]
	])('refuses %s with 400 naming the limit, on every search route', async (_, filter, why) => {
		const exp = await newExperiment(`search-limit-${why.source.length}-${filter.length}`);
		const msg = await fails(
			ml('/runs/search', { json: { experiment_ids: [exp], filter } }),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		expect(msg).toMatch(why);
		const named = filter.replace(/params\.\w+/g, 'name');
		for (const path of ['/experiments/search', '/registered-models/search', '/model-versions/search'])
			expect(
				await fails(
					path === '/experiments/search'
						? ml(path, { json: { filter: named } })
						: ml(path, { query: { filter: named } }),
					400,
					'INVALID_PARAMETER_VALUE'
				)
			).toMatch(why);
	});

	it('refuses more order_by keys than the limit', async () => {
		const exp = await newExperiment('search-order-limit');
		const msg = await fails(
			ml('/runs/search', {
				json: { experiment_ids: [exp], order_by: Array.from({ length: 6 }, () => 'start_time') }
			}),
			400,
			'INVALID_PARAMETER_VALUE'
		);
		expect(msg).toMatch(/at most 5 keys/);
	});
});
