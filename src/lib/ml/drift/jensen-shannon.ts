/**
 * Jensen–Shannon distance, as scipy.spatial.distance.jensenshannon(p, q, base): p and q are first divided by their
 * sums, m = (p + q)/2, JS = sqrt((KL(p‖m) + KL(q‖m)) / 2) with KL by rel_entr (0·log 0 = 0), divided by log(base)
 * under the root. This module's default base is 2 (the distance then lies in [0, 1]); SciPy's default is e.
 *
 * Evidently's "jensenshannon" stattest (legacy/calculations/stattests/jensenshannon.py) bins both columns with
 * get_binned_data *without* zero filling and calls jensenshannon(ref, cur, base=None): the natural log, so its
 * default threshold 0.1 (drift when ≥) is in nats. `jensenShannonTest` and the counts form keep that.
 */
import { binnedData, type FeatureKind, sharesFromCounts } from './binning';
import { type Category, type Counts, checkNonNegative, DriftInputError } from './errors';
import { cleanColumn } from './columns';

/** rel_entr(x, y) = x·log(x/y) with rel_entr(0, y ≥ 0) = 0 and rel_entr(x > 0, 0) = ∞. */
function relEntr(x: number, y: number): number {
	if (x > 0 && y > 0) return x * Math.log(x / y);
	if (x === 0 && y >= 0) return 0;
	return Infinity;
}

/** scipy.spatial.distance.jensenshannon(p, q, base) for 1-D p and q of equal length. */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>, base: number = 2): number {
	checkNonNegative(p, 'jensenShannonDistance: p');
	checkNonNegative(q, 'jensenShannonDistance: q');
	if (p.length !== q.length)
		throw new DriftInputError(`jensenShannonDistance: p has ${p.length} entries and q has ${q.length}`);
	if (p.length === 0) throw new DriftInputError('jensenShannonDistance: p and q are empty');
	if (!(base > 0) || base === 1 || !Number.isFinite(base))
		throw new DriftInputError(`jensenShannonDistance: base must be positive, finite and ≠ 1, got ${base}`);
	let sp = 0;
	let sq = 0;
	for (let i = 0; i < p.length; i++) {
		sp += p[i];
		sq += q[i];
	}
	if (!(sp > 0) || !(sq > 0))
		throw new DriftInputError('jensenShannonDistance: p and q must have positive sums');
	let left = 0;
	let right = 0;
	for (let i = 0; i < p.length; i++) {
		const pi = p[i] / sp;
		const qi = q[i] / sq;
		const m = (pi + qi) / 2;
		left += relEntr(pi, m);
		right += relEntr(qi, m);
	}
	let js = left + right;
	js /= Math.log(base);
	return Math.sqrt(js / 2);
}

/** Evidently's binned JS distance on raw columns (natural log unless `base` is given). */
export function jensenShannonTest(
	reference: ArrayLike<Category>,
	current: ArrayLike<Category>,
	kind: FeatureKind,
	base: number = Math.E
): number {
	const ref = cleanColumn(reference, kind, 'jensenShannonTest: reference');
	const cur = cleanColumn(current, kind, 'jensenShannonTest: current');
	const b = binnedData(ref, cur, kind, false);
	return jensenShannonDistance(b.reference, b.current, base);
}

/**
 * The same from stored category or bin counts. Given the counts of Evidently's own bins (value counts, or the
 * histogram over the Sturges edges of the pooled data) it equals `jensenShannonTest` on the rows: JS depends only
 * on the shares, and Evidently's shares are those counts over each side's row count.
 */
export function jensenShannonFromCounts(refCounts: Counts, curCounts: Counts, base: number = Math.E): number {
	const b = sharesFromCounts(refCounts, curCounts, false, 'jensenShannonFromCounts');
	return jensenShannonDistance(b.reference, b.current, base);
}
