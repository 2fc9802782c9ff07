/**
 * Two-proportion Z-test, as Evidently's "z" stattest (legacy/calculations/stattests/z_stattest.py): the union of
 * both sides' values is sorted, the first becomes 0 and every other value 1; with p1, p2 the shares of 1s and
 * P = (p1·n1 + p2·n2)/(n1 + n2) the pooled share, z = (p1 − p2)/√(P(1 − P)(1/n1 + 1/n2)) and the two-sided
 * p-value is 2·(1 − Φ(|z|)) (Evidently's form, so it bottoms out at ~1e-16 where 2·Φ(−|z|) would not).
 * If both sides hold one and the same value the p-value is 1. Drift when p < threshold (0.05 by default).
 * Evidently picks it for columns with at most two distinct values.
 */
import { alignCounts, categoryKey, valueCounts } from './binning';
import { type Category, type Counts, DriftInputError, presentCategories } from './errors';
import { normalCdf } from './special';

export interface ZTestResult {
	/** z (0 when both sides hold the same single value). */
	statistic: number;
	pvalue: number;
}

/** Python's sort order for the keys: numbers numerically, strings by code point; mixing them is refused. */
function compareKeys(a: string | number, b: string | number): number {
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	if (typeof a === 'string' && typeof b === 'string') {
		const ca = Array.from(a, (ch) => ch.codePointAt(0) as number);
		const cb = Array.from(b, (ch) => ch.codePointAt(0) as number);
		for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i] - cb[i];
		return ca.length - cb.length;
	}
	throw new DriftInputError(
		'zTestProportions: cannot order a mix of numbers and strings (Python cannot either)'
	);
}

function zFromAligned(categories: (string | number)[], ref: Float64Array, cur: Float64Array): ZTestResult {
	let n1 = 0;
	let n2 = 0;
	for (const c of ref) n1 += c;
	for (const c of cur) n2 += c;
	if (!(n1 > 0) || !(n2 > 0)) throw new DriftInputError('zTestProportions: a side has no rows');
	const present = (xs: Float64Array) => categories.filter((_, i) => xs[i] > 0);
	const pr = present(ref);
	const pc = present(cur);
	if (pr.length === 1 && pc.length === 1 && pr[0] === pc[0]) return { statistic: 0, pvalue: 1 };
	// The sorted unique values of the data: a key stored with count 0 on both sides is not one of them.
	const seen = categories.filter((_, i) => ref[i] + cur[i] > 0);
	const first = seen.reduce((a, b) => (compareKeys(b, a) < 0 ? b : a));
	const i0 = categories.indexOf(first);
	const p1 = (n1 - ref[i0]) / n1;
	const p2 = (n2 - cur[i0]) / n2;
	const P = (p1 * n1 + p2 * n2) / (n1 + n2);
	const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2));
	return { statistic: z, pvalue: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Evidently's Z-test on raw columns (missing values dropped). */
export function zTestProportions(reference: ArrayLike<Category>, current: ArrayLike<Category>): ZTestResult {
	const ref = presentCategories(reference, 'zTestProportions: reference');
	const cur = presentCategories(current, 'zTestProportions: current');
	const a = alignCounts(valueCounts(ref), valueCounts(cur), 'zTestProportions');
	return zFromAligned(a.categories as (string | number)[], a.reference, a.current);
}

/** The same from stored category counts (keys as in the rows; booleans count as 0/1 like pandas). */
export function zTestFromCounts(refCounts: Counts, curCounts: Counts): ZTestResult {
	const a = alignCounts(refCounts, curCounts, 'zTestFromCounts');
	return zFromAligned(a.categories.map(categoryKey), a.reference, a.current);
}
