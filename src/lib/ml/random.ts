/**
 * Seeded randomness for everything in training that must repeat: splits, batch order, sampling.
 *
 * Math.random cannot be seeded, and its algorithm differs between engines, so a run recorded with seed 42 in
 * Chrome must not be re-done with it in Firefox or in the Worker. mulberry32 is defined purely in 32-bit integer
 * operations (Math.imul, shifts, xor), which ECMAScript specifies exactly, so the same seed gives the same
 * sequence in every engine. It is small and fast with a 2^32 period: far more than a shuffle of a table that
 * fits in a browser tab needs. It is not cryptographic, and nothing here asks it to be.
 */

/** A generator of uniform floats in [0, 1). Each call advances it. */
export type Rng = () => number;

/**
 * mulberry32 (Tommy Ettinger). The seed is taken modulo 2^32 (`seed >>> 0`), so -1 and 4294967295 are the same
 * seed, and a fractional seed is truncated: callers that want distinct streams should use `deriveSeed`.
 */
export function mulberry32(seed: number): Rng {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) | 0;
		let t = Math.imul(state ^ (state >>> 15), 1 | state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		// Division by 2^32 of a uint32 is exact in a double, so the float is the same everywhere too.
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * A seed for an independent stream (`stream` 0, 1, 2…: split, batch order, dropout…) from one user seed.
 * Feeding `seed + 1` to the same generator would give a sequence that overlaps the first one shifted by a step;
 * hashing seed and stream through murmur3's finaliser decorrelates them instead.
 */
export function deriveSeed(seed: number, stream: number): number {
	let h = (seed >>> 0) ^ Math.imul(stream >>> 0, 0x9e3779b9);
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
	return (h ^ (h >>> 16)) >>> 0;
}

/** A uniform integer in [0, n). `n` must be a positive integer at most 2^32. */
export function randomInt(rng: Rng, n: number): number {
	return Math.floor(rng() * n);
}

/** Anything indexable by number that `shuffle` can permute in place. */
export type IndexArray = Uint32Array | Int32Array | Float64Array | number[];

/**
 * Fisher–Yates, in place, returning the same array for chaining. Walking from the end and drawing j in [0, i]
 * gives every permutation the same probability and uses exactly length − 1 draws, so the permutation depends
 * only on the seed and the length: that is what makes a split reproducible.
 */
export function shuffle<A extends IndexArray>(indices: A, rng: Rng): A {
	for (let i = indices.length - 1; i > 0; i--) {
		const j = randomInt(rng, i + 1);
		const tmp = indices[i];
		indices[i] = indices[j];
		indices[j] = tmp;
	}
	return indices;
}

/** 0, 1, …, n − 1 as a Uint32Array: the usual input to `shuffle`. */
export function range(n: number): Uint32Array {
	const out = new Uint32Array(n);
	for (let i = 0; i < n; i++) out[i] = i;
	return out;
}
