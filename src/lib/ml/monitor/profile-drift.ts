/**
 * Drift of a production window against a version's reference, from their profiles alone (docs/architecture.md,
 * "Monitoring"): per feature and for the prediction, the test Evidently's default would choose (its
 * get_default_stattest, src/lib/ml/drift/select.ts), computed from what a profile keeps instead of rows:
 *   a numeric feature with at most 5 distinct values over both sides counts as categorical (its histogram bins);
 *   reference ≤ 1,000 rows — numeric: KS, drift at p ≤ 0.05: SciPy's ks_2samp on the values while both sketches
 *     still hold every value (n ≤ k), else from the two KLL sketches calibrated for their rank error
 *     (src/lib/ml/profile/sketch-ks.ts);
 *     categorical: chi-square from the counts (a two-proportion Z-test for a binary one), drift at p < 0.05;
 *   reference > 1,000 rows — numeric: Wasserstein-1 normed by the reference's std, from the sketches' weighted
 *     points, drift at ≥ 0.1; categorical: Jensen–Shannon distance from the counts (natural log, as Evidently's
 *     test), drift at ≥ 0.1;
 * Small or large is decided per feature by the rows its reference was built from (values and nulls, Evidently's
 * row count): the prediction's reference is the test split, the inputs' the training split.
 * And dataset drift when the share of drifted features reaches 0.5. A feature the window never saw (hashed
 * inputs, a column missing from the log) has no result rather than a made-up one.
 */
import {
	chiSquareFromCounts,
	datasetDrift,
	jensenShannonFromCounts,
	ks2samp,
	weightedStd,
	zTestFromCounts,
	type Counts
} from '../drift';
import {
	NumericProfile,
	histogramCounts,
	sketchKsTest,
	weightedPoints,
	type DatasetProfile,
	type FeatureProfile,
	type KllSketch
} from '../profile';
import { referenceRows } from './reference';

export type ProfileTest = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon';

export interface FeatureDrift {
	feature: string;
	kind: 'numeric' | 'categorical';
	/** The test used; null when the window holds no value of the feature. */
	test: ProfileTest | null;
	/** The p-value (KS, chi-square, Z) or the distance (Wasserstein, Jensen–Shannon) Evidently reports. */
	score: number | null;
	threshold: number | null;
	drifted: boolean | null;
	/** Values the window and the reference hold for the feature (nulls excluded). */
	currentCount: number;
	referenceCount: number;
	note?: string;
}

export interface ProfileDrift {
	features: FeatureDrift[];
	/** Evidently's dataset drift over the features that have a result. */
	drifted: number;
	share: number;
	datasetDrift: boolean;
}

/** Evidently's split between small and large references. */
export const SMALL_REFERENCE = 1000;
/** At most this many distinct values and a numeric feature is tested as categorical (Evidently's get_default_stattest). */
export const FEW_VALUES = 5;

function counted(p: FeatureProfile): number {
	return p instanceof NumericProfile ? p.sketch.n : p.count;
}

/**
 * A reference's sketch as weighted points, made once per sketch: a reference is compared with every window of a
 * range (720 for 30 days of hours), and its points never change once it is stored.
 */
type ReferencePoints = ReturnType<typeof weightedPoints> & { norm: number };
const referencePointsCache = new WeakMap<KllSketch, ReferencePoints>();
function referencePoints(sketch: KllSketch): ReferencePoints {
	let p = referencePointsCache.get(sketch);
	if (!p) {
		const w = weightedPoints(sketch);
		// Evidently's norm: the reference's population std (of the points, weighted), at least 0.001.
		p = { ...w, norm: Math.max(weightedStd(w.values, w.weights), 0.001) };
		referencePointsCache.set(sketch, p);
	}
	return p;
}

/**
 * Wasserstein-1 between two weighted point sets already sorted ascending (a sketch's points are): SciPy's
 * _cdf_distance (∫|U − V| over the pooled values, each CDF right-continuous, weights relative to their side's sum)
 * as one merge walk instead of a sort, since this runs for every feature of every window.
 */
export function wassersteinSorted(
	av: ArrayLike<number>,
	aw: ArrayLike<number>,
	bv: ArrayLike<number>,
	bw: ArrayLike<number>
): number {
	let sa = 0;
	let sb = 0;
	for (let i = 0; i < aw.length; i++) sa += aw[i];
	for (let j = 0; j < bw.length; j++) sb += bw[j];
	let i = 0;
	let j = 0;
	let ua = 0;
	let ub = 0;
	let dist = 0;
	let prev = Math.min(av[0], bv[0]);
	while (i < av.length || j < bv.length) {
		const x = j >= bv.length || (i < av.length && av[i] <= bv[j]) ? av[i] : bv[j];
		dist += Math.abs(ua - ub) * (x - prev);
		while (i < av.length && av[i] === x) ua += aw[i++] / sa;
		while (j < bv.length && bv[j] === x) ub += bw[j++] / sb;
		prev = x;
	}
	return dist;
}

