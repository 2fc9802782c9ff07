import { describe, expect, it } from 'vitest';
import {
	CategoricalProfile,
	DatasetProfile,
	NumericProfile,
	OTHER_CATEGORY,
	PREDICTION_FEATURE,
	PROFILE_VERSION,
	ProfileError,
	ProfileMismatchError,
	ProfileVersionError,
	binIndex,
	equalWidthEdges,
	histogramCounts,
	kllRankError,
	mergeProfiles,
	profileDataset,
	quantileEdges,
	sketchKsTest,
	weightedPoints,
	windowProfile,
	type DatasetProfileJSON
} from '../../../src/lib/ml/profile';
import { mulberry32, normal, sorted, upperBound } from './helpers';

/** A small mixed table with every kind of null. */
function table(n: number, seed: number) {
	const rng = mulberry32(seed);
	const age: unknown[] = [];
	const city: unknown[] = [];
	const score: unknown[] = [];
	for (let i = 0; i < n; i++) {
		const r = rng();
		age.push(r < 0.02 ? null : r < 0.03 ? NaN : r < 0.035 ? Infinity : Math.round(40 + 12 * normal(rng)));
		city.push(r < 0.05 ? undefined : ['Paris', 'Lyon', 'Nice', 'Lille'][Math.floor(rng() * 4)]);
		score.push(r > 0.99 ? undefined : 3 * normal(rng) + 1);
	}
	return { age, city, score };
}

const relClose = (a: number, b: number) =>
	expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));

describe('histogram bins', () => {
	it('equal-width and quantile edges, closed last bin, underflow and overflow', () => {
		const e = equalWidthEdges(0, 10, 5);
		expect(e).toEqual([0, 2, 4, 6, 8, 10]);
		expect([-1, 0, 1.99, 2, 9.99, 10, 10.01].map((x) => binIndex(e, x))).toEqual([0, 1, 1, 2, 5, 5, 6]);
		expect(equalWidthEdges(3, 3)).toEqual([3, 3]);
		expect([2, 3, 4].map((x) => binIndex([3, 3], x))).toEqual([0, 1, 2]);
		expect(quantileEdges([1, 1, 1, 1, 2, 2, 3, 9], 4)).toEqual([1, 2, 3, 9]);
		expect(binIndex([], 5)).toBe(0);
	});
});

