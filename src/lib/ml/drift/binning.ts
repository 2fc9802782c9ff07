/**
 * Evidently's get_binned_data (legacy/calculations/stattests/utils.py), which JS and PSI run on raw columns:
 *  - a numerical column whose *reference* has more than 20 distinct values is cut into equal-width bins whose
 *    edges are np.histogram_bin_edges(concat(reference, current), bins="sturges"), i.e. ⌈ptp / (ptp / (log2 N + 1))⌉
 *    bins over [min, max] of the pooled data, edges by np.linspace; each side's counts (np.histogram: [e_i, e_i+1),
 *    the last bin closed) are divided by that side's length;
 *  - anything else (a categorical column, or a numerical one with ≤ 20 reference values) is counted per value
 *    over the union of both sides' values, again divided by each side's length;
 *  - with feel_zeroes (PSI; not JS) a zero share becomes min(non-zero shares)/10⁶ if that minimum is ≤ 1e-4,
 *    else 1e-4, separately on each side.
 * Not Sturges on the reference alone and not reference quantiles, whatever the docstring there says.
 *
 * Known divergence: for an *integer* dtype column NumPy raises a Sturges width below 1 to 1; here every column is
 * float64, as a pandas column with any missing value is.
 */
import { type Category, type Counts, countEntries, DriftInputError } from './errors';

export type FeatureKind = 'numeric' | 'categorical';

/** Reference distinct-value count above which a numerical column is histogrammed rather than value-counted. */
export const EVIDENTLY_MAX_VALUE_COUNT_BINS = 20;

export interface Binned {
	/** Share of the reference in each bin/category (after zero filling if asked). */
	reference: Float64Array;
	/** Share of the current window in the same bins/categories. */
	current: Float64Array;
	/** Histogram edges (numerical path) or the categories in the order of the arrays. */
	bins: { edges: Float64Array } | { categories: Category[] };
}

/** np.histogram_bin_edges(values, bins="sturges") for finite float64 values (not empty). */
export function sturgesEdges(values: ArrayLike<number>): Float64Array {
	let lo = Infinity;
	let hi = -Infinity;
	for (let i = 0; i < values.length; i++) {
		if (values[i] < lo) lo = values[i];
		if (values[i] > hi) hi = values[i];
	}
	if (!(values.length > 0) || !Number.isFinite(lo) || !Number.isFinite(hi))
		throw new DriftInputError('sturgesEdges: needs at least one finite value');
	const width = (hi - lo) / (Math.log2(values.length) + 1);
	if (lo === hi) {
		lo -= 0.5;
		hi += 0.5;
	}
	const nBins = width ? Math.ceil((hi - lo) / width) : 1;
	// np.linspace(lo, hi, nBins + 1): i·step + lo, the last edge set to hi exactly.
	const step = (hi - lo) / nBins;
	const edges = new Float64Array(nBins + 1);
	for (let i = 0; i <= nBins; i++) edges[i] = i * step + lo;
	edges[nBins] = hi;
	return edges;
}

/** np.histogram(values, edges)[0]: counts in [e_i, e_{i+1}), the last bin closed; values outside are dropped. */
export function histogramCounts(values: ArrayLike<number>, edges: ArrayLike<number>): Float64Array {
	const sorted = Float64Array.from(values).sort();
	const lower = (v: number, right: boolean): number => {
		let lo = 0;
		let hi = sorted.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (right ? sorted[mid] <= v : sorted[mid] < v) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	};
	const k = edges.length - 1;
	const counts = new Float64Array(k);
	for (let i = 0; i < k; i++) {
		const a = lower(edges[i], false);
		const b = i === k - 1 ? lower(edges[k], true) : lower(edges[i + 1], false);
		counts[i] = b - a;
	}
	return counts;
}

/** Evidently's feel_zeroes on one side, in place. */
export function fillZeroes(shares: Float64Array): Float64Array {
	let min = Infinity;
	for (const s of shares) if (s !== 0 && s < min) min = s;
	if (min === Infinity) throw new DriftInputError('fillZeroes: every share is zero');
	const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
	for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
	return shares;
}

/** Map key for a category: pandas treats 1, 1.0 and True as one value; so do we. */
export function categoryKey(c: Category): string | number {
	if (typeof c === 'boolean') return c ? 1 : 0;
	return c as string | number;
}

/** Counts per category over `xs` (already cleaned), keyed by categoryKey. */
export function valueCounts(xs: readonly Category[]): Map<string | number, number> {
	const m = new Map<string | number, number>();
	for (const x of xs) {
		const k = categoryKey(x);
		m.set(k, (m.get(k) ?? 0) + 1);
	}
	return m;
}

/**
 * Aligns two count tables over the union of their keys (reference keys first). Returns the raw counts; a key
 * missing on one side counts 0 there. Negative or non-finite counts are refused.
 */
export function alignCounts(
	refCounts: Counts,
	curCounts: Counts,
	what: string
): { categories: Category[]; reference: Float64Array; current: Float64Array } {
	const ref = new Map<string | number, number>();
	const cur = new Map<string | number, number>();
	for (const [k, v] of countEntries(refCounts, `${what}: reference counts`))
		ref.set(categoryKey(k), (ref.get(categoryKey(k)) ?? 0) + v);
	for (const [k, v] of countEntries(curCounts, `${what}: current counts`))
		cur.set(categoryKey(k), (cur.get(categoryKey(k)) ?? 0) + v);
	const categories: (string | number)[] = [...ref.keys()];
	for (const k of cur.keys()) if (!ref.has(k)) categories.push(k);
	const reference = Float64Array.from(categories, (k) => ref.get(k) ?? 0);
	const current = Float64Array.from(categories, (k) => cur.get(k) ?? 0);
	return { categories, reference, current };
}

function total(xs: Float64Array, what: string): number {
	let s = 0;
	for (const x of xs) s += x;
	if (!(s > 0)) throw new DriftInputError(`${what}: counts sum to zero`);
	return s;
}

/** Shares from aligned counts: each side divided by its own total (Evidently divides by len(side)). */
export function sharesFromCounts(
	refCounts: Counts,
	curCounts: Counts,
	feelZeroes: boolean,
	what: string
): Binned {
	const a = alignCounts(refCounts, curCounts, what);
	const tr = total(a.reference, `${what}: reference`);
	const tc = total(a.current, `${what}: current`);
	const reference = a.reference.map((c) => c / tr);
	const current = a.current.map((c) => c / tc);
	if (feelZeroes) {
		fillZeroes(reference);
		fillZeroes(current);
	}
	return { reference, current, bins: { categories: a.categories } };
}

/**
 * get_binned_data on cleaned columns. For `kind = 'numeric'` both arrays must hold numbers; the reference's
 * distinct-value count picks histogram (> 20) or value counts.
 */
export function binnedData(
	reference: readonly Category[],
	current: readonly Category[],
	kind: FeatureKind,
	feelZeroes: boolean
): Binned {
	const refCounts = valueCounts(reference);
	if (kind === 'numeric' && refCounts.size > EVIDENTLY_MAX_VALUE_COUNT_BINS) {
		const ref = reference as number[];
		const cur = current as number[];
		const edges = sturgesEdges([...ref, ...cur]);
		const r = histogramCounts(ref, edges).map((c) => c / ref.length);
		const c = histogramCounts(cur, edges).map((x) => x / cur.length);
		if (feelZeroes) {
			fillZeroes(r);
			fillZeroes(c);
		}
		return { reference: r, current: c, bins: { edges } };
	}
	return sharesFromCounts(refCounts, valueCounts(current), feelZeroes, 'binnedData');
}
