import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../../src/lib/contract';
import { experiment, runCreate } from '../registry-helpers';
import { ok, seed, type Seeded } from '../v1/fixtures';
import { check, hugeNumberText, jsonish, runs, unicodeKey, unicodeName, unicodeText } from './arbitraries';
import { expectRefused, send } from './refuse';

/**
 * Sync push envelopes. A valid push with one leaf anywhere in it (the envelope, the mutation, a metric inside
 * it) given another JSON type, a field added or taken away, or a number past any range is refused whole and
 * writes nothing. A valid push of Unicode text is applied, and the change is visible on pull and on read.
 */

let s: Seeded;
let n = 0;
beforeAll(async () => {
	s = await seed();
});

const logMutation = (runId: string): Mutation => ({
	type: 'run.log',
	runId,
	metrics: [{ key: 'loss', value: 0.25, step: 3, timestamp: 10 }],
	params: [{ key: 'lr', value: '0.1' }],
	tags: [{ key: 'note', value: 'x' }]
});

/** A fresh, valid push: its own client, sequence from 1. */
function validPush(kind: number): Record<string, unknown> {
	const id = `c${++n}`;
	const mutation = [
		experiment(`sync fz ${n}`, `exp_sfz${n}`),
		runCreate(`run_sfz${n}`, s.experimentId),
		logMutation(s.runId)
	][kind];
	return { clientId: id, mutations: [{ id: `m_${id}`, seq: 1, at: 1_700_000_000_000, mutation }] };
}

type Path = (string | number)[];
const valueAt = (root: unknown, path: Path) =>
	path.reduce<unknown>((v, p) => (v as Record<string | number, unknown>)[p], root);
/** Every leaf's path in a JSON value (arrays and objects walked, their empty selves included). */
function leaves(v: unknown, path: Path = []): Path[] {
	if (Array.isArray(v)) return v.length ? v.flatMap((x, i) => leaves(x, [...path, i])) : [path];
	if (v && typeof v === 'object') {
		const entries = Object.entries(v);
		return entries.length ? entries.flatMap(([k, x]) => leaves(x, [...path, k])) : [path];
	}
	return [path];
}
function setAt(root: unknown, path: Path, value: unknown): unknown {
	const copy = structuredClone(root) as Record<string | number, unknown>;
	let at = copy;
	for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
	if (value === DELETE) delete at[path.at(-1)!];
	else at[path.at(-1)!] = value;
	return copy;
}
const DELETE = Symbol('delete');

/** A value of another JSON type than `v` (never null: some fields are nullable). */
const otherType = (v: unknown) =>
	fc
		.oneof(
			fc.boolean(),
			fc.double(),
			unicodeText(),
			fc.array(fc.integer(), { minLength: 1, maxLength: 2 }),
			fc.dictionary(unicodeText(4), fc.integer(), { minKeys: 1, maxKeys: 2 })
		)
		.filter(
			(x) =>
				typeof x !== typeof v ||
				Array.isArray(x) !== Array.isArray(v) ||
				(typeof v === 'object' && v !== null && !Array.isArray(v) && Array.isArray(x))
		);

describe('fuzz: sync push envelopes', { timeout: 60_000 }, () => {
	it('one leaf of another type, anywhere, is refused whole and writes nothing', async () => {
		await check(
			fc.assert(
				fc.asyncProperty(
					fc.integer({ min: 0, max: 2 }),
					fc.nat(),
					fc.nat(),
					async (kind, pick, seedValue) => {
						const push = validPush(kind);
						// Not the nulls: a nullable field (notebookId) rightly takes a value of its other type.
						const all = leaves(push).filter((p) => p.length > 0 && valueAt(push, p) !== null);
						const path = all[pick % all.length];
						let original: unknown = push;
						for (const p of path) original = (original as Record<string | number, unknown>)[p];
						const value = fc.sample(otherType(original), { numRuns: 1, seed: seedValue })[0];
						await expectRefused(
							'/api/v1/sync/push',
							{ method: 'POST', json: setAt(push, path, value), token: 'test-admin-token' },
							`${path.join('.')}: ${JSON.stringify(value)}`
						);
					}
				),
				runs(40, 'sync-envelopes')
			)
		);
	});

	it('a field taken away or one too many is refused whole and writes nothing', async () => {
		await check(
			fc.assert(
				fc.asyncProperty(
					fc.integer({ min: 0, max: 2 }),
					fc.nat(),
					fc.boolean(),
					unicodeText(8),
					jsonish(2),
					async (kind, pick, remove, extra, value) => {
						const push = validPush(kind);
						// Objects only: taking an item out of an array (a metric, a tag) leaves a valid push.
						const objects = leaves(push)
							.filter((p) => p.length > 0 && typeof p.at(-1) === 'string')
							.filter(
								(p) =>
									!(
										p.at(-1) === 'lineage' ||
										p.at(-1) === 'parentId' ||
										p.at(-1) === 'notebookId' ||
										p.at(-1) === 'cellId'
									)
							);
						const path = objects[pick % objects.length];
						const broken = remove
							? setAt(push, path, DELETE)
							: setAt(push, [...path.slice(0, -1), `x_${extra}`], value);
						await expectRefused(
							'/api/v1/sync/push',
							{ method: 'POST', json: broken, token: 'test-admin-token' },
							`${remove ? 'without' : 'beside'} ${path.join('.')}`
						);
					}
				),
				runs(30, 'sync-envelopes')
			)
		);
	});

	it('numbers past any range in seq, at, step, timestamp or value are never a 5xx; a refusal writes nothing', async () => {
		await check(
			fc.assert(
				fc.asyncProperty(
					fc.constantFrom('seq', 'at', 'step', 'timestamp', 'value'),
					hugeNumberText,
					async (field, text) => {
						const push = validPush(2);
						const body = JSON.stringify(push).replace(new RegExp(`"${field}":[^,}]+`), `"${field}":${text}`);
						await send(
							'/api/v1/sync/push',
							{
								method: 'POST',
								body,
								headers: { 'content-type': 'application/json' },
								token: 'test-admin-token'
							},
							`${field}: ${text}`
						);
					}
				),
				runs(20, 'sync-envelopes')
			)
		);
	});

	it('a valid push of Unicode text is applied and visible on pull and on read', async () => {
		await check(
			fc.assert(
				fc.asyncProperty(unicodeName, unicodeKey, unicodeText(), async (base, key, value) => {
					const name = `${base} ${++n}`;
					const id = `exp_su${n}`;
					const client = `cu${n}`;
					const mutations: Mutation[] = [
						experiment(name, id),
						{ type: 'experiment.tag.set', experimentId: id, key, value }
					];
					const pushed = await ok<{ results: { outcome: string }[] }>('/api/v1/sync/push', {
						method: 'POST',
						json: {
							clientId: client,
							mutations: mutations.map((mutation, i) => ({
								id: `m_${client}_${i}`,
								seq: i + 1,
								at: 1_700_000_000_000,
								mutation
							}))
						}
					});
					expect(pushed.results.map((r) => r.outcome)).toEqual(['applied', 'applied']);
					expect(await ok(`/api/v1/experiments/${id}`)).toMatchObject({ name });
					const pulled = await ok<{ changes: { mutation: unknown }[] }>(
						`/api/v1/sync/pull?cursor=0&limit=500`
					);
					expect(pulled.changes.map((c) => c.mutation)).toEqual(expect.arrayContaining(mutations));
				}),
				runs(10, 'sync-envelopes')
			)
		);
	});
});