/**
 * Distinct values of a numeric feature across both sides, as far as the sketches show them: every value they retain
 * is a real value, so more than `limit` retained means more than `limit` in the data; at or under it is exact while
 * the sketches hold every value (n ≤ k) and can miss only values rarer than the sketch's error after that.
 */
function fewDistinct(a: NumericProfile, b: NumericProfile, limit: number): boolean {
	const seen = new Set<number>();
	for (const p of [a, b])
		for (const v of p.sketch.sortedView().values) {
			seen.add(v);
			if (seen.size > limit) return false;
		}
	return true;
}

/** Aligned counts keyed by slot: a histogram bin's index (numbers, so the Z-test orders them) or a category. */
function slotCounts(ref: FeatureProfile, cur: FeatureProfile): { ref: Counts; cur: Counts; slots: number } {
	const h = histogramCounts(ref, cur);
	const refCounts = new Map<string | number, number>();
	const curCounts = new Map<string | number, number>();
	h.reference.forEach((n, i) => {
		const key = h.kind === 'categorical' ? h.labels[i] : i;
		refCounts.set(key, n);
		curCounts.set(key, h.current[i]);
	});
	const slots = h.reference.filter((n, i) => n + h.current[i] > 0).length;
	return { ref: refCounts, cur: curCounts, slots };
}

function featureDrift(name: string, ref: FeatureProfile, cur: FeatureProfile, small: boolean): FeatureDrift {
	const kind = ref instanceof NumericProfile ? 'numeric' : 'categorical';
	const base = { feature: name, kind, currentCount: counted(cur), referenceCount: counted(ref) } as const;
	if (base.currentCount === 0 || base.referenceCount === 0)
		return {
			...base,
			test: null,
			score: null,
			threshold: null,
			drifted: null,
			note: base.currentCount === 0 ? 'no value of this feature in the window' : 'no value in the reference'
		};
	// Evidently treats a numeric column with at most 5 distinct values (over both sides) as categorical.
	const continuous =
		ref instanceof NumericProfile && cur instanceof NumericProfile && !fewDistinct(ref, cur, FEW_VALUES);
	if (continuous && ref instanceof NumericProfile && cur instanceof NumericProfile) {
		if (small && ref.sketch.isExact && cur.sketch.isExact) {
			// Both sketches still hold every value: SciPy's own ks_2samp (exact or asymptotic as it chooses) on them.
			const ks = ks2samp(ref.sketch.sortedView().values, cur.sketch.sortedView().values);
			return { ...base, test: 'ks', score: ks.pvalue, threshold: 0.05, drifted: ks.pvalue <= 0.05 };
		}
		if (small) {
			const ks = sketchKsTest(ref.sketch, cur.sketch);
			return { ...base, test: 'ks', score: ks.pValue, threshold: 0.05, drifted: ks.pValue <= 0.05 };
		}
		const r = referencePoints(ref.sketch);
		const c = weightedPoints(cur.sketch);
		const d = wassersteinSorted(r.values, r.weights, c.values, c.weights) / r.norm;
		return { ...base, test: 'wasserstein', score: d, threshold: 0.1, drifted: d >= 0.1 };
	}
	const counts = slotCounts(ref, cur);
	if (small) {
		if (counts.slots <= 2) {
			const z = zTestFromCounts(counts.ref, counts.cur);
			return { ...base, test: 'z', score: z.pvalue, threshold: 0.05, drifted: z.pvalue < 0.05 };
		}
		const chi = chiSquareFromCounts(counts.ref, counts.cur);
		return { ...base, test: 'chisquare', score: chi.pvalue, threshold: 0.05, drifted: chi.pvalue < 0.05 };
	}
	const js = jensenShannonFromCounts(counts.ref, counts.cur);
	return { ...base, test: 'jensenshannon', score: js, threshold: 0.1, drifted: js >= 0.1 };
}

export function profileDrift(
	reference: Pick<DatasetProfile, 'features'>,
	window: Pick<DatasetProfile, 'features'>,
	share = 0.5
): ProfileDrift {
	const features: FeatureDrift[] = [];
	for (const [name, ref] of reference.features) {
		const cur = window.features.get(name);
		if (!cur || cur.kind !== ref.kind) {
			features.push({
				feature: name,
				kind: ref.kind,
				test: null,
				score: null,
				threshold: null,
				drifted: null,
				currentCount: 0,
				referenceCount: counted(ref),
				note: 'the window was not profiled with this feature'
			});
			continue;
		}
		features.push(featureDrift(name, ref, cur, referenceRows(ref) <= SMALL_REFERENCE));
	}
	const judged = features.filter((f) => f.drifted !== null) as { drifted: boolean }[];
	if (!judged.length) return { features, drifted: 0, share: 0, datasetDrift: false };
	const d = datasetDrift(judged, share);
	return { features, drifted: d.numberOfDriftedColumns, share: d.share, datasetDrift: d.datasetDrift };
}
