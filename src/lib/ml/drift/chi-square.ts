/**
 * Pearson's chi-square goodness-of-fit test, as scipy.stats.chisquare(f_obs, f_exp) (SciPy 1.17,
 * _power_divergence with λ = 1): statistic Σ (o − e)²/e, dof = k − 1, p-value the chi-square survival function
 * at the statistic (chdtrc = Q(dof/2, stat/2)). Like SciPy, observed and expected must have the same total to a
 * relative 1.49e-8 (√eps). An expected 0 with an observed > 0 gives an infinite statistic and p = 0.
 *
 * Evidently's "chisquare" stattest (legacy/calculations/stattests/chisquare_stattest.py) takes the union of
 * both sides' values, expected = reference count × (n_current / n_reference), observed = current count, and
 * reports drift when p < threshold (0.05 by default).
 */
import { alignCounts, valueCounts } from './binning';
import { type Category, type Counts, checkNonNegative, DriftInputError, presentCategories } from './errors';
import { chi2Sf } from './special';

export interface ChiSquareResult {
	statistic: number;
	pvalue: number;
	dof: number;
}

const SUM_RTOL = Math.sqrt(2 ** -52);

/** scipy.stats.chisquare(observed, expected) with ddof = 0. */
export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): ChiSquareResult {
	checkNonNegative(observed, 'chiSquare: observed');
	checkNonNegative(expected, 'chiSquare: expected');
	if (observed.length !== expected.length)
		throw new DriftInputError(
			`chiSquare: ${observed.length} observed and ${expected.length} expected frequencies`
		);
	if (observed.length === 0) throw new DriftInputError('chiSquare: no frequencies');
	let so = 0;
	let se = 0;
	for (let i = 0; i < observed.length; i++) {
		so += observed[i];
		se += expected[i];
	}
	if (Math.abs(so - se) / Math.min(so, se) > SUM_RTOL)
		throw new DriftInputError(
			`chiSquare: observed total ${so} and expected total ${se} differ by more than a relative ${SUM_RTOL}`
		);
	let statistic = 0;
	for (let i = 0; i < observed.length; i++) statistic += (observed[i] - expected[i]) ** 2 / expected[i];
	const dof = observed.length - 1;
	return { statistic, pvalue: chi2Sf(statistic, dof), dof };
}

/** Evidently's chi-square drift test from aligned counts (expected from reference proportions). */
function chiFromAligned(refAll: Float64Array, curAll: Float64Array): ChiSquareResult {
	// Keys stored with count 0 on both sides are not values of either column (Evidently's keys are the values seen).
	const keep = Array.from(refAll.keys()).filter((i) => refAll[i] + curAll[i] > 0);
	const ref = Float64Array.from(keep, (i) => refAll[i]);
	const cur = Float64Array.from(keep, (i) => curAll[i]);
	let nRef = 0;
	let nCur = 0;
	for (const c of ref) nRef += c;
	for (const c of cur) nCur += c;
	if (!(nRef > 0) || !(nCur > 0)) throw new DriftInputError('chiSquareTest: a side has no rows');
	const kNorm = nCur / nRef;
	const expected = ref.map((c) => c * kNorm);
	return chiSquare(cur, expected);
}

/** Evidently's chi-square drift test on raw categorical columns (missing values dropped). */
export function chiSquareTest(reference: ArrayLike<Category>, current: ArrayLike<Category>): ChiSquareResult {
	const ref = presentCategories(reference, 'chiSquareTest: reference');
	const cur = presentCategories(current, 'chiSquareTest: current');
	const a = alignCounts(valueCounts(ref), valueCounts(cur), 'chiSquareTest');
	return chiFromAligned(a.reference, a.current);
}

/** The same from stored category counts; equal to `chiSquareTest` on the rows those counts summarise. */
export function chiSquareFromCounts(refCounts: Counts, curCounts: Counts): ChiSquareResult {
	const a = alignCounts(refCounts, curCounts, 'chiSquareFromCounts');
	return chiFromAligned(a.reference, a.current);
}