describe('NumericProfile', () => {
	it('merge equals the profile of the concatenated data (exact counts, mean/std to 1e-12, quantiles within ε)', () => {
		const { score: a } = table(30_000, 1);
		const { score: b } = table(20_000, 2);
		const ref = profileDataset({ score: [...a, ...b] }).numeric('score');
		const pa = new NumericProfile({ edges: ref.edges.slice(), seed: 1 });
		const pb = new NumericProfile({ edges: ref.edges.slice(), seed: 2 });
		a.forEach((x) => pa.update(x));
		b.forEach((x) => pb.update(x));
		const merged = pa.clone().merge(pb);
		expect([merged.count, merged.nulls, merged.min, merged.max]).toEqual([
			ref.count,
			ref.nulls,
			ref.min,
			ref.max
		]);
		expect(merged.counts).toEqual(ref.counts);
		relClose(merged.mean, ref.mean);
		relClose(merged.std, ref.std);
		relClose(merged.stdPopulation, ref.stdPopulation);
		// Against numbers computed directly from the data.
		const xs = [...a, ...b].filter((x): x is number => typeof x === 'number');
		const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
		const ss = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
		relClose(merged.mean, mean);
		relClose(merged.std, Math.sqrt(ss / (xs.length - 1)));
		relClose(merged.stdPopulation, Math.sqrt(ss / xs.length));
		const sd = sorted(xs);
		for (let q = 0.01; q < 1; q += 0.01)
			expect(Math.abs(upperBound(sd, merged.sketch.quantile(q)) / sd.length - q)).toBeLessThanOrEqual(
				kllRankError(200)
			);
		expect(pa.count + pb.count).toBe(merged.count); // the inputs of clone().merge are untouched
	});

	it('counts null, undefined, NaN, ±Infinity and non-numbers as nulls without crashing', () => {
		const p = new NumericProfile({ edges: [0, 1] });
		for (const v of [null, undefined, NaN, Infinity, -Infinity, '3', true, {}, 0.5]) p.update(v);
		expect([p.count, p.nulls, p.rows, p.mean, p.min, p.max]).toEqual([1, 8, 9, 0.5, 0.5, 0.5]);
		expect(p.std).toBeNaN(); // one value: no sample std
		expect(p.stdPopulation).toBe(0);
		expect(p.sketch.n).toBe(1);
		const empty = new NumericProfile({ edges: [] });
		expect([empty.mean, empty.min, empty.std]).toEqual([0, NaN, NaN]);
		expect(NumericProfile.fromJSON(empty.toJSON()).toJSON()).toEqual(empty.toJSON());
	});

	it('refuses to merge profiles with different bin edges or k, by name, and leaves itself unchanged', () => {
		const a = new NumericProfile({ edges: [0, 1, 2] });
		a.update(1);
		const before = JSON.stringify(a);
		const other = new NumericProfile({ edges: [0, 1, 3] });
		expect(() => a.merge(other)).toThrow(ProfileMismatchError);
		expect(() => a.merge(new NumericProfile({ edges: [0, 1, 2], k: 100 }))).toThrow(ProfileMismatchError);
		expect(JSON.stringify(a)).toBe(before);
		expect(() => new NumericProfile({ edges: [2, 1] })).toThrow(ProfileError);
		expect(() => new NumericProfile({ edges: [0, NaN] })).toThrow(ProfileError);
	});
});

describe('CategoricalProfile', () => {
	it('merge equals the concatenated data under the cap; top-k plus other', () => {
		const { city: a } = table(5000, 3);
		const { city: b } = table(3000, 4);
		const pa = new CategoricalProfile();
		const pb = new CategoricalProfile();
		const all = new CategoricalProfile();
		a.forEach((x) => pa.update(x));
		b.forEach((x) => pb.update(x));
		[...a, ...b].forEach((x) => all.update(x));
		expect(pa.clone().merge(pb).toJSON()).toEqual(all.toJSON());
		const top = all.top(2);
		expect(top.categories).toHaveLength(2);
		expect(top.categories[0].count).toBeGreaterThanOrEqual(top.categories[1].count);
		expect(top.categories[0].count + top.categories[1].count + top.other).toBe(all.count);
		expect(all.nulls).toBe(a.filter((x) => x === undefined).length + b.filter((x) => x === undefined).length);
	});

	it('stops tracking new categories at the cap; a merge past the cap keeps the most frequent', () => {
		const p = new CategoricalProfile({ cap: 3 });
		for (const v of ['a', 'a', 'b', 1, '1', true, 'c', 'd', null, NaN]) p.update(v);
		expect(p.toJSON()).toEqual({
			kind: 'categorical',
			cap: 3,
			nulls: 2,
			other: 3, // true, c, d arrived with the cap full
			categories: [
				['1', 2],
				['a', 2],
				['b', 1]
			]
		});
		const q = new CategoricalProfile({ cap: 3 });
		for (const v of ['z', 'z', 'z', 'y', 'y', 'y']) q.update(v);
		const m = p.clone().merge(q);
		expect(m.toJSON().categories).toEqual([
			['y', 3],
			['z', 3],
			['1', 2]
		]);
		expect(m.count).toBe(p.count + q.count);
		expect(() => p.merge(new CategoricalProfile({ cap: 4 }))).toThrow(ProfileMismatchError);
	});
});

