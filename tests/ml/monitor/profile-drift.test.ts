import { describe, expect, it } from 'vitest';
import {
	chiSquareTest,
	jensenShannonTest,
	ks2samp,
	wassersteinDistance,
	wassersteinNorm,
	wassersteinNormWeighted,
	zTestProportions
} from '../../../src/lib/ml/drift';
import {
	FEW_VALUES,
	SMALL_REFERENCE,
	profileDrift,
	wassersteinSorted
} from '../../../src/lib/ml/monitor/profile-drift';
import { DatasetProfile, profileDataset, weightedPoints, windowProfile } from '../../../src/lib/ml/profile';
import { mulberry32, normal, type Rng } from '../profile/helpers';

/** A window built the way production builds one: the reference's shape, then one row at a time. */
function windowOf(reference: DatasetProfile, rows: Record<string, unknown>[]): DatasetProfile {
	const w = windowProfile(reference, { start: 0, end: 3_600_000 });
	for (const r of rows) w.updateRow(r);
	return w;
}

function column(n: number, rng: Rng, draw: (rng: Rng) => number): number[] {
	return Array.from({ length: n }, () => draw(rng));
}

function rowsOf(columns: Record<string, unknown[]>): Record<string, unknown>[] {
	const names = Object.keys(columns);
	return columns[names[0]].map((_, i) => Object.fromEntries(names.map((n) => [n, columns[n][i]])));
}

