import { describe, expect, it } from 'vitest';
import {
	chiSquare,
	chiSquareFromCounts,
	chiSquareTest,
	chooseStatTest,
	datasetDrift,
	defaultDriftTest,
	DriftInputError,
	driftTest,
	jensenShannonDistance,
	jensenShannonFromCounts,
	ks2samp,
	psiFromCounts,
	sturgesEdges,
	wassersteinDistance,
	wassersteinNorm,
	wassersteinNormWeighted,
	zTestFromCounts,
	zTestProportions
} from '../../../src/lib/ml/drift';

const close = (a: number, b: number, tol = 1e-12) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol);
const range = (n: number, f: (i: number) => number = (i) => i) => Array.from({ length: n }, (_, i) => f(i));

describe('hand cases (values from the SciPy documentation or worked by hand)', () => {
	it('ks2samp: identical samples give D = 0, p = 1; disjoint 4 vs 4 give 2/C(8,4)', () => {
		expect(ks2samp([1, 2, 3], [3, 2, 1])).toEqual({ statistic: 0, pvalue: 1, method: 'exact' });
		const r = ks2samp([1, 2, 3, 4], [5, 6, 7, 8]);
		expect(r.statistic).toBe(1);
		close(r.pvalue, 2 / 70);
	});
	it('ks2samp switches to the asymptotic distribution above 10000 values', () => {
		expect(ks2samp(range(10000), range(10)).method).toBe('exact');
		expect(ks2samp(range(10001), range(10)).method).toBe('asymp');
	});
	it('wasserstein_distance docstring examples', () => {
		expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBe(5);
		close(wassersteinDistance([0, 1], [0, 1], [3, 1], [2, 2]), 0.25);
	});
	it('normed Wasserstein divides by the population std of the reference, at least 0.001', () => {
		// reference [0, 2]: std (ddof 0) = 1; current shifted by 3 → W1 = 3.
		close(wassersteinNorm([0, 2], [3, 5]), 3);
		// constant reference: std 0 → norm 0.001.
		close(wassersteinNorm([1, 1], [2, 2]), 1000, 1e-9);
	});
	it('jensenshannon docstring examples, base 2 and e; inputs are normalised', () => {
		expect(jensenShannonDistance([1, 0, 0], [0, 1, 0], 2)).toBe(1);
		close(jensenShannonDistance([1, 0], [0.5, 0.5], Math.E), 0.46450140402245893);
		close(jensenShannonDistance([2, 0], [1, 1], Math.E), 0.46450140402245893);
		expect(jensenShannonDistance([1, 2, 3], [2, 4, 6])).toBe(0);
	});
	it('chisquare docstring example', () => {
		const r = chiSquare([16, 18, 16, 14, 12, 12], [16, 16, 16, 16, 16, 8]);
		expect(r).toMatchObject({ statistic: 3.5, dof: 5 });
		close(r.pvalue, 0.6233876277495822, 1e-14);
	});
	it('chi-square test on raw data: expected from reference proportions; a new category gives p = 0', () => {
		// ref a:2 b:2 (n 4), cur a:3 b:1 (n 4): expected 2, 2 → χ² = 1/2 + 1/2 = 1.
		expect(chiSquareTest(['a', 'a', 'b', 'b'], ['a', 'a', 'a', 'b']).statistic).toBe(1);
		const r = chiSquareTest(['a', 'b', 'a', 'b'], ['a', 'b', 'c']);
		expect(r.statistic).toBe(Infinity);
		expect(r.pvalue).toBe(0);
		expect(
			chiSquareFromCounts(
				new Map([
					['a', 2],
					['b', 2]
				]),
				{ a: 3, b: 1 }
			).statistic
		).toBe(1);
	});
	it('Z-test: 50/100 vs 70/100 ones', () => {
		const ref = [...range(50, () => 0), ...range(50, () => 1)];
		const cur = [...range(30, () => 0), ...range(70, () => 1)];
		const r = zTestProportions(ref, cur);
		close(r.statistic, -2.886751345948128);
		close(r.pvalue, 0.0038924171227785465, 1e-15);
		expect(zTestFromCounts({ 0: 50, 1: 50 }, { 0: 30, 1: 70 })).toEqual(r);
		expect(zTestProportions(['y', 'y'], ['y'])).toEqual({ statistic: 0, pvalue: 1 });
	});
	it('PSI from counts: shares [½, ½] vs [¼, ¾] give ¼·ln 3; an empty bin is filled with 1e-4', () => {
		close(psiFromCounts({ a: 2, b: 2 }, { a: 1, b: 3 }), 0.25 * Math.log(3));
		const filled = 0.5 * Math.log(1 / 0.5) + (1e-4 - 0.5) * Math.log(1e-4 / 0.5);
		close(psiFromCounts({ a: 10, b: 0 }, { a: 5, b: 5 }), filled);
	});
	it('JS from counts keeps empty bins out of the sum (no zero filling)', () => {
		close(jensenShannonFromCounts({ a: 1, b: 0 }, { a: 1, b: 0 }), 0);
	});
	it('Sturges edges as numpy: ⌈log2 N + 1⌉ equal bins over the pooled range', () => {
		const e = sturgesEdges(range(16));
		expect(e.length).toBe(6); // log2 16 + 1 = 5 bins
		expect(e[0]).toBe(0);
		expect(e[5]).toBe(15);
	});
	it('weighted normed Wasserstein equals the raw one when points are the distinct values with counts', () => {
		const ref = [1, 1, 2, 5, 5, 5];
		const cur = [2, 2, 3, 7];
		close(
			wassersteinNormWeighted([1, 2, 5], [2, 1, 3], [2, 3, 7], [2, 1, 1]),
			wassersteinNorm(ref, cur),
			1e-12
		);
	});
});