describe('DatasetProfile', () => {
	it('a reference, two windows fed row by row, merged: equal to profiling the pooled rows with the same bins', () => {
		const ref = profileDataset(table(20_000, 5), { seed: 9 });
		expect([...ref.features].map(([n, f]) => [n, f.kind])).toEqual([
			['age', 'numeric'],
			['city', 'categorical'],
			['score', 'numeric']
		]);
		const h1 = windowProfile(ref, { start: 0, end: 3_600_000 });
		const h2 = windowProfile(ref, { start: 3_600_000, end: 7_200_000 });
		const t1 = table(4000, 6);
		const t2 = table(6000, 7);
		const rows = (t: ReturnType<typeof table>) =>
			t.age.map((_, i) => ({ age: t.age[i], city: t.city[i], score: t.score[i], ignored: 1 }));
		rows(t1).forEach((r) => h1.updateRow(r));
		rows(t2).forEach((r) => h2.updateRow(r));
		const day = mergeProfiles(h1, h2);
		expect([day.rowCount, day.windowStart, day.windowEnd]).toEqual([10_000, 0, 7_200_000]);
		const pooled = windowProfile(ref, { start: 0 });
		[...rows(t1), ...rows(t2)].forEach((r) => pooled.updateRow(r));
		for (const name of ['age', 'score']) {
			const [m, p] = [day.numeric(name), pooled.numeric(name)];
			expect([m.count, m.nulls, m.min, m.max, m.counts]).toEqual([p.count, p.nulls, p.min, p.max, p.counts]);
			relClose(m.mean, p.mean);
			relClose(m.std, p.std);
			expect(m.edges).toEqual(ref.numeric(name).edges);
		}
		expect(day.categorical('city').toJSON()).toEqual(pooled.categorical('city').toJSON());
		expect(h1.rowCount).toBe(4000); // mergeProfiles changed neither input
	});

	it('JSON round trip is exact, carries a version, and refuses another version or malformed counts by name', () => {
		const ref = profileDataset(
			{
				...table(5000, 8),
				[PREDICTION_FEATURE]: Array.from({ length: 5000 }, (_, i) => (i % 3 ? 'yes' : 'no'))
			},
			{ binning: 'quantile', windowStart: 10, windowEnd: 20 }
		);
		const text = JSON.stringify(ref);
		const json = JSON.parse(text) as DatasetProfileJSON;
		expect(json.version).toBe(PROFILE_VERSION);
		const back = DatasetProfile.fromJSON(json);
		expect(JSON.stringify(back)).toBe(text);
		expect(back.numeric('score').sketch.quantile(0.5)).toBe(ref.numeric('score').sketch.quantile(0.5));
		expect(back.categorical(PREDICTION_FEATURE).counts.get('yes')).toBe(3333);
		expect(() => DatasetProfile.fromJSON({ ...json, version: 2 })).toThrow(ProfileVersionError);
		expect(() => DatasetProfile.fromJSON({ ...json, version: undefined } as never)).toThrow(
			ProfileVersionError
		);
		expect(() => DatasetProfile.fromJSON({ ...json, rowCount: 4999 })).toThrow(ProfileError);
		const bad = JSON.parse(text) as DatasetProfileJSON;
		(bad.features.score as { counts: number[] }).counts[3] += 1;
		expect(() => DatasetProfile.fromJSON(bad)).toThrow(/disagree/);
	});

	it('refuses to merge windows with different bins or features, leaving the target unchanged', () => {
		const a = profileDataset(table(1000, 9));
		const b = profileDataset(table(1000, 10)); // its own min/max: different edges
		const before = JSON.stringify(a);
		expect(() => a.merge(b)).toThrow(ProfileMismatchError);
		expect(JSON.stringify(a)).toBe(before);
		expect(() => a.merge(profileDataset({ age: table(10, 1).age }))).toThrow(ProfileMismatchError);
		expect(() => profileDataset({ a: [1, 2], b: [1] })).toThrow(ProfileError);
		expect(() => a.numeric('city')).toThrow(ProfileError);
	});

	it('stays bounded in size: ≤ 50 KB per numeric feature at 10^6 rows, about the same as at 10^4', () => {
		const rng = mulberry32(21);
		const sizeAt = (n: number) => {
			const ref = profileDataset({ x: [0] }, { seed: 1 });
			const win = windowProfile(ref, { start: 0 });
			// A window whose values fall far outside the reference's bins still stays small.
			for (let i = 0; i < n; i++) win.updateRow({ x: Math.exp(3 * normal(rng)) });
			return JSON.stringify(win).length;
		};
		const small = sizeAt(10_000);
		const large = sizeAt(1_000_000);
		console.log(`numeric feature profile JSON: ${small} bytes at 1e4 rows, ${large} bytes at 1e6 rows`);
		expect(large).toBeLessThanOrEqual(50_000);
		expect(large).toBeLessThan(small * 1.5);
	});
});

