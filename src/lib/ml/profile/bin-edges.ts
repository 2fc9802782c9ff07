/**
 * Fixed histogram bins. A reference profile chooses its edges once from its own data; every production window
 * then counts into the reference's edges, so the two histograms are aligned bin for bin and PSI or chi-square can
 * compare them without re-binning (re-binning counts would need the values the profile no longer has).
 *
 * With edges e_0 < … < e_B the counts have B + 2 slots: underflow (x < e_0), the bins [e_i, e_{i+1}) with the
 * last one closed [e_{B−1}, e_B] so the reference's own max lands inside, and overflow (x > e_B). A constant
 * feature has edges [c, c]: one bin holding c. No edges (a feature with no values) leaves one slot for everything.
 */
import { ProfileError } from './errors';
import { upperBound } from './kll-sketch';

export const DEFAULT_BINS = 20;

/** Throws unless `edges` are finite and non-decreasing. */
export function checkEdges(edges: ArrayLike<number>, what: string): void {
	for (let i = 0; i < edges.length; i++) {
		if (!Number.isFinite(edges[i])) throw new ProfileError(`${what}: edge ${i} is not finite (${edges[i]})`);
		if (i > 0 && edges[i] < edges[i - 1]) throw new ProfileError(`${what}: edges must be non-decreasing`);
	}
}

/** `bins` equal-width bins over [min, max]; the last edge is max itself, not min + bins·width rounded. */
export function equalWidthEdges(min: number, max: number, bins = DEFAULT_BINS): number[] {
	if (!Number.isInteger(bins) || bins < 1)
		throw new ProfileError(`bins must be a positive integer, got ${bins}`);
	if (!Number.isFinite(min) || !Number.isFinite(max) || min > max)
		throw new ProfileError(`equal-width edges need finite min ≤ max, got [${min}, ${max}]`);
	if (min === max) return [min, max];
	const edges: number[] = [];
	for (let i = 0; i < bins; i++) edges.push(min + ((max - min) * i) / bins);
	edges.push(max);
	return edges;
}

/**
 * Edges at the data's own quantiles (sorted ascending, finite), so each bin holds about the same share of the
 * reference; repeated quantiles (ties) are merged, so a discrete feature gets fewer, wider bins.
 */
export function quantileEdges(sorted: ArrayLike<number>, bins = DEFAULT_BINS): number[] {
	if (!Number.isInteger(bins) || bins < 1)
		throw new ProfileError(`bins must be a positive integer, got ${bins}`);
	const n = sorted.length;
	if (n === 0) return [];
	const edges: number[] = [sorted[0]];
	for (let i = 1; i < bins; i++) {
		const e = sorted[Math.min(n - 1, Math.floor((i * n) / bins))];
		if (e > edges[edges.length - 1]) edges.push(e);
	}
	const max = sorted[n - 1];
	if (max > edges[edges.length - 1] || edges.length === 1) edges.push(max);
	return edges;
}

/** The slot of x among edges.length + 1 (see the header); x must be finite. */
export function binIndex(edges: ArrayLike<number>, x: number): number {
	const i = upperBound(edges, x);
	const last = edges.length - 1;
	// The last bin is closed: its upper edge (the reference's max) counts inside, not as overflow.
	return i === edges.length && last >= 1 && x === edges[last] ? last : i;
}

export function sameEdges(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}
