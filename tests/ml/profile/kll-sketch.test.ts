import { describe, expect, it } from 'vitest';
import {
	KllSketch,
	ProfileError,
	ProfileMismatchError,
	kllRankError,
	type KllSketchJSON
} from '../../../src/lib/ml/profile';
import { lowerBound, mulberry32, sorted, upperBound } from './helpers';

/**
 * The sup over all x of |F̂(x) − F(x)| against the true empirical CDF of `data` (sorted). F̂ steps only at retained
 * items, so the sup is reached at a retained item v (F̂(v) against F(v)) or just below one (F̂ of the previous item
 * against F(v⁻), the share < v).
 */
function maxRankError(sketch: KllSketch, data: Float64Array): number {
	const v = sketch.sortedView();
	const n = data.length;
	let worst = 0;
	let prev = 0;
	for (let i = 0; i < v.values.length; i++) {
		const x = v.values[i];
		if (i + 1 < v.values.length && v.values[i + 1] === x) continue;
		worst = Math.max(worst, Math.abs(prev - lowerBound(data, x) / n));
		const fx = v.cumulative[i] / n;
		worst = Math.max(worst, Math.abs(fx - upperBound(data, x) / n));
		prev = fx;
	}
	return worst;
}

function sketchOf(values: ArrayLike<number>, seed = 1, k?: number): KllSketch {
	const s = new KllSketch({ seed, k });
	for (let i = 0; i < values.length; i++) s.update(values[i]);
	return s;
}

function uniform(n: number, seed: number): Float64Array {
	const rng = mulberry32(seed);
	return Float64Array.from({ length: n }, () => rng());
}