describe('drift inputs', () => {
	it('histogramCounts aligns numeric bins and categories (with other); weightedPoints sum to n', () => {
		const ref = profileDataset(table(5000, 11));
		const win = windowProfile(ref);
		const t = table(2000, 12);
		t.age.forEach((_, i) =>
			win.updateRow({ age: t.age[i], city: i % 10 === 0 ? 'Brest' : t.city[i], score: t.score[i] })
		);
		const num = histogramCounts(ref.features.get('age')!, win.features.get('age')!);
		expect(num.kind).toBe('numeric');
		expect(num.reference).toHaveLength(num.current.length);
		expect(num.current.reduce((a, b) => a + b, 0)).toBe(win.numeric('age').count);
		expect(num.nullsCurrent).toBe(win.numeric('age').nulls);
		const cat = histogramCounts(ref.features.get('city')!, win.features.get('city')!);
		expect(cat.kind === 'categorical' && cat.labels.slice(-1)).toEqual(['Brest']); // new in the window
		expect(cat.reference.slice(-1)).toEqual([0]);
		const top = histogramCounts(ref.features.get('city')!, win.features.get('city')!, { topK: 2 });
		expect(top.kind === 'categorical' && top.labels).toHaveLength(3);
		expect(top.kind === 'categorical' && top.labels[2]).toBe(OTHER_CATEGORY);
		expect(top.current.reduce((a, b) => a + b, 0)).toBe(win.categorical('city').count);
		expect(() => histogramCounts(ref.features.get('age')!, ref.features.get('city')!)).toThrow(
			ProfileMismatchError
		);
		expect(() =>
			histogramCounts(ref.features.get('age')!, profileDataset(table(50, 1)).features.get('age')!)
		).toThrow(ProfileMismatchError);
		const pts = weightedPoints(ref.numeric('score').sketch);
		expect(pts.weights.reduce((a, b) => a + b, 0)).toBe(ref.numeric('score').count);
		expect([...pts.values]).toEqual([...pts.values].sort((a, b) => a - b));
	});

	it('sketchKsTest: exact sketches give the plain two-sample KS; the error bound is stated', () => {
		const a = new NumericProfile({ edges: [] });
		const b = new NumericProfile({ edges: [] });
		[1, 2, 3, 4, 5].forEach((x) => a.update(x));
		[3, 4, 5, 6, 7, 8].forEach((x) => b.update(x));
		const r = sketchKsTest(a.sketch, b.sketch);
		// F_a − F_b at x = 2, 3, 4, 5: 0.4, 0.43, 0.47, 1 − 3/6 = 0.5 (scipy's ks_2samp gives 0.5 too).
		expect(r.statistic).toBe(0.5);
		expect([r.epsilonRef, r.epsilonCur, r.errorBound, r.corrected]).toEqual([0, 0, 0, r.statistic]);
		expect(r.drift).toBe(false);
		expect(sketchKsTest(a.sketch, new NumericProfile({ edges: [] }).sketch).drift).toBe(false);
		expect(() => sketchKsTest(a.sketch, b.sketch, { alpha: 0 })).toThrow(ProfileError);
	});
});
