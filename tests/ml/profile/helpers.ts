import { mulberry32, type Rng } from '../../../src/lib/ml/random';

export { mulberry32, type Rng };

/** Standard normal by Box–Muller (one of the pair; simplicity over speed). */
export function normal(rng: Rng): number {
	const u = 1 - rng(); // (0, 1]: log(0) never happens
	return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Poisson(λ) by Knuth's product of uniforms (fine for small λ). */
export function poisson(rng: Rng, lambda: number): number {
	const limit = Math.exp(-lambda);
	let k = 0;
	let p = rng();
	while (p > limit) {
		k++;
		p *= rng();
	}
	return k;
}

export interface Distribution {
	name: string;
	draw: (rng: Rng) => number;
	/** The distribution's standard deviation, for shifts of a fraction of σ. */
	sigma: number;
}

export const DISTRIBUTIONS: Distribution[] = [
	{ name: 'normal(0, 1)', draw: normal, sigma: 1 },
	// lognormal(0, 1): σ² = (e − 1)·e
	{ name: 'lognormal(0, 1)', draw: (rng) => Math.exp(normal(rng)), sigma: Math.sqrt((Math.E - 1) * Math.E) },
	// Discrete and tie-heavy: 40 % exact zeros, else Poisson(4). Mean 2.4, variance 0.6·(4 + 16) − 2.4² = 6.24.
	{
		name: 'zero-inflated Poisson(4)',
		draw: (rng) => (rng() < 0.4 ? 0 : poisson(rng, 4)),
		sigma: Math.sqrt(6.24)
	}
];

/** Sorted copy. */
export function sorted(values: ArrayLike<number>): Float64Array {
	return Float64Array.from(values).sort();
}

/** Count of sorted values < x. */
export function lowerBound(a: ArrayLike<number>, x: number): number {
	let lo = 0;
	let hi = a.length;
	while (lo < hi) {
		const m = (lo + hi) >>> 1;
		if (a[m] < x) lo = m + 1;
		else hi = m;
	}
	return lo;
}

/** Count of sorted values ≤ x. */
export function upperBound(a: ArrayLike<number>, x: number): number {
	let lo = 0;
	let hi = a.length;
	while (lo < hi) {
		const m = (lo + hi) >>> 1;
		if (a[m] <= x) lo = m + 1;
		else hi = m;
	}
	return lo;
}
