/**
 * The profile of one numeric feature: everything a drift check or a summary needs, in bounded space whatever the
 * number of rows, and mergeable, so hourly windows add up to a day and a Durable Object can fold predictions in
 * one at a time instead of re-reading the log.
 *
 *   count, nulls        non-null values, and null / undefined / NaN / ±Infinity / non-numbers (counted, not refused:
 *                       a bad value in a prediction log must not stop the window)
 *   mean, m2            Welford's running mean and sum of squared deviations; merged with Chan, Golub and LeVeque's
 *                       parallel formula, so a merge matches one pass over the pooled data to rounding
 *   min, max            exact
 *   sketch              KLL (kll-sketch.ts) for quantiles and the KS statistic
 *   edges, counts       a fixed-bin histogram (bin-edges.ts), edges set at creation
 *
 * `std` is the sample standard deviation (n − 1, as pandas' describe() reports it); `stdPopulation` divides by n.
 */
import { binIndex, checkEdges, sameEdges } from './bin-edges';
import { ProfileError, ProfileMismatchError } from './errors';
import { KllSketch, type KllSketchJSON } from './kll-sketch';

export interface NumericProfileOptions {
	/** Histogram edges (see bin-edges.ts); a window takes its reference's. */
	edges: readonly number[];
	/** KLL k; default 200. */
	k?: number;
	/** KLL coin seed (uint32); default 0. */
	seed?: number;
}

export interface NumericProfileJSON {
	kind: 'numeric';
	count: number;
	nulls: number;
	mean: number;
	m2: number;
	min: number | null;
	max: number | null;
	edges: number[];
	counts: number[];
	sketch: KllSketchJSON;
}

export class NumericProfile {
	readonly kind = 'numeric' as const;
	count = 0;
	nulls = 0;
	mean = 0;
	/** Σ (x − mean)², kept rather than the variance so merges stay exact in form. */
	m2 = 0;
	private lo = Infinity;
	private hi = -Infinity;
	readonly edges: readonly number[];
	/** edges.length + 1 slots: underflow, the bins, overflow. */
	readonly counts: number[];
	readonly sketch: KllSketch;

	constructor(options: NumericProfileOptions) {
		if (!options || !Array.isArray(options.edges)) throw new ProfileError('a numeric profile needs edges');
		checkEdges(options.edges, 'numeric profile');
		this.edges = Object.freeze(options.edges.slice());
		this.counts = new Array(this.edges.length + 1).fill(0);
		this.sketch = new KllSketch({ k: options.k, seed: options.seed });
	}

	get min(): number {
		return this.count === 0 ? NaN : this.lo;
	}
	get max(): number {
		return this.count === 0 ? NaN : this.hi;
	}
	/** Population variance, Σ(x − mean)² / n; NaN with no values. */
	get variancePopulation(): number {
		return this.count === 0 ? NaN : this.m2 / this.count;
	}
	/** Sample variance, Σ(x − mean)² / (n − 1); NaN with fewer than two values. */
	get varianceSample(): number {
		return this.count < 2 ? NaN : this.m2 / (this.count - 1);
	}
	/** The reported standard deviation: the sample one (n − 1), as pandas' describe(). */
	get std(): number {
		return Math.sqrt(this.varianceSample);
	}
	get stdPopulation(): number {
		return Math.sqrt(this.variancePopulation);
	}
	/** Rows seen, null or not. */
	get rows(): number {
		return this.count + this.nulls;
	}

	/** Adds one row's value. Anything but a finite number is a null. */
	update(value: unknown): void {
		if (typeof value !== 'number' || !Number.isFinite(value)) {
			this.nulls++;
			return;
		}
		const x = value;
		this.count++;
		const d = x - this.mean;
		this.mean += d / this.count;
		this.m2 += d * (x - this.mean);
		if (x < this.lo) this.lo = x;
		if (x > this.hi) this.hi = x;
		this.counts[binIndex(this.edges, x)]++;
		this.sketch.update(x);
	}

	/** Adds `other` into this profile (same edges and k required) and returns it. */
	merge(other: NumericProfile): this {
		if (!(other instanceof NumericProfile))
			throw new ProfileMismatchError('cannot merge a numeric profile with another kind');
		if (!sameEdges(this.edges, other.edges))
			throw new ProfileMismatchError(
				`cannot merge numeric profiles with different histogram edges ([${this.edges.join(', ')}] and [${other.edges.join(', ')}])`
			);
		if (other.sketch.k !== this.sketch.k)
			throw new ProfileMismatchError(
				`cannot merge numeric profiles with sketch k ${this.sketch.k} and ${other.sketch.k}`
			);
		// Chan et al.: n = na + nb, δ = mean_b − mean_a, mean = mean_a + δ·nb/n, M2 = M2a + M2b + δ²·na·nb/n.
		const na = this.count;
		const nb = other.count;
		if (nb > 0) {
			const n = na + nb;
			const delta = other.mean - this.mean;
			this.mean = na === 0 ? other.mean : this.mean + (delta * nb) / n;
			this.m2 = this.m2 + other.m2 + (delta * delta * na * nb) / n;
			this.count = n;
			if (other.lo < this.lo) this.lo = other.lo;
			if (other.hi > this.hi) this.hi = other.hi;
		}
		this.nulls += other.nulls;
		for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
		this.sketch.merge(other.sketch);
		return this;
	}

	clone(): NumericProfile {
		return NumericProfile.fromJSON(this.toJSON());
	}

	toJSON(): NumericProfileJSON {
		return {
			kind: 'numeric',
			count: this.count,
			nulls: this.nulls,
			mean: this.mean,
			m2: this.m2,
			min: this.count === 0 ? null : this.lo,
			max: this.count === 0 ? null : this.hi,
			edges: this.edges.slice(),
			counts: this.counts.slice(),
			sketch: this.sketch.toJSON()
		};
	}

	static fromJSON(json: NumericProfileJSON): NumericProfile {
		if (!json || json.kind !== 'numeric') throw new ProfileError('not a numeric profile');
		const sketch = KllSketch.fromJSON(json.sketch);
		const p = new NumericProfile({ edges: json.edges, k: sketch.k, seed: sketch.seed });
		const count = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
		if (!count(json.count) || !count(json.nulls))
			throw new ProfileError('numeric profile counts must be non-negative integers');
		if (!Number.isFinite(json.mean) || !Number.isFinite(json.m2) || json.m2 < 0)
			throw new ProfileError('numeric profile mean and m2 must be finite, m2 ≥ 0');
		if (!Array.isArray(json.counts) || json.counts.length !== p.counts.length || !json.counts.every(count))
			throw new ProfileError(`numeric profile needs ${p.counts.length} histogram counts`);
		if (json.counts.reduce((a, b) => a + b, 0) !== json.count || sketch.n !== json.count)
			throw new ProfileError('numeric profile histogram, sketch and count disagree');
		p.count = json.count;
		p.nulls = json.nulls;
		p.mean = json.mean;
		p.m2 = json.m2;
		if (json.count > 0) {
			if (typeof json.min !== 'number' || typeof json.max !== 'number')
				throw new ProfileError('numeric profile min and max must be numbers');
			p.lo = json.min;
			p.hi = json.max;
		}
		json.counts.forEach((c, i) => (p.counts[i] = c));
		(p as { sketch: KllSketch }).sketch = sketch;
		return p;
	}
}
