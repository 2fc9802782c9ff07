/**
 * What the drift statistics (src/lib/ml/drift/: KS, chi-square, Jensen–Shannon, PSI, Wasserstein in counts-based
 * forms) need from two profiles, and nothing more: this file aligns and hands over counts and weighted points; the
 * formulas live there. Nulls are reported beside the counts, never folded into a bin, so a rise in nulls is its own
 * signal rather than a shift of the distribution.
 */
import { sameEdges } from './bin-edges';
import { CategoricalProfile } from './categorical-profile';
import type { FeatureProfile } from './dataset-profile';
import { ProfileError, ProfileMismatchError } from './errors';
import type { KllSketch } from './kll-sketch';
import { NumericProfile } from './numeric-profile';

/** The label of the bucket for categories outside the aligned list (over the cap, or outside the top k). */
export const OTHER_CATEGORY = '__other__';

export interface NumericHistogramCounts {
	kind: 'numeric';
	/** The shared edges; counts have edges.length + 1 slots: underflow, the bins, overflow (bin-edges.ts). */
	edges: number[];
	reference: number[];
	current: number[];
	nullsReference: number;
	nullsCurrent: number;
}

export interface CategoricalHistogramCounts {
	kind: 'categorical';
	/** One label per slot; the last is OTHER_CATEGORY when either side has values outside the listed categories. */
	labels: string[];
	reference: number[];
	current: number[];
	nullsReference: number;
	nullsCurrent: number;
}

export type HistogramCounts = NumericHistogramCounts | CategoricalHistogramCounts;

/**
 * Aligned count arrays for a feature's reference and window profiles. Numeric: the fixed-bin histograms, which must
 * share edges (a window built by windowProfile does). Categorical: the union of both sides' categories in the
 * reference's order of frequency (then the window's new ones by frequency), or with `topK` only the reference's k
 * most frequent, everything else in OTHER_CATEGORY on both sides.
 */
export function histogramCounts(
	reference: FeatureProfile,
	current: FeatureProfile,
	options: { topK?: number } = {}
): HistogramCounts {
	if (reference instanceof NumericProfile && current instanceof NumericProfile) {
		if (!sameEdges(reference.edges, current.edges))
			throw new ProfileMismatchError('the window was not binned with the reference histogram edges');
		return {
			kind: 'numeric',
			edges: reference.edges.slice(),
			reference: reference.counts.slice(),
			current: current.counts.slice(),
			nullsReference: reference.nulls,
			nullsCurrent: current.nulls
		};
	}
	if (reference instanceof CategoricalProfile && current instanceof CategoricalProfile) {
		const topK = options.topK;
		if (topK !== undefined && (!Number.isInteger(topK) || topK < 1))
			throw new ProfileError(`topK must be a positive integer, got ${topK}`);
		const labels = reference.top(topK ?? reference.counts.size).categories.map((c) => c.value);
		if (topK === undefined) {
			const known = new Set(labels);
			for (const c of current.top(current.counts.size).categories)
				if (!known.has(c.value)) labels.push(c.value);
		}
		const ref = labels.map((l) => reference.counts.get(l) ?? 0);
		const cur = labels.map((l) => current.counts.get(l) ?? 0);
		const otherRef = reference.count - ref.reduce((a, b) => a + b, 0);
		const otherCur = current.count - cur.reduce((a, b) => a + b, 0);
		if (otherRef > 0 || otherCur > 0) {
			labels.push(OTHER_CATEGORY);
			ref.push(otherRef);
			cur.push(otherCur);
		}
		return {
			kind: 'categorical',
			labels,
			reference: ref,
			current: cur,
			nullsReference: reference.nulls,
			nullsCurrent: current.nulls
		};
	}
	throw new ProfileMismatchError(`cannot compare a ${reference.kind} profile with a ${current.kind} one`);
}

/**
 * The sketch as weighted points, sorted ascending, weights summing to n: the form a weighted Wasserstein distance
 * or a counts-based KS takes. Each retained item stands for `weight` stream items.
 */
export function weightedPoints(sketch: KllSketch): { values: Float64Array; weights: Float64Array } {
	const v = sketch.sortedView();
	return { values: v.values.slice(), weights: v.weights.slice() };
}
