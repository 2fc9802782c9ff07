/**
 * First Wasserstein distance between two 1-D distributions, as scipy.stats.wasserstein_distance (SciPy 1.17,
 * _cdf_distance with p = 1): ∫|U − V| over the pooled sorted values, U and V the (weighted) empirical CDFs taken
 * by searchsorted 'right'. Weights are relative: each side is divided by its own sum, so histogram counts, bin
 * masses or sketch-point weights can be passed as they are.
 *
 * Evidently's "wasserstein" stattest (legacy/calculations/stattests/wasserstein_distance_norm.py) divides that
 * by max(np.std(reference), 0.001), the population standard deviation (ddof = 0), and reports drift when the
 * normed distance is ≥ threshold (0.1 by default).
 */
import { DriftInputError, finiteValues } from './errors';

/** Validates one side as scipy's _validate_distribution: non-empty; weights same length, ≥ 0, finite positive sum. */
function side(values: ArrayLike<number>, weights: ArrayLike<number> | undefined, what: string) {
	if (values == null || typeof values.length !== 'number')
		throw new DriftInputError(`${what} must be an array`);
	if (values.length === 0) throw new DriftInputError(`${what} is empty`);
	const v = Float64Array.from(values);
	for (let i = 0; i < v.length; i++)
		if (!Number.isFinite(v[i]))
			throw new DriftInputError(`${what} has a non-finite value (${v[i]}) at index ${i}`);
	if (weights === undefined) return { v, w: undefined };
	if (weights.length !== v.length)
		throw new DriftInputError(`${what}: ${weights.length} weights for ${v.length} values`);
	const w = Float64Array.from(weights);
	let sum = 0;
	for (let i = 0; i < w.length; i++) {
		if (!(w[i] >= 0) || !Number.isFinite(w[i]))
			throw new DriftInputError(`${what}: weights must be finite and ≥ 0, got ${w[i]} at index ${i}`);
		sum += w[i];
	}
	if (!(sum > 0 && sum < Infinity))
		throw new DriftInputError(`${what}: weights must have a positive finite sum`);
	return { v, w };
}

/** Sorted values with cumulative weights: cdf(t) = cum[#values ≤ t] / cum[n]. */
function sortedCdf(v: Float64Array, w: Float64Array | undefined): { xs: Float64Array; cum: Float64Array } {
	const order = Array.from(v.keys()).sort((i, j) => v[i] - v[j]);
	const xs = new Float64Array(v.length);
	const cum = new Float64Array(v.length + 1);
	for (let k = 0; k < order.length; k++) {
		xs[k] = v[order[k]];
		cum[k + 1] = cum[k] + (w ? w[order[k]] : 1);
	}
	return { xs, cum };
}

/** scipy.stats.wasserstein_distance(u, v, uWeights, vWeights). Non-finite values are refused (SciPy gives NaN). */
export function wassersteinDistance(
	u: ArrayLike<number>,
	v: ArrayLike<number>,
	uWeights?: ArrayLike<number>,
	vWeights?: ArrayLike<number>
): number {
	const U = side(u, uWeights, 'wassersteinDistance: u');
	const V = side(v, vWeights, 'wassersteinDistance: v');
	const a = sortedCdf(U.v, U.w);
	const b = sortedCdf(V.v, V.w);
	const na = a.xs.length;
	const nb = b.xs.length;
	const ta = a.cum[na];
	const tb = b.cum[nb];
	// Walk the pooled sorted values; between consecutive pooled values t_k < t_{k+1} both CDFs are constant.
	let i = 0;
	let j = 0;
	let total = 0;
	let prev = NaN;
	while (i < na || j < nb) {
		const t = j >= nb || (i < na && a.xs[i] <= b.xs[j]) ? a.xs[i] : b.xs[j];
		if (!Number.isNaN(prev)) {
			// CDFs at prev, after every value ≤ prev has been counted.
			total += Math.abs(a.cum[i] / ta - b.cum[j] / tb) * (t - prev);
		}
		while (i < na && a.xs[i] <= t) i++;
		while (j < nb && b.xs[j] <= t) j++;
		prev = t;
	}
	return total;
}

/** Population standard deviation (np.std, ddof = 0), two passes. */
export function populationStd(xs: Float64Array): number {
	let mean = 0;
	for (let i = 0; i < xs.length; i++) mean += xs[i];
	mean /= xs.length;
	let ss = 0;
	for (let i = 0; i < xs.length; i++) ss += (xs[i] - mean) ** 2;
	return Math.sqrt(ss / xs.length);
}

/**
 * Evidently's normed Wasserstein distance: wasserstein_distance(ref, cur) / max(np.std(ref), 0.001), with NaN and
 * ±Infinity dropped from both samples first.
 */
export function wassersteinNorm(reference: ArrayLike<number>, current: ArrayLike<number>): number {
	const ref = finiteValues(reference, 'wassersteinNorm: reference');
	const cur = finiteValues(current, 'wassersteinNorm: current');
	const norm = Math.max(populationStd(ref), 0.001);
	return wassersteinDistance(ref, cur) / norm;
}

/** The weighted population standard deviation (np.std with weights, ddof = 0), two passes. */
export function weightedStd(values: ArrayLike<number>, weights: ArrayLike<number>): number {
	let sw = 0;
	let mean = 0;
	for (let i = 0; i < values.length; i++) {
		sw += weights[i];
		mean += weights[i] * values[i];
	}
	mean /= sw;
	let ss = 0;
	for (let i = 0; i < values.length; i++) ss += weights[i] * (values[i] - mean) ** 2;
	return Math.sqrt(ss / sw);
}

/**
 * The same from weighted points (histogram bin centres with their counts, or quantile-sketch points with their
 * weights), for windows stored as profiles. The reference std is the weighted population std of its points, so
 * this equals `wassersteinNorm` on raw rows exactly when the points are the distinct values and the weights
 * their counts; from binned data it is an approximation whose error is bounded by the bin width.
 */
export function wassersteinNormWeighted(
	refValues: ArrayLike<number>,
	refWeights: ArrayLike<number>,
	curValues: ArrayLike<number>,
	curWeights: ArrayLike<number>
): number {
	const R = side(refValues, refWeights, 'wassersteinNormWeighted: reference');
	const norm = Math.max(weightedStd(R.v, R.w as Float64Array), 0.001);
	return wassersteinDistance(refValues, curValues, refWeights, curWeights) / norm;
}