describe("Evidently's default test, thresholds and dataset drift", () => {
	const many = (n: number) => range(n, (i) => i % 7);
	it('picks the test by reference size, kind and distinct values over both sides', () => {
		expect(chooseStatTest(many(1000), many(50), 'numeric').name).toBe('ks');
		expect(chooseStatTest(many(1001), many(50), 'numeric').name).toBe('wasserstein');
		expect(
			chooseStatTest(
				range(1000, (i) => i % 5),
				[1],
				'numeric'
			).name
		).toBe('chisquare');
		expect(
			chooseStatTest(
				range(1000, (i) => i % 2),
				[1],
				'numeric'
			).name
		).toBe('z');
		expect(
			chooseStatTest(
				range(1001, (i) => i % 5),
				[1],
				'numeric'
			).name
		).toBe('jensenshannon');
		expect(chooseStatTest(['a', 'b', 'c'], ['a'], 'categorical').name).toBe('chisquare');
		expect(chooseStatTest(['a', 'b'], ['a'], 'categorical').name).toBe('z');
		expect(chooseStatTest(['a'], ['b'], 'categorical').name).toBe('z');
		// n_values counts both sides: 5 in the reference + a 6th in the current makes it numeric-many.
		expect(chooseStatTest([1, 2, 3, 4, 5], [6], 'numeric').name).toBe('ks');
		// NaN is dropped before counting rows: 1000 values + NaNs is still a small reference.
		expect(chooseStatTest([...many(1000), NaN, NaN], [1, 2], 'numeric').name).toBe('ks');
	});
	it('ks drifts at p ≤ threshold; chisquare and z at p < threshold; distances at ≥', () => {
		const a = [1, 2, 3, 4];
		const b = [5, 6, 7, 8];
		const p = ks2samp(a, b).pvalue;
		expect(driftTest('ks', a, b, p).drifted).toBe(true);
		const z = zTestProportions(['a', 'a', 'b'], ['b', 'b', 'b']).pvalue;
		expect(driftTest('z', ['a', 'a', 'b'], ['b', 'b', 'b'], z).drifted).toBe(false);
		const w = wassersteinNorm([0, 2], [3, 5]);
		expect(driftTest('wasserstein', [0, 2], [3, 5], w)).toMatchObject({
			drifted: true,
			statistic: w,
			score: w
		});
		const r = defaultDriftTest(a, b, 'numeric');
		expect(r).toMatchObject({ test: 'ks', threshold: 0.05, statistic: 1 });
		expect(r.pvalue).toBe(r.score);
	});
	it('dataset drift when the share of drifted columns reaches 0.5', () => {
		expect(datasetDrift([{ drifted: true }, { drifted: false }])).toEqual({
			numberOfDriftedColumns: 1,
			share: 0.5,
			datasetDrift: true
		});
		expect(
			datasetDrift({ a: { drifted: true }, b: { drifted: false }, c: { drifted: false } }).datasetDrift
		).toBe(false);
		expect(datasetDrift([{ drifted: true }, { drifted: false }, { drifted: false }], 0.3).datasetDrift).toBe(
			true
		);
	});
});

describe('input handling', () => {
	it('drops NaN, null and ±Infinity as Evidently does', () => {
		expect(ks2samp([1, NaN, 2, Infinity, 3], [4, 5, -Infinity, 6])).toEqual(ks2samp([1, 2, 3], [4, 5, 6]));
		expect(chiSquareTest(['a', null, 'b', undefined], ['a', 'b'])).toEqual(
			chiSquareTest(['a', 'b'], ['a', 'b'])
		);
		expect(wassersteinNorm([0, NaN, 2], [3, 5, null as unknown as number])).toBe(
			wassersteinNorm([0, 2], [3, 5])
		);
	});
	it('refuses bad input with DriftInputError', () => {
		const bad: [string, () => unknown][] = [
			['empty sample', () => ks2samp([], [1])],
			['only NaN', () => ks2samp([NaN, null as unknown as number], [1])],
			['strings in a numeric column', () => ks2samp(['a' as unknown as number], [1])],
			['p and q of different lengths', () => jensenShannonDistance([1, 2], [1])],
			['negative probability', () => jensenShannonDistance([1, -1], [1, 1])],
			['zero-sum p', () => jensenShannonDistance([0, 0], [1, 1])],
			['base 1', () => jensenShannonDistance([1, 0], [0, 1], 1)],
			['negative observed count', () => chiSquare([1, -1], [0, 0])],
			['observed and expected totals differ', () => chiSquare([1, 2], [1, 1])],
			['mismatched chi-square lengths', () => chiSquare([1, 2], [3])],
			['negative count in a profile', () => psiFromCounts({ a: -1, b: 2 }, { a: 1 })],
			['NaN count in a profile', () => chiSquareFromCounts(new Map([['a', NaN]]), { a: 1 })],
			['all-zero counts', () => psiFromCounts({ a: 0 }, { a: 1 })],
			['negative weight', () => wassersteinDistance([1, 2], [1], [1, -1])],
			['weights of another length', () => wassersteinDistance([1, 2], [1], [1])],
			['zero weights', () => wassersteinDistance([1, 2], [1], [0, 0])],
			['empty Wasserstein side', () => wassersteinDistance([], [1])],
			['numbers and strings in one Z-test', () => zTestProportions([1, 'a'], ['a'])],
			['empty column after cleaning', () => chiSquareTest([null, undefined], ['a'])],
			['no column results', () => datasetDrift([])],
			['unknown test', () => driftTest('t-test' as never, [1], [2])]
		];
		for (const [what, f] of bad) expect(f, what).toThrow(DriftInputError);
	});
});
