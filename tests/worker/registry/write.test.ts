import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Mutation } from '../../../src/lib/contract';
import { DomainError, Forbidden, InvalidInput, NotFound } from '../../../workers/domain/errors';
import { newId, write, type Written } from '../../../workers/registry/write';
import { experiment, runCreate } from '../registry-helpers';

/**
 * The write path's one checked entry, called as a Durable Object or a trigger would: a database, a workspace and
 * mutations, no HTTP context. What it answers is read back from D1, not taken on trust.
 */

const db = (env as Env).DB;
const deps = { db };
const HEX32 = /^[0-9a-f]{32}$/;

const log = (runId: string, key: string, value = 0.5): Mutation => ({
	type: 'run.log',
	runId,
	metrics: [{ key, value, step: 0, timestamp: 1_700_000_000_000 }],
	params: [],
	tags: []
});

function written(out: Written[] | DomainError): Written[] {
	if (out instanceof DomainError) throw new Error(`refused: ${out.code} ${out.message}`);
	return out;
}

const count = async (sql: string, ...params: unknown[]) =>
	(await db
		.prepare(sql)
		.bind(...params)
		.first<{ n: number }>())!.n;

describe('write: the one checked entry to the write path', () => {
	it('applies a valid batch in order, each mutation logged under an id from the one id maker', async () => {
		const out = written(
			await write(deps, 'local', [
				experiment('wbatch', 'exp_wbatch'),
				runCreate('run_wbatch', 'exp_wbatch'),
				log('run_wbatch', 'loss')
			])
		);
		expect(out.map((w) => w.outcome)).toEqual(['applied', 'applied', 'applied']);
		for (const w of out) expect(w.id).toMatch(HEX32);
		expect(new Set(out.map((w) => w.id)).size).toBe(3);
		// Each in its own place in the change feed, in the order given.
		expect(out[1].seq).toBeGreaterThan(out[0].seq);
		expect(out[2].seq).toBeGreaterThan(out[1].seq);
		// The ids it answered are the mutation log's ids, with the types it applied.
		const rows = await db
			.prepare(
				`SELECT mutation_id, type, outcome FROM mutations WHERE workspace_id = 'local' AND mutation_id IN (?, ?, ?) ORDER BY seq`
			)
			.bind(...out.map((w) => w.id))
			.all<{ mutation_id: string; type: string; outcome: string }>();
		expect(rows.results).toEqual([
			{ mutation_id: out[0].id, type: 'experiment.create', outcome: 'applied' },
			{ mutation_id: out[1].id, type: 'run.create', outcome: 'applied' },
			{ mutation_id: out[2].id, type: 'run.log', outcome: 'applied' }
		]);
		const metric = await db
			.prepare(
				`SELECT value FROM run_metrics WHERE workspace_id = 'local' AND run_id = 'run_wbatch' AND key = 'loss'`
			)
			.first<{ value: number }>();
		expect(metric?.value).toBe(0.5);
	});

	it('newId makes distinct 32-hex ids', () => {
		const ids = Array.from({ length: 100 }, newId);
		for (const id of ids) expect(id).toMatch(HEX32);
		expect(new Set(ids).size).toBe(100);
	});

	it.each([
		{ what: 'a key climbing out', bad: log('run_wbad', '../x'), path: 'metrics.0.key', field: 'key' },
		{
			what: 'a fractional step',
			bad: {
				...log('run_wbad', 'loss'),
				metrics: [{ key: 'loss', value: 1, step: 1.5, timestamp: 1 }]
			} as Mutation,
			path: 'metrics.0.step',
			field: 'step'
		},
		{
			what: 'an empty model name',
			bad: { type: 'model.create', name: '' } as Mutation,
			path: 'name',
			field: 'name'
		}
	])(
		'refuses $what by the contract, naming the field, and writes nothing of the batch',
		async ({ bad, path, field }) => {
			const before = await count("SELECT COUNT(*) AS n FROM mutations WHERE workspace_id = 'local'");
			const out = await write(deps, 'local', [experiment('wbad', 'exp_wbad'), bad]);
			expect(out).toBeInstanceOf(InvalidInput);
			const e = out as InvalidInput;
			expect(e.code).toBe('invalid_request');
			expect(e.details).toEqual({ path });
			expect(e.message).toContain(`Invalid ${field} value at ${path}`);
			// Checked before the first was applied: the valid experiment before it is not written either.
			expect(
				await count("SELECT COUNT(*) AS n FROM experiments WHERE workspace_id = 'local' AND id = 'exp_wbad'")
			).toBe(0);
			expect(await count("SELECT COUNT(*) AS n FROM mutations WHERE workspace_id = 'local'")).toBe(before);
		}
	);

	it("returns the registry's refusal as a domain error type, with no HTTP status on it", async () => {
		const out = await write(deps, 'local', [log('run_missing', 'loss')]);
		expect(out).toBeInstanceOf(NotFound);
		expect(out).toMatchObject({ code: 'not_found' });
		expect('status' in (out as object)).toBe(false);
	});

	it("a browser's mutation applies once by its own id; a second write of it is a duplicate", async () => {
		const from = {
			clientId: 'client_w',
			id: 'mut_w_1',
			seq: 1,
			at: 1_700_000_000_000,
			scopes: ['write'] as const
		};
		const first = written(await write(deps, 'local', [experiment('wclient', 'exp_wclient')], { from }));
		expect(first).toEqual([{ id: 'mut_w_1', outcome: 'applied', seq: first[0].seq, result: null }]);
		expect(
			await count("SELECT COUNT(*) AS n FROM experiments WHERE workspace_id = 'local' AND id = 'exp_wclient'")
		).toBe(1);
		const again = written(await write(deps, 'local', [experiment('wclient', 'exp_wclient')], { from }));
		expect(again[0]).toMatchObject({ id: 'mut_w_1', outcome: 'duplicate', seq: first[0].seq });
		expect(
			await count(
				"SELECT COUNT(*) AS n FROM mutations WHERE workspace_id = 'local' AND mutation_id = 'mut_w_1'"
			)
		).toBe(1);
	});

	it("a browser's mutation its token may not make is Forbidden, and logged so the outbox moves on", async () => {
		const from = {
			clientId: 'client_w',
			id: 'mut_w_2',
			seq: 2,
			at: 1_700_000_000_001,
			scopes: ['write'] as const
		};
		const alias: Mutation = {
			type: 'model.alias.set',
			modelName: 'm',
			alias: 'champion',
			ref: { version: 1 }
		};
		const out = await write(deps, 'local', [alias], { from });
		expect(out).toBeInstanceOf(Forbidden);
		expect((out as Forbidden).message).toContain('"deploy"');
		const row = await db
			.prepare(
				"SELECT outcome, client_seq FROM mutations WHERE workspace_id = 'local' AND mutation_id = 'mut_w_2'"
			)
			.first<{ outcome: string; client_seq: number }>();
		expect(row).toEqual({ outcome: 'rejected', client_seq: 2 });
	});
});
