/**
 * KLL quantile sketch (Karnin, Lang, Liberty, "Optimal Quantile Approximation in Streams", FOCS 2016), laid out as
 * Apache DataSketches implements it: levels of retained items, an item on level h standing for 2^h stream items;
 * level h holds up to max(8, round(k·(2/3)^depth)) items, depth counted down from the top level; and compaction is
 * lazy, run only when the whole sketch is over its total capacity, and then on the lowest level that is at or over
 * its own. Compacting a level sorts it, keeps one item back if their number is odd, and promotes every other item,
 * the odd or the even ones by one coin flip, to the level above.
 *
 * Error. DataSketches publishes its KLL error as an empirical fit to the 99th percentile of the maximum rank error
 * over thousands of trials (KllHelper.getNormalizedRankError): single-sided ε = 2.296 / k^0.9723 for rank and
 * quantile queries, double-sided 2.446 / k^0.9433 for a difference of two ranks (PMF); at the default k = 200 these
 * are about 1.33 % and 1.65 % ("The default k of 200 yields a single-sided epsilon of about 1.33% and a
 * double-sided (PMF) epsilon of about 1.65%, with a confidence of 99%", KllSketch's Javadoc). The test measures this
 * implementation on 10^6 values (tests/ml/profile/kll-sketch.test.ts); its max error there is well inside ε.
 *
 * Determinism. The coin flips come from a mulberry32 stream whose seed and current state live in the sketch and
 * travel in its JSON, so a sketch rebuilt from the same values, or read back and fed the same further values, is
 * the same bit for bit, in every engine. `a.merge(b)` draws from a's stream.
 *
 * Until the first compaction (n ≤ k) every value is retained with weight 1, so ranks and quantiles are exact.
 */
import { ProfileError, ProfileMismatchError } from './errors';
import { decodeFloat64, encodeFloat64 } from './float64-base64';

export const DEFAULT_K = 200;
/** DataSketches' bounds on k (KllSketch.MIN_K is 8, MAX_K is 65535). */
export const MIN_K = 8;
export const MAX_K = 65535;
/** No level is ever given less room than this (DataSketches' m). */
const MIN_LEVEL_CAPACITY = 8;
/** The probability DataSketches' ε fails: it is fitted to the 99th percentile of the max error. */
export const RANK_ERROR_CONFIDENCE = 0.99;

/**
 * DataSketches' published normalized rank error for a given k (99 % confidence): single-sided (rank, quantile, CDF
 * at a point) by default, double-sided (a difference of two ranks, PMF) when `pmf`.
 */
export function kllRankError(k: number, pmf = false): number {
	return pmf ? 2.446 / Math.pow(k, 0.9433) : 2.296 / Math.pow(k, 0.9723);
}

// (2/3)^depth as exact powers of 2 and 3 (3^30 < 2^53), so capacities are the same integers in every engine.
// Past depth 30, k·(2/3)^depth < 65535·5.3e-6 < 1 for every allowed k, so the floor of 8 applies.
const POW2: number[] = [];
const POW3: number[] = [];
for (let d = 0, p2 = 1, p3 = 1; d <= 30; d++, p2 *= 2, p3 *= 3) {
	POW2.push(p2);
	POW3.push(p3);
}

function levelCapacity(k: number, numLevels: number, level: number): number {
	const depth = numLevels - level - 1;
	if (depth > 30) return MIN_LEVEL_CAPACITY;
	return Math.max(MIN_LEVEL_CAPACITY, Math.round((k * POW2[depth]) / POW3[depth]));
}

/** Both sorted ascending; returns a new sorted array. */
function mergeSorted(a: number[], b: ArrayLike<number>): number[] {
	if (b.length === 0) return a;
	const out: number[] = new Array(a.length + b.length);
	let i = 0;
	let j = 0;
	let o = 0;
	while (i < a.length && j < b.length) out[o++] = a[i] <= b[j] ? a[i++] : b[j++];
	while (i < a.length) out[o++] = a[i++];
	while (j < b.length) out[o++] = b[j++];
	return out;
}