describe('KllSketch', () => {
	it("publishes DataSketches' error: ε ≈ 1.33 % single-sided, 1.65 % double-sided at k = 200", () => {
		expect(kllRankError(200)).toBeCloseTo(0.0133, 4);
		expect(kllRankError(200, true)).toBeCloseTo(0.0165, 4);
		expect(new KllSketch().normalizedRankError()).toBe(0); // empty, hence exact
	});

	it('is exact while n ≤ k: every rank and quantile equals the data', () => {
		const data = Float64Array.from(uniform(200, 3), (x) => Math.round(x * 50)); // ties too
		const s = sketchOf(data);
		const sd = sorted(data);
		expect(s.isExact).toBe(true);
		expect(s.numRetained).toBe(200);
		for (const x of [...sd, -1, 0.5, 17.3, 99]) expect(s.rank(x)).toBe(upperBound(sd, x) / 200);
		for (let q = 0.005; q < 1; q += 0.01) expect(s.quantile(q)).toBe(sd[Math.ceil(q * 200) - 1]);
		expect([s.quantile(0), s.quantile(1), s.min, s.max]).toEqual([sd[0], sd[199], sd[0], sd[199]]);
		s.update(0.5);
		expect(s.isExact).toBe(false);
		expect(s.normalizedRankError()).toBe(kllRankError(200));
	});

	it('measures the rank error on 10^6 values within the published ε (random and sorted order)', () => {
		const data = uniform(1_000_000, 11);
		const sd = sorted(data);
		const random = sketchOf(data, 5);
		const ascending = sketchOf(sd, 5);
		const errRandom = maxRankError(random, sd);
		const errSorted = maxRankError(ascending, sd);
		let errQuantile = 0;
		for (let q = 0.001; q < 1; q += 0.001) {
			errQuantile = Math.max(errQuantile, Math.abs(upperBound(sd, random.quantile(q)) / 1e6 - q));
		}
		console.log(
			`KLL k=200, n=1e6: max |rank error| ${errRandom.toFixed(5)} (random order), ${errSorted.toFixed(5)} (sorted), ` +
				`quantile ${errQuantile.toFixed(5)}; published ε ${kllRankError(200).toFixed(5)}; ` +
				`${random.numRetained} items retained, ${JSON.stringify(random).length} JSON bytes`
		);
		const eps = kllRankError(200);
		expect(errRandom).toBeLessThanOrEqual(eps);
		expect(errSorted).toBeLessThanOrEqual(eps);
		expect(errQuantile).toBeLessThanOrEqual(eps);
		expect([random.n, random.min, random.max]).toEqual([1e6, sd[0], sd[sd.length - 1]]);
		expect(random.numRetained).toBeLessThan(800);
		expect(JSON.stringify(random).length).toBeLessThan(10_000);
	});

	it('merges: 20 sketches of 50,000 values stay within ε of the pooled 10^6', () => {
		const data = uniform(1_000_000, 12);
		const parts = Array.from({ length: 20 }, (_, i) =>
			sketchOf(data.subarray(i * 50_000, (i + 1) * 50_000), i + 1)
		);
		const merged = parts.reduce((a, b) => a.merge(b), new KllSketch({ seed: 99 }));
		expect(merged.n).toBe(1e6);
		expect(maxRankError(merged, sorted(data))).toBeLessThanOrEqual(kllRankError(200));
		// Merging small exact sketches whose total fits stays exact.
		const small = sketchOf([3, 1, 2]).merge(sketchOf([5, 4]));
		expect(small.isExact).toBe(true);
		expect(small.quantile(0.5)).toBe(3);
		// A sketch merged into itself counts everything twice.
		const self = sketchOf(uniform(1000, 4));
		self.merge(self);
		expect(self.n).toBe(2000);
	});

	it('is deterministic given its seed, and its JSON round trip continues identically', () => {
		const data = uniform(50_000, 13);
		const a = sketchOf(data, 42);
		const b = sketchOf(data, 42);
		expect(JSON.stringify(a)).toBe(JSON.stringify(b));
		expect(JSON.stringify(sketchOf(data, 43))).not.toBe(JSON.stringify(a));

		const back = KllSketch.fromJSON(JSON.parse(JSON.stringify(a)) as KllSketchJSON);
		expect(back.toJSON()).toEqual(a.toJSON());
		for (const q of [0.01, 0.25, 0.5, 0.9]) expect(back.quantile(q)).toBe(a.quantile(q));
		const more = uniform(30_000, 14);
		for (const x of more) {
			a.update(x);
			back.update(x);
		}
		expect(JSON.stringify(back)).toBe(JSON.stringify(a));
		// Float64 values survive bit for bit (base64 of their bytes).
		const odd = sketchOf([Math.PI, -0, 1e-310, Number.MAX_VALUE, -Number.MAX_VALUE]);
		expect(KllSketch.fromJSON(odd.toJSON()).sortedView().values).toEqual(odd.sortedView().values);
	});

	it('ignores non-finite values, answers NaN when empty, and refuses bad input by name', () => {
		const s = sketchOf([1, NaN, Infinity, -Infinity, 2]);
		expect(s.n).toBe(2);
		const empty = new KllSketch();
		expect([empty.min, empty.max, empty.quantile(0.5), empty.rank(1)]).toEqual([NaN, NaN, NaN, 0]);
		expect(() => new KllSketch({ k: 4 })).toThrow(ProfileError);
		expect(() => new KllSketch({ seed: -1 })).toThrow(ProfileError);
		expect(() => s.quantile(1.5)).toThrow(ProfileError);
		expect(() => s.merge(new KllSketch({ k: 100 }))).toThrow(ProfileMismatchError);
		const json = sketchOf(uniform(5000, 1)).toJSON();
		expect(() => KllSketch.fromJSON({ ...json, n: json.n + 1 })).toThrow(/weights sum/);
		expect(() => KllSketch.fromJSON({ ...json, items: json.items.slice(4) })).toThrow(ProfileError);
		expect(() => KllSketch.fromJSON({ ...json, items: '!!!!' + json.items.slice(4) })).toThrow(ProfileError);
	});
});