describe('profileDrift: the test Evidently would choose, from profiles alone', () => {
	it('small reference, sketches still exact: KS equals ks_2samp on the raw values', () => {
		const rng = mulberry32(1);
		const ref = column(150, rng, normal);
		const cur = column(120, rng, (r) => normal(r) + 0.4);
		const reference = profileDataset({ x: ref });
		const d = profileDrift(
			reference,
			windowOf(
				reference,
				cur.map((x) => ({ x }))
			)
		);
		const f = d.features[0];
		expect(f.test).toBe('ks');
		expect(f.score).toBeCloseTo(ks2samp(ref, cur).pvalue, 12);
		expect(f.drifted).toBe(ks2samp(ref, cur).pvalue <= 0.05);
		expect(f.referenceCount).toBe(150);
		expect(f.currentCount).toBe(120);
	});

	it('small reference, compacted sketches: the calibrated sketch KS flags a 1σ shift and not the same distribution', () => {
		const rng = mulberry32(2);
		const reference = profileDataset({ x: column(SMALL_REFERENCE, rng, normal) });
		const same = profileDrift(
			reference,
			windowOf(
				reference,
				column(2000, rng, normal).map((x) => ({ x }))
			)
		);
		const shifted = profileDrift(
			reference,
			windowOf(
				reference,
				column(2000, rng, (r) => normal(r) + 1).map((x) => ({ x }))
			)
		);
		expect(same.features[0].test).toBe('ks');
		expect(same.features[0].drifted).toBe(false);
		expect(shifted.features[0].drifted).toBe(true);
		// The p-value never drops below the two sketches' bound-failure probability (1 % each, sketch-ks.ts).
		expect(shifted.features[0].score!).toBeCloseTo(0.02, 6);
	});

	it('small reference, categorical: chi-square from counts equals chiSquareTest on the rows; binary: the Z-test', () => {
		const rng = mulberry32(3);
		const species = ['Adelie', 'Gentoo', 'Chinstrap'];
		const ref = column(300, rng, (r) => Math.floor(r() * 3)).map((i) => species[i]);
		const cur = column(200, rng, (r) => (r() < 0.6 ? 0 : Math.floor(r() * 3))).map((i) => species[i]);
		const sexRef = column(300, rng, (r) => (r() < 0.5 ? 1 : 0)).map((b) => (b ? 'male' : 'female'));
		const sexCur = column(200, rng, (r) => (r() < 0.7 ? 1 : 0)).map((b) => (b ? 'male' : 'female'));
		const reference = profileDataset({ species: ref, sex: sexRef });
		const d = profileDrift(reference, windowOf(reference, rowsOf({ species: cur, sex: sexCur })));
		const [s, x] = d.features;
		expect(s.test).toBe('chisquare');
		expect(s.score).toBeCloseTo(chiSquareTest(ref, cur).pvalue, 12);
		expect(x.test).toBe('z');
		expect(x.score).toBeCloseTo(zTestProportions(sexRef, sexCur).pvalue, 12);
	});

	it(`a numeric feature with at most ${FEW_VALUES} distinct values is tested as categorical, as Evidently does`, () => {
		const rng = mulberry32(4);
		const ref = column(400, rng, (r) => Math.floor(r() * 4));
		const cur = column(300, rng, (r) => Math.floor(r() * 4));
		const reference = profileDataset({ rooms: ref });
		const d = profileDrift(
			reference,
			windowOf(
				reference,
				cur.map((rooms) => ({ rooms }))
			)
		);
		expect(d.features[0].kind).toBe('numeric');
		expect(d.features[0].test).toBe('chisquare');
		expect(d.features[0].score).toBeCloseTo(chiSquareTest(ref, cur).pvalue, 12);
		// Two values: the Z-test.
		const flags = profileDataset({ flag: column(300, rng, (r) => (r() < 0.3 ? 1 : 0)) });
		const curFlags = column(300, rng, (r) => (r() < 0.3 ? 1 : 0));
		const z = profileDrift(
			flags,
			windowOf(
				flags,
				curFlags.map((flag) => ({ flag }))
			)
		);
		expect(z.features[0].test).toBe('z');
	});

	it('large reference: normed Wasserstein from the sketches is close to the raw one, thresholded at 0.1', () => {
		const rng = mulberry32(5);
		const ref = column(20_000, rng, normal);
		const near = column(5_000, rng, (r) => normal(r) + 0.05);
		const far = column(5_000, rng, (r) => normal(r) + 0.3);
		const reference = profileDataset({ x: ref });
		const a = profileDrift(
			reference,
			windowOf(
				reference,
				near.map((x) => ({ x }))
			)
		).features[0];
		const b = profileDrift(
			reference,
			windowOf(
				reference,
				far.map((x) => ({ x }))
			)
		).features[0];
		expect(a.test).toBe('wasserstein');
		// KLL at k = 200 has ~1.3 % rank error: the distance from sketches is within a few hundredths of the raw one.
		expect(Math.abs(a.score! - wassersteinNorm(ref, near))).toBeLessThan(0.02);
		expect(Math.abs(b.score! - wassersteinNorm(ref, far))).toBeLessThan(0.02);
		expect(a.drifted).toBe(false);
		expect(b.drifted).toBe(true);
		expect(a.threshold).toBe(0.1);
	});

	it('the merge-walk Wasserstein equals SciPy’s definition (the kernel’s) on sorted weighted points, ties included', () => {
		const rng = mulberry32(9);
		for (let t = 0; t < 50; t++) {
			const n = 1 + Math.floor(rng() * 40);
			const m = 1 + Math.floor(rng() * 40);
			const pts = (k: number) =>
				Float64Array.from({ length: k }, () => Math.round(normal(rng) * 4) / 2).sort();
			const av = pts(n);
			const bv = pts(m);
			const aw = Float64Array.from({ length: n }, () => 1 + Math.floor(rng() * 5));
			const bw = Float64Array.from({ length: m }, () => rng() * 3 + 0.1);
			expect(wassersteinSorted(av, aw, bv, bw)).toBeCloseTo(wassersteinDistance(av, bv, aw, bw), 12);
		}
		// And the drift score is the normed one: the same as the kernel's normed form from the same points.
		const reference = profileDataset({ x: column(5000, rng, normal) });
		const rows = column(3000, rng, (r) => normal(r) + 0.2).map((x) => ({ x }));
		const f = profileDrift(reference, windowOf(reference, rows)).features[0];
		const r = weightedPoints(reference.numeric('x').sketch);
		const c = weightedPoints(windowOf(reference, rows).numeric('x').sketch);
		expect(f.score).toBeCloseTo(wassersteinNormWeighted(r.values, r.weights, c.values, c.weights), 12);
	});

	it('large reference, categorical: Jensen–Shannon from counts equals the test on the rows (natural log)', () => {
		const rng = mulberry32(6);
		const islands = ['Biscoe', 'Dream', 'Torgersen', 'Other'];
		const ref = column(3000, rng, (r) => Math.floor(r() * 4)).map((i) => islands[i]);
		const cur = column(800, rng, (r) => Math.floor(r() * r() * 4)).map((i) => islands[i]);
		const reference = profileDataset({ island: ref });
		const f = profileDrift(
			reference,
			windowOf(
				reference,
				cur.map((island) => ({ island }))
			)
		).features[0];
		expect(f.test).toBe('jensenshannon');
		expect(f.score).toBeCloseTo(jensenShannonTest(ref, cur, 'categorical'), 12);
		expect(f.drifted).toBe(f.score! >= 0.1);
	});

	it('dataset drift at a share of 0.5 over the features that have a result; missing features are named, not judged', () => {
		const rng = mulberry32(7);
		const n = 2000;
		const reference = profileDataset({
			a: column(n, rng, normal),
			b: column(n, rng, normal),
			c: column(n, rng, normal),
			d: column(n, rng, normal),
			gone: column(n, rng, normal)
		});
		const m = 1000;
		const rows = rowsOf({
			a: column(m, rng, (r) => normal(r) + 2),
			b: column(m, rng, (r) => normal(r) + 2),
			c: column(m, rng, normal),
			d: column(m, rng, normal),
			gone: Array(m).fill(null)
		});
		const d = profileDrift(reference, windowOf(reference, rows));
		expect(d.features.map((f) => f.drifted)).toEqual([true, true, false, false, null]);
		expect(d.features[4].note).toMatch(/no value of this feature in the window/);
		expect(d.drifted).toBe(2);
		expect(d.share).toBe(0.5);
		expect(d.datasetDrift).toBe(true);
		expect(profileDrift(reference, windowOf(reference, rows), 0.6).datasetDrift).toBe(false);
	});

	it('a window profiled without a feature, or with another kind, says so; an empty window judges nothing', () => {
		const rng = mulberry32(8);
		const reference = profileDataset({
			x: column(100, rng, normal),
			s: column(100, rng, () => 1).map(() => 'a')
		});
		const other = profileDataset({ x: ['p', 'q'] });
		const d = profileDrift(reference, other);
		expect(d.features.map((f) => f.note)).toEqual([
			'the window was not profiled with this feature',
			'the window was not profiled with this feature'
		]);
		expect(d).toMatchObject({ drifted: 0, share: 0, datasetDrift: false });
		const empty = profileDrift(reference, windowProfile(reference));
		expect(empty.features.every((f) => f.drifted === null && f.currentCount === 0)).toBe(true);
		expect(empty.datasetDrift).toBe(false);
	});
});
