import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocate, fractionsProblem, split, splitSizes } from '../../src/lib/ml/split';
import type { SplitFractions } from '../../src/lib/ml/types';

const f = (train: number, validation: number, test: number): SplitFractions => ({ train, validation, test });

describe('allocate: largest remainder, train first, every split fed when the group allows', () => {
	const cases = [
		{ n: 10, fr: f(0.7, 0.15, 0.15), out: [7, 2, 1], why: '1.5/1.5 tie goes to the earlier split' },
		{ n: 100, fr: f(0.8, 0.1, 0.1), out: [80, 10, 10], why: 'exact' },
		{ n: 7, fr: f(0.6, 0.2, 0.2), out: [4, 2, 1], why: '4.2/1.4/1.4' },
		{ n: 3, fr: f(0.7, 0.15, 0.15), out: [1, 1, 1], why: '2/1/0 → test takes one from train' },
		{ n: 2, fr: f(0.7, 0.15, 0.15), out: [2, 0, 0], why: 'fewer rows than splits: no bump' },
		{ n: 1, fr: f(0.1, 0.45, 0.45), out: [1, 0, 0], why: 'training always gets the first row' },
		{ n: 5, fr: f(0.5, 0.5, 0), out: [3, 2, 0], why: 'a zero fraction stays empty' },
		{ n: 10, fr: f(1, 0, 0), out: [10, 0, 0], why: 'all training' },
		{ n: 10, fr: f(0.9, 0.05, 0.05), out: [8, 1, 1], why: '9/1/0 → test takes one from train' },
		{ n: 0, fr: f(0.7, 0.15, 0.15), out: [0, 0, 0], why: 'empty group' }
	];
	it.each(cases)('$n rows × $fr.train/$fr.validation/$fr.test → $out ($why)', ({ n, fr, out }) =>
		expect(allocate(n, fr)).toEqual(out)
	);
});

describe('fractionsProblem', () => {
	it.each([
		{ fr: f(0.7, 0.15, 0.15), problem: null },
		{ fr: f(0.5, 0.5, 0.5), problem: /sum to 1/ },
		{ fr: f(0, 0.5, 0.5), problem: /training fraction/ },
		{ fr: f(1.2, -0.1, -0.1), problem: /≥ 0/ },
		{ fr: f(NaN, 0.5, 0.5), problem: /finite/ }
	])('$fr', ({ fr, problem }) => {
		const got = fractionsProblem(fr);
		if (problem === null) expect(got).toBeNull();
		else expect(got).toMatch(problem);
	});
});

describe('split', () => {
	it('is pinned for a seed (hand-traced through the Python mulberry32)', () => {
		const s = split({ rows: 10, seed: 42, fractions: f(0.6, 0.2, 0.2) });
		expect([...s.train]).toEqual([0, 1, 2, 3, 5, 7]);
		expect([...s.validation]).toEqual([8, 9]);
		expect([...s.test]).toEqual([4, 6]);
	});

	it('stratifies per class in ascending class order', () => {
		// Class 0: rows 0-5 → 3/2/1 (3/1.5/1.5); class 1: rows 6-9 → 2/1/1.
		const stratify = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
		const s = split({ rows: 10, seed: 7, fractions: f(0.5, 0.25, 0.25), stratify });
		expect([...s.train]).toEqual([1, 2, 4, 6, 8]);
		expect([...s.validation]).toEqual([3, 5, 9]);
		expect([...s.test]).toEqual([0, 7]);
	});

	it('splits only the given row ids, labels looked up by row id', () => {
		const rows = Uint32Array.from([3, 4, 8, 9, 12, 13, 20, 21, 22]);
		const stratify = new Int32Array(23).fill(1);
		for (const r of [3, 8, 12]) stratify[r] = 0;
		const s = split({ rows, seed: 1, fractions: f(0.4, 0.3, 0.3), stratify });
		expect([...s.train, ...s.validation, ...s.test].sort((a, b) => a - b)).toEqual([...rows]);
		for (const part of [s.train, s.validation, s.test])
			expect([...part].filter((r) => stratify[r] === 0)).toHaveLength(1);
	});

	it('same seed, same split; another seed, another split', () => {
		const a = split({ rows: 100, seed: 3, fractions: f(0.7, 0.15, 0.15) });
		expect(split({ rows: 100, seed: 3, fractions: f(0.7, 0.15, 0.15) })).toEqual(a);
		expect(split({ rows: 100, seed: 4, fractions: f(0.7, 0.15, 0.15) }).train).not.toEqual(a.train);
	});

	it('refuses bad fractions and short label arrays', () => {
		expect(() => split({ rows: 10, seed: 1, fractions: f(0.5, 0.5, 0.5) })).toThrow(RangeError);
		expect(() =>
			split({ rows: 10, seed: 1, fractions: f(0.8, 0.1, 0.1), stratify: new Int32Array(5) })
		).toThrow(RangeError);
	});

	it('partitions the rows, matches splitSizes, and feeds every split from each class of ≥ 3 rows', () => {
		const fractions = fc
			.tuple(
				fc.integer({ min: 1, max: 20 }),
				fc.integer({ min: 1, max: 20 }),
				fc.integer({ min: 1, max: 20 })
			)
			.map(([a, b, c]) => f(a / (a + b + c), b / (a + b + c), c / (a + b + c)));
		fc.assert(
			fc.property(
				fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 200 }),
				fc.integer(),
				fractions,
				(labels, seed, fr) => {
					const stratify = Int32Array.from(labels);
					const s = split({ rows: labels.length, seed, fractions: fr, stratify });
					const all = [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);
					expect(all).toEqual(labels.map((_, i) => i));
					const counts = [0, 1, 2, 3, 4]
						.map((k) => labels.filter((l) => l === k).length)
						.filter((c) => c > 0);
					const sizes = splitSizes({ rows: labels.length, fractions: fr, classCounts: counts });
					expect([s.train.length, s.validation.length, s.test.length]).toEqual([
						sizes.train,
						sizes.validation,
						sizes.test
					]);
					for (let k = 0; k <= 4; k++) {
						const n = labels.filter((l) => l === k).length;
						if (n === 0) continue;
						const inPart = (p: Uint32Array) => [...p].filter((r) => labels[r] === k).length;
						expect(inPart(s.train)).toBeGreaterThan(0);
						if (n >= 3) expect(Math.min(inPart(s.validation), inPart(s.test))).toBeGreaterThan(0);
					}
				}
			)
		);
	});
});
