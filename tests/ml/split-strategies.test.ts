import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	groupSplit,
	planSplit,
	strategyFractions,
	timeSplit,
	type SplitPlan
} from '../../src/lib/ml/split-strategies';
import type { SplitFractions, Splits } from '../../src/lib/ml/types';
import { cat, frame, num, times } from './frame';

const f = (train: number, validation: number, test: number): SplitFractions => ({ train, validation, test });
const fractions = f(0.7, 0.15, 0.15);

function ok(plan: SplitPlan): Splits & { note: string } {
	if (!plan.ok) throw new Error(`expected a split, got ${plan.code}: ${plan.message}`);
	return { ...plan.splits, note: plan.note };
}

const all = (s: Splits) => [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);
const fractionsArb = fc
	.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }))
	.map(([a, b, c]) => f(a / (a + b + c), b / (a + b + c), c / (a + b + c)));

describe('timeSplit: earliest rows train, latest test', () => {
	it('cuts a shuffled time column by shares and says where', () => {
		// Times 0…999 stored in a scrambled row order: the split follows time, not row position.
		const t = times(1000, (i) => (i * 7919) % 1000);
		const s = ok(timeSplit(frame(num('t', t)), { column: 't', fractions }));
		expect([s.train.length, s.validation.length, s.test.length]).toEqual([700, 150, 150]);
		expect(Math.max(...[...s.train].map((r) => t[r]))).toBe(699);
		expect(Math.min(...[...s.test].map((r) => t[r]))).toBe(850);
		expect(s.note).toBe(
			'time split on t: 700 / 150 / 150 rows (train 0…699, validation 700…849, test 850…999)'
		);
	});

	it('keeps equal times on one side: a cut inside a tie run moves to an end of it', () => {
		// 10 rows, times 0 0 0 1 1 1 1 2 2 3, shares 6/2/2. Cut 1 at 6 lies inside the 1s (rows 3…6): its nearer
		// end is 7. Cut 2 at 8 lies inside the 2s (7…8), one step from each end: the start (7) would empty
		// validation, so it takes the end, 9.
		const t = [0, 0, 0, 1, 1, 1, 1, 2, 2, 3];
		const s = ok(timeSplit(frame(num('t', t)), { column: 't', fractions: f(0.6, 0.2, 0.2) }));
		expect([...s.train]).toEqual([0, 1, 2, 3, 4, 5, 6]);
		expect([...s.validation]).toEqual([7, 8]);
		expect([...s.test]).toEqual([9]);
	});

	it('prefers the other end of a tie run when the nearer one empties a split', () => {
		const t = [0, 1, 2, 3, 4, 5, 6, 7, 7, 7];
		// Shares 7/2/1 → cut2 at 9 lies inside the 7s (7…10): the nearer end 10 empties test, so it moves to 7,
		// and cut1 (7) is the start of the run, so validation ends empty: refused by name.
		expect(timeSplit(frame(num('t', t)), { column: 't', fractions: f(0.7, 0.2, 0.1) })).toMatchObject({
			ok: false,
			code: 'split-empty',
			column: 't'
		});
		const u = [0, 1, 2, 3, 4, 5, 6, 6, 8, 9];
		const s = ok(timeSplit(frame(num('u', u)), { column: 'u', fractions: f(0.7, 0.1, 0.2) }));
		// Shares 7/1/2: cut 1 at 7 lies inside the 6s (rows 6…7), one step from each end: a tie takes the start,
		// so both 6s validate and nothing equal to a training time is validated on.
		expect([...s.train]).toEqual([0, 1, 2, 3, 4, 5]);
		expect([...s.validation]).toEqual([6, 7]);
		expect([...s.test]).toEqual([8, 9]);
	});

	it('property: train times ≤ validation times ≤ test times, sizes sum to the rows, ties never split', () => {
		fc.assert(
			fc.property(
				fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 10, maxLength: 300 }),
				fractionsArb,
				(t, fr) => {
					const plan = timeSplit(frame(num('t', t)), { column: 't', fractions: fr });
					if (!plan.ok) {
						expect(plan.code).toBe('split-empty');
						return;
					}
					const s = plan.splits;
					expect(all(s)).toEqual(t.map((_, i) => i));
					const times = (p: Uint32Array) => [...p].map((r) => t[r]);
					const parts = [s.train, s.validation, s.test].map(times).filter((p) => p.length);
					for (let i = 1; i < parts.length; i++)
						// Strictly less: equal times never sit on both sides of a cut.
						expect(Math.max(...parts[i - 1])).toBeLessThan(Math.min(...parts[i]));
					expect(s.train.length).toBeGreaterThan(0);
				}
			)
		);
	});

	it.each([
		{ name: 'no column chosen', column: '', code: 'split-column-missing', says: 'Pick the column' },
		{ name: 'a column not in the table', column: 'when', code: 'split-column-missing', says: '"when"' },
		{ name: 'a text column', column: 'c', code: 'split-column-not-orderable', says: 'is text' },
		{
			name: 'a time with nulls',
			column: 'n',
			code: 'split-column-has-missing',
			says: '2 rows (first: row 3)'
		}
	])('refuses $name with $code', ({ column, code, says }) => {
		const fr = frame(
			num(
				't',
				times(10, (i) => i)
			),
			cat(
				'c',
				times(10, (i) => `d${i}`)
			),
			num(
				'n',
				times(10, (i) => (i === 2 || i === 5 ? null : i))
			)
		);
		const plan = timeSplit(fr, { column, fractions });
		expect(plan).toMatchObject({ ok: false, code });
		if (!plan.ok) expect(plan.message).toContain(says);
	});
});