/** Index of the first element > x in a sorted array (so the count of elements ≤ x). */
export function upperBound(sorted: ArrayLike<number>, x: number): number {
	let lo = 0;
	let hi = sorted.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (sorted[mid] <= x) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

export interface KllSketchOptions {
	/** Accuracy parameter, 8…65535; default 200. */
	k?: number;
	/** Seed of the compaction coin flips (uint32); default 0. */
	seed?: number;
}

/** The sketch's serialised form. `items` is base64 of little-endian float64, level 0 first. */
export interface KllSketchJSON {
	k: number;
	seed: number;
	/** The coin stream's state now (uint32), so a read-back sketch flips the same coins as the original. */
	state: number;
	n: number;
	/** null while the sketch is empty. */
	min: number | null;
	max: number | null;
	/** Retained items per level, level 0 first. */
	levels: number[];
	items: string;
}

/** The sketch's retained items in order with their weights, and the running total of weight up to each. */
export interface SortedView {
	values: Float64Array;
	weights: Float64Array;
	/** cumulative[i] = total weight of values[0..i], inclusive. */
	cumulative: Float64Array;
}

export class KllSketch {
	readonly k: number;
	readonly seed: number;
	private state: number;
	private count = 0;
	private lo = Infinity;
	private hi = -Infinity;
	/** levels[0] is unsorted (the update buffer); every level above is sorted ascending. */
	private levels: number[][] = [[]];
	private retained = 0;
	private capacity: number;
	private view: SortedView | null = null;

	constructor(options: KllSketchOptions = {}) {
		const k = options.k ?? DEFAULT_K;
		if (!Number.isInteger(k) || k < MIN_K || k > MAX_K)
			throw new ProfileError(`KLL k must be an integer in [${MIN_K}, ${MAX_K}], got ${k}`);
		const seed = options.seed ?? 0;
		if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
			throw new ProfileError(`KLL seed must be a uint32, got ${seed}`);
		this.k = k;
		this.seed = seed;
		this.state = seed;
		this.capacity = k;
	}

	/** Stream items seen (non-finite values are not counted: they are ignored). */
	get n(): number {
		return this.count;
	}
	/** Smallest value seen, exactly; NaN while empty. */
	get min(): number {
		return this.count === 0 ? NaN : this.lo;
	}
	/** Largest value seen, exactly; NaN while empty. */
	get max(): number {
		return this.count === 0 ? NaN : this.hi;
	}
	get numRetained(): number {
		return this.retained;
	}
	/** True while every value seen is retained with weight 1: ranks and quantiles are then exact. */
	get isExact(): boolean {
		return this.retained === this.count;
	}
	/**
	 * The rank error to assume for this sketch: 0 while exact, else DataSketches' published single-sided ε for k
	 * (or double-sided with `pmf`), which holds with 99 % confidence.
	 */
	normalizedRankError(pmf = false): number {
		return this.isExact ? 0 : kllRankError(this.k, pmf);
	}

	/**
	 * Adds one value. NaN and ±Infinity are ignored, as DataSketches ignores NaN: they have no place in an order
	 * that feeds a rank, and the profile counts them as nulls before they get here.
	 */
	update(x: number): void {
		if (!Number.isFinite(x)) return;
		this.count++;
		if (x < this.lo) this.lo = x;
		if (x > this.hi) this.hi = x;
		this.levels[0].push(x);
		this.retained++;
		this.view = null;
		if (this.retained > this.capacity) this.compress();
	}

	/**
	 * Adds every item of `other` (same k required) into this sketch and returns it. Level by level the retained
	 * items are pooled, then levels are compacted until the total fits, as DataSketches' merge does; the error
	 * stays that of one sketch of the pooled stream.
	 */
	merge(other: KllSketch): this {
		if (!(other instanceof KllSketch)) throw new ProfileError('merge expects a KllSketch');
		if (other.k !== this.k)
			throw new ProfileMismatchError(`cannot merge KLL sketches with k ${this.k} and ${other.k}`);
		if (other.count === 0) return this;
		const src = other === this ? other.clone() : other;
		while (this.levels.length < src.levels.length) this.levels.push([]);
		for (const x of src.levels[0]) this.levels[0].push(x);
		for (let h = 1; h < src.levels.length; h++) this.levels[h] = mergeSorted(this.levels[h], src.levels[h]);
		this.count += src.count;
		this.retained += src.retained;
		if (src.lo < this.lo) this.lo = src.lo;
		if (src.hi > this.hi) this.hi = src.hi;
		this.capacity = this.totalCapacity();
		this.view = null;
		this.compress();
		return this;
	}

	clone(): KllSketch {
		return KllSketch.fromJSON(this.toJSON());
	}

	/** Normalized inclusive rank: the estimated fraction of the stream ≤ x. 0 for an empty sketch. */
	rank(x: number): number {
		if (this.count === 0) return 0;
		const v = this.sortedView();
		const i = upperBound(v.values, x);
		return i === 0 ? 0 : v.cumulative[i - 1] / this.count;
	}

	/** The estimated CDF at x, F̂(x) = P̂(X ≤ x): the same as rank(x). */
	cdf(x: number): number {
		return this.rank(x);
	}

	/**
	 * The smallest retained value whose inclusive rank is ≥ q (DataSketches' INCLUSIVE search): with all n values
	 * retained this is the sorted value at index ceil(q·n) − 1. q = 0 gives min and q = 1 max, both exact. NaN
	 * while empty.
	 */
	quantile(q: number): number {
		if (!(q >= 0 && q <= 1)) throw new ProfileError(`quantile q must be in [0, 1], got ${q}`);
		if (this.count === 0) return NaN;
		if (q === 0) return this.lo;
		if (q === 1) return this.hi;
		const v = this.sortedView();
		const target = Math.ceil(q * this.count);
		let lo = 0;
		let hi = v.cumulative.length - 1;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (v.cumulative[mid] >= target) hi = mid;
			else lo = mid + 1;
		}
		return v.values[lo];
	}

	/** Retained values sorted ascending with their weights (2^level); the weights sum to n. Cached until changed. */
	sortedView(): SortedView {
		if (this.view) return this.view;
		const r = this.retained;
		const values = new Float64Array(r);
		const weights = new Float64Array(r);
		// Sorting by (value) an index array is simplest; ties keep no particular order, which no query depends on.
		let o = 0;
		for (let h = 0; h < this.levels.length; h++) {
			const w = h <= 30 ? POW2[h] : Math.pow(2, h);
			for (const x of this.levels[h]) {
				values[o] = x;
				weights[o++] = w;
			}
		}
		const order = new Uint32Array(r);
		for (let i = 0; i < r; i++) order[i] = i;
		order.sort((a, b) => values[a] - values[b]);
		const sv = new Float64Array(r);
		const sw = new Float64Array(r);
		const cum = new Float64Array(r);
		let total = 0;
		for (let i = 0; i < r; i++) {
			sv[i] = values[order[i]];
			sw[i] = weights[order[i]];
			total += sw[i];
			cum[i] = total;
		}
		this.view = { values: sv, weights: sw, cumulative: cum };
		return this.view;
	}

	toJSON(): KllSketchJSON {
		const flat: number[] = [];
		for (const level of this.levels) for (const x of level) flat.push(x);
		return {
			k: this.k,
			seed: this.seed,
			state: this.state >>> 0,
			n: this.count,
			min: this.count === 0 ? null : this.lo,
			max: this.count === 0 ? null : this.hi,
			levels: this.levels.map((l) => l.length),
			items: encodeFloat64(flat)
		};
	}

	static fromJSON(json: KllSketchJSON): KllSketch {
		if (!json || typeof json !== 'object') throw new ProfileError('KLL sketch JSON must be an object');
		const s = new KllSketch({ k: json.k, seed: json.seed });
		const uint32 = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffffffff;
		if (!uint32(json.state)) throw new ProfileError(`KLL state must be a uint32, got ${json.state}`);
		if (!Number.isSafeInteger(json.n) || json.n < 0)
			throw new ProfileError(`KLL n must be a non-negative integer, got ${json.n}`);
		if (!Array.isArray(json.levels) || json.levels.length === 0 || !json.levels.every((c) => uint32(c)))
			throw new ProfileError('KLL levels must be a non-empty array of item counts');
		const items = decodeFloat64(json.items, 'KLL items');
		const sizes = json.levels;
		if (sizes.reduce((a, b) => a + b, 0) !== items.length)
			throw new ProfileError(
				`KLL levels count ${sizes.reduce((a, b) => a + b, 0)} items, found ${items.length}`
			);
		let weight = 0;
		let o = 0;
		s.levels = sizes.map((size, h) => {
			const level = Array.from(items.subarray(o, o + size));
			o += size;
			weight += size * Math.pow(2, h);
			for (let i = 0; i < level.length; i++) {
				if (!Number.isFinite(level[i])) throw new ProfileError('KLL items must be finite');
				if (h > 0 && i > 0 && level[i] < level[i - 1]) throw new ProfileError(`KLL level ${h} is not sorted`);
			}
			return level;
		});
		// Each retained item stands for 2^level stream items, except that compaction may have kept one odd item
		// back, so the weights must add up to n exactly.
		if (weight !== json.n) throw new ProfileError(`KLL weights sum to ${weight}, not n = ${json.n}`);
		s.state = json.state | 0;
		s.count = json.n;
		s.retained = items.length;
		if (json.n > 0) {
			if (typeof json.min !== 'number' || typeof json.max !== 'number' || !(json.min <= json.max))
				throw new ProfileError('KLL min and max must be numbers with min ≤ max');
			s.lo = json.min;
			s.hi = json.max;
		}
		s.capacity = s.totalCapacity();
		return s;
	}

	private totalCapacity(): number {
		let total = 0;
		for (let h = 0; h < this.levels.length; h++) total += levelCapacity(this.k, this.levels.length, h);
		return total;
	}

	/** Compacts the lowest full level until the sketch fits; one level suffices after a single update. */
	private compress(): void {
		while (this.retained > this.capacity) {
			const numLevels = this.levels.length;
			let h = 0;
			while (h < numLevels - 1 && this.levels[h].length < levelCapacity(this.k, numLevels, h)) h++;
			this.compactLevel(h);
		}
	}

	private compactLevel(h: number): void {
		if (h === this.levels.length - 1) {
			this.levels.push([]);
			this.capacity = this.totalCapacity();
		}
		let level = this.levels[h];
		if (h === 0) level = Array.from(Float64Array.from(level).sort());
		// An odd item stays behind, the smallest, so the promoted pairs are whole.
		const keep = level.length % 2 === 1 ? 1 : 0;
		const offset = keep + this.coin();
		const promoted: number[] = new Array((level.length - keep) >> 1);
		for (let i = offset, j = 0; j < promoted.length; i += 2, j++) promoted[j] = level[i];
		this.levels[h] = keep ? [level[0]] : [];
		this.levels[h + 1] = mergeSorted(this.levels[h + 1], promoted);
		this.retained -= promoted.length;
	}

	/** One fair bit from the sketch's mulberry32 stream (the same generator as ml/random.ts, kept here by value). */
	private coin(): number {
		this.state = (this.state + 0x6d2b79f5) | 0;
		let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return (t ^ (t >>> 14)) >>> 31;
	}
}
