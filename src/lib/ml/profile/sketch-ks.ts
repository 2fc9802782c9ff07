/**
 * The two-sample Kolmogorov–Smirnov test between a reference profile and a window, from their KLL sketches alone,
 * calibrated for the sketches' error.
 *
 * Statistic. D̂ = max_x |F̂_ref(x) − F̂_cur(x)|, both empirical CDFs read from the sketches and evaluated at every
 * retained item of either (the only points where either step function moves, so this is the exact sup of the
 * sketched CDFs' difference). Each F̂ is within its sketch's single-sided rank error ε of the true empirical CDF
 * at every x, with 99 % confidence (kll-sketch.ts), so |D̂ − D| ≤ ε_ref + ε_cur. An exact sketch (n ≤ k) has ε = 0.
 *
 * Why a correction. Reading D̂ as if it were D — what whylogs did when its profile viewer tagged two samples of one
 * distribution as "severe drift" (whylogs#461), and then why its KS p-values swung between 10⁻⁷ and 0.7 across
 * re-profilings of the same large datasets (whylogs#684, whose fix was a larger k) — turns the sketch's error into
 * drift: at n = 10⁵ the critical D at α = 0.05 is ~0.006, half of ε at k = 200.
 *
 * Rule. Test the corrected statistic D* = max(0, D̂ − ε_ref − ε_cur), which is ≤ D whenever both sketches are within
 * their bound, and charge the bound's own failure probability δ = 1 − 0.99 per sketched side to the p-value:
 *     p = Q_KS(λ) + δ_ref + δ_cur,   λ = (√nₑ + 0.12 + 0.11/√nₑ)·D*,   nₑ = n_ref·n_cur / (n_ref + n_cur)
 * (Q_KS the Kolmogorov distribution's survival function, λ with Stephens' small-sample factor as Numerical Recipes'
 * two-sample test uses it), and flag drift when p ≤ α. Under the null, P(flag) ≤ P(D > c) + P(a bound fails) ≤ α, so
 * windows of the reference distribution are flagged at most α of the time (checked by simulation in
 * tests/ml/profile/calibration.test.ts); the price is power: a shift must move D by more than ε_ref + ε_cur (~0.027
 * at k = 200) plus the usual critical value before it is seen.
 */
import { ProfileError } from './errors';
import { RANK_ERROR_CONFIDENCE, type KllSketch } from './kll-sketch';

export interface SketchKsOptions {
	/** Significance level; default 0.05. */
	alpha?: number;
}

export interface SketchKsResult {
	/** D̂, the KS distance between the two sketched CDFs. */
	statistic: number;
	/** Rank error assumed per sketch (0 when exact) and their sum, the bound on |D̂ − D|. */
	epsilonRef: number;
	epsilonCur: number;
	errorBound: number;
	/** D* = max(0, D̂ − errorBound): the statistic the test uses. */
	corrected: number;
	nRef: number;
	nCur: number;
	/** nₑ = n_ref·n_cur / (n_ref + n_cur). */
	effectiveN: number;
	/** Q_KS at D* plus the sketches' failure probabilities, capped at 1. */
	pValue: number;
	alpha: number;
	/** p ≤ alpha. Never true when either side is empty. */
	drift: boolean;
}

/** Kolmogorov's Q(λ) = P(K > λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²λ²}; the θ-function form for small λ, where it converges fast. */
export function kolmogorovSurvival(lambda: number): number {
	if (!(lambda > 0)) return 1;
	if (lambda < 1.18) {
		// 1 − Q = (√(2π)/λ) Σ_{j≥1} e^{−(2j−1)²π²/(8λ²)}
		const w = (-Math.PI * Math.PI) / (8 * lambda * lambda);
		let sum = 0;
		for (let j = 1; j <= 8; j++) sum += Math.exp((2 * j - 1) * (2 * j - 1) * w);
		return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum));
	}
	let sum = 0;
	for (let j = 1; j <= 100; j++) {
		const term = Math.exp(-2 * j * j * lambda * lambda);
		sum += j % 2 === 1 ? term : -term;
		if (term < 1e-17) break;
	}
	return Math.min(1, Math.max(0, 2 * sum));
}

/** D̂ = max |F̂_a − F̂_b| over the union of both sketches' retained items. 0 if either is empty. */
export function sketchKsStatistic(a: KllSketch, b: KllSketch): number {
	if (a.n === 0 || b.n === 0) return 0;
	const va = a.sortedView();
	const vb = b.sortedView();
	let i = 0;
	let j = 0;
	let d = 0;
	while (i < va.values.length || j < vb.values.length) {
		// The next point where either CDF steps; take every item equal to it from both, then compare.
		const x =
			j >= vb.values.length || (i < va.values.length && va.values[i] <= vb.values[j])
				? va.values[i]
				: vb.values[j];
		while (i < va.values.length && va.values[i] === x) i++;
		while (j < vb.values.length && vb.values[j] === x) j++;
		const fa = i === 0 ? 0 : va.cumulative[i - 1] / a.n;
		const fb = j === 0 ? 0 : vb.cumulative[j - 1] / b.n;
		const diff = Math.abs(fa - fb);
		if (diff > d) d = diff;
	}
	return d;
}

/** The calibrated KS test of a window's sketch against the reference's (see the header for the rule). */
export function sketchKsTest(
	reference: KllSketch,
	current: KllSketch,
	options: SketchKsOptions = {}
): SketchKsResult {
	const alpha = options.alpha ?? 0.05;
	if (!(alpha > 0 && alpha < 1)) throw new ProfileError(`alpha must be in (0, 1), got ${alpha}`);
	const nRef = reference.n;
	const nCur = current.n;
	const epsilonRef = reference.normalizedRankError();
	const epsilonCur = current.normalizedRankError();
	const errorBound = epsilonRef + epsilonCur;
	const statistic = sketchKsStatistic(reference, current);
	const corrected = Math.max(0, statistic - errorBound);
	const effectiveN = nRef > 0 && nCur > 0 ? (nRef * nCur) / (nRef + nCur) : 0;
	let pValue = 1;
	if (effectiveN > 0) {
		const rootN = Math.sqrt(effectiveN);
		const lambda = (rootN + 0.12 + 0.11 / rootN) * corrected;
		const delta =
			(epsilonRef > 0 ? 1 - RANK_ERROR_CONFIDENCE : 0) + (epsilonCur > 0 ? 1 - RANK_ERROR_CONFIDENCE : 0);
		pValue = Math.min(1, kolmogorovSurvival(lambda) + delta);
	}
	return {
		statistic,
		epsilonRef,
		epsilonCur,
		errorBound,
		corrected,
		nRef,
		nCur,
		effectiveN,
		pValue,
		alpha,
		drift: effectiveN > 0 && pValue <= alpha
	};
}