describe('groupSplit: every group wholly in one split', () => {
	const groups = times(1000, (i) => `g${i % 10}`);
	const g = frame(cat('g', groups));

	it('keeps each group whole, shares as close as 10 equal groups allow, and counts groups per split', () => {
		const s = ok(groupSplit(g, { column: 'g', seed: 42, fractions }));
		expect([s.train.length, s.validation.length, s.test.length]).toEqual([700, 200, 100]);
		expect(s.note).toBe('group split on g: 700 / 200 / 100 rows, 7 / 2 / 1 groups');
	});

	it('same seed → same split; another seed moves groups', () => {
		const a = ok(groupSplit(g, { column: 'g', seed: 1, fractions }));
		expect(ok(groupSplit(g, { column: 'g', seed: 1, fractions }))).toEqual(a);
		const others = [2, 3, 4, 5].map((seed) => ok(groupSplit(g, { column: 'g', seed, fractions })).test);
		expect(others.some((t) => [...t].join() !== [...a.test].join())).toBe(true);
	});

	it('does not depend on the row order (groups are ordered by value before the shuffle)', () => {
		const reversed = frame(cat('g', [...groups].reverse()));
		const a = ok(groupSplit(g, { column: 'g', seed: 9, fractions }));
		const b = ok(groupSplit(reversed, { column: 'g', seed: 9, fractions }));
		const names = (s: Uint32Array, col: string[]) => [...new Set([...s].map((r) => col[r]))].sort();
		expect(names(b.test, [...groups].reverse())).toEqual(names(a.test, groups));
	});

	it('property: no group in two splits, sizes sum to the rows, every wanted split gets a group', () => {
		fc.assert(
			fc.property(
				fc.array(fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }), { minLength: 3, maxLength: 300 }),
				fc.integer(),
				fractionsArb,
				(keys, seed, fr) => {
					const col = num('k', keys);
					const plan = groupSplit(frame(col), { column: 'k', seed, fractions: fr });
					const distinct = new Set(keys).size;
					if (distinct < 3) {
						expect(plan).toMatchObject({ ok: false, code: 'split-too-few-groups' });
						return;
					}
					const s = ok(plan);
					expect(all(s)).toEqual(keys.map((_, i) => i));
					const seen = new Map<number | null, string>();
					for (const part of ['train', 'validation', 'test'] as const) {
						expect(s[part].length).toBeGreaterThan(0);
						for (const r of s[part]) {
							const where = seen.get(keys[r]);
							if (where !== undefined) expect(where).toBe(part);
							seen.set(keys[r], part);
						}
					}
				}
			)
		);
	});

	it('treats NULL as one group of its own', () => {
		const k = times(30, (i) => (i % 3 === 0 ? null : `k${i % 3}`));
		const s = ok(groupSplit(frame(cat('k', k)), { column: 'k', seed: 1, fractions }));
		const nullsIn = [s.train, s.validation, s.test].filter((p) => [...p].some((r) => k[r] === null));
		expect(nullsIn).toHaveLength(1);
	});

	it('refuses fewer groups than non-empty splits, and a missing column, by name', () => {
		const two = groupSplit(
			frame(
				cat(
					'g',
					times(20, (i) => `g${i % 2}`)
				)
			),
			{ column: 'g', seed: 1, fractions }
		);
		expect(two).toMatchObject({ ok: false, code: 'split-too-few-groups', column: 'g' });
		if (!two.ok) expect(two.message).toContain('2 distinct values');
		expect(groupSplit(g, { column: 'nope', seed: 1, fractions })).toMatchObject({
			ok: false,
			code: 'split-column-missing',
			column: 'nope'
		});
	});
});

describe('planSplit and strategyFractions', () => {
	it('random is the seeded split of split.ts, with its counts in the note', () => {
		const s = ok(
			planSplit(
				frame(
					num(
						'x',
						times(100, (i) => i)
					)
				),
				{ strategy: 'random', column: '', seed: 3, fractions }
			)
		);
		expect(s.note).toBe('random split: 70 / 15 / 15 rows');
	});

	it('a table split tests elsewhere: the source gives train and validation only', () => {
		const fr = strategyFractions({ split: 'table', validation: 0.2, test: 0.15 });
		expect(fr).toEqual({ train: 0.8, validation: 0.2, test: 0 });
		const s = ok(
			planSplit(
				frame(
					num(
						'x',
						times(100, (i) => i)
					)
				),
				{
					strategy: 'table',
					column: '',
					testTable: 'holdout',
					testRows: 40,
					seed: 3,
					fractions: fr
				}
			)
		);
		expect([s.train.length, s.validation.length, s.test.length]).toEqual([80, 20, 0]);
		expect(s.note).toBe('test table holdout, train / validation by random split: 80 / 20 / 40 rows');
	});
});

describe('timeSplit notes read dates and timestamps as the user wrote them', () => {
	const day = 86_400_000;
	const start = Date.UTC(2024, 0, 1);
	const t = times(10, (i) => start + i * day);
	it.each([
		{
			as: 'date' as const,
			says: 'train 2024-01-01…2024-01-07, validation 2024-01-08…2024-01-08, test 2024-01-09…2024-01-10'
		},
		{ as: 'timestamp' as const, says: 'train 2024-01-01 00:00:00…2024-01-07 00:00:00' },
		{ as: 'number' as const, says: `train ${start}…` }
	])('$as', ({ as, says }) => {
		const s = ok(
			timeSplit(frame(num('day', t)), { column: 'day', fractions: f(0.7, 0.1, 0.2), timeFormat: as })
		);
		expect(s.note).toContain(says);
	});
});
