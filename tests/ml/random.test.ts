import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deriveSeed, mulberry32, range, shuffle } from '../../src/lib/ml/random';

// Expected values come from an independent Python implementation of mulberry32 (unsigned 32-bit arithmetic),
// so they pin the algorithm, not this file's own output: a run seeded in Chrome must replay in Firefox/Node/workerd.
describe('mulberry32 gives the same sequence in every engine', () => {
	const cases = [
		{ seed: 0, first: [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197] },
		{ seed: 1, first: [0.6270739405881613, 0.002735721180215478, 0.5274470399599522] },
		{ seed: 42, first: [0.6011037519201636, 0.44829055899754167, 0.8524657934904099] },
		{ seed: 0xffffffff, first: [0.8964226141106337, 0.189478256739676, 0.7156526781618595] },
		{ seed: -1, first: [0.8964226141106337, 0.189478256739676, 0.7156526781618595] }
	];
	it.each(cases)('seed $seed', ({ seed, first }) => {
		const rng = mulberry32(seed);
		expect([rng(), rng(), rng()]).toEqual(first);
	});

	it('stays in [0, 1)', () => {
		fc.assert(
			fc.property(fc.integer(), (seed) => {
				const rng = mulberry32(seed);
				for (let i = 0; i < 50; i++) {
					const v = rng();
					if (!(v >= 0 && v < 1)) return false;
				}
				return true;
			})
		);
	});
});

describe('deriveSeed separates streams of one seed', () => {
	it.each([
		{ seed: 42, stream: 0, out: 142593372 },
		{ seed: 42, stream: 1, out: 3856264912 },
		{ seed: 0, stream: 0, out: 0 }
	])('($seed, $stream) → $out', ({ seed, stream, out }) => expect(deriveSeed(seed, stream)).toBe(out));
});

describe('shuffle', () => {
	it.each([
		{ n: 5, seed: 42, out: [0, 4, 2, 1, 3] },
		{ n: 10, seed: 7, out: [6, 5, 8, 1, 2, 3, 4, 7, 9, 0] },
		{ n: 1, seed: 7, out: [0] },
		{ n: 0, seed: 7, out: [] }
	])('permutation of $n with seed $seed is pinned', ({ n, seed, out }) => {
		expect([...shuffle(range(n), mulberry32(seed))]).toEqual(out);
	});

	it('works in place on plain arrays too and returns the same array', () => {
		const a = [0, 1, 2, 3, 4];
		expect(shuffle(a, mulberry32(42))).toBe(a);
		expect(a).toEqual([0, 4, 2, 1, 3]);
	});

	it('is a permutation', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (n, seed) => {
				const out = [...shuffle(range(n), mulberry32(seed))].sort((a, b) => a - b);
				return out.every((v, i) => v === i);
			})
		);
	});
});
