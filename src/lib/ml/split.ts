/**
 * Train / validation / test splits: reproducible from a seed, stratified by class when asked.
 *
 * Sizes come from `allocate` (largest remainder, so they always sum to the row count), then two guarantees:
 *   - the training split gets at least one row of every group (a class never seen in training cannot be encoded);
 *   - when a group has at least as many rows as there are non-empty fractions (3 for train/validation/test),
 *     every split with a fraction > 0 gets at least one of them, so a class with 3 rows is seen in validation
 *     and in test too. Groups of 2 rows with three splits stay in training (and maybe one other split).
 * With stratification the sizes are allocated per class and summed, so per-class rounding can move the totals a
 * row or two from `fractions × rows`; `splitSizes` gives the exact totals without shuffling anything.
 *
 * Rows are shuffled once with mulberry32(seed): a single generator walks the classes in ascending class order, so
 * the same rows, seed, fractions and classes give the same split in every engine. Each returned split is sorted
 * ascending: the order carries no randomness, the trainer shuffles batches itself every epoch.
 */
import { mulberry32, range, shuffle } from './random';
import type { SplitFractions, Splits } from './types';

export interface SplitOptions {
	/** A row count (rows 0…n − 1), or the row ids to split, e.g. the labelled rows of a frame. */
	rows: number | Uint32Array;
	seed: number;
	fractions: SplitFractions;
	/** Class index per frame row (indexed by row id, not by position in `rows`); any integers, grouped as-is. */
	stratify?: Int32Array;
}

/** Accepted slack on the sum of the fractions: 0.7 + 0.15 + 0.15 is not exactly 1 in floating point. */
const SUM_TOLERANCE = 1e-6;

/** Why these fractions cannot split anything, or null when they are fine. */
export function fractionsProblem(f: SplitFractions): string | null {
	const values = [f.train, f.validation, f.test];
	if (values.some((v) => !Number.isFinite(v) || v < 0))
		return `Split fractions must be finite and ≥ 0 (train ${f.train}, validation ${f.validation}, test ${f.test}).`;
	if (f.train === 0) return 'The training fraction must be above 0.';
	const sum = values[0] + values[1] + values[2];
	if (Math.abs(sum - 1) > SUM_TOLERANCE) return `Split fractions must sum to 1 (they sum to ${sum}).`;
	return null;
}

/** Sizes [train, validation, test] for one group of `n` rows; see the guarantees in the header. */
export function allocate(n: number, f: SplitFractions): [number, number, number] {
	const shares = [f.train, f.validation, f.test];
	const sum = shares[0] + shares[1] + shares[2];
	const quotas = shares.map((s) => (n * s) / sum);
	const counts = quotas.map(Math.floor) as [number, number, number];
	// Hand the rows lost to flooring to the largest remainders; ties go to the earlier split (train first).
	const byRemainder = [0, 1, 2].sort((a, b) => quotas[b] - counts[b] - (quotas[a] - counts[a]) || a - b);
	for (let left = n - counts[0] - counts[1] - counts[2], k = 0; left > 0; left--, k++)
		counts[byRemainder[k]]++;

	const largest = (among: number[]) => among.reduce((best, i) => (counts[i] > counts[best] ? i : best));
	if (n > 0 && counts[0] === 0) {
		counts[largest([1, 2])]--;
		counts[0]++;
	}
	const wanted = [0, 1, 2].filter((i) => shares[i] > 0);
	if (n >= wanted.length) {
		for (const i of wanted) {
			if (counts[i] > 0) continue;
			// Pigeonhole: some split holds ≥ 2 rows here, so taking one never empties it.
			counts[largest([0, 1, 2])]--;
			counts[i]++;
		}
	}
	return counts;
}

/** Total split sizes for `rows` rows, or for classes of these sizes when stratified; matches `split` exactly. */
export function splitSizes(opts: { rows: number; fractions: SplitFractions; classCounts?: number[] }): {
	train: number;
	validation: number;
	test: number;
} {
	const groups = opts.classCounts ?? [opts.rows];
	const total = { train: 0, validation: 0, test: 0 };
	for (const n of groups) {
		const [a, b, c] = allocate(n, opts.fractions);
		total.train += a;
		total.validation += b;
		total.test += c;
	}
	return total;
}

/** Split rows reproducibly; throws RangeError on fractions `fractionsProblem` rejects or a short `stratify`. */
export function split(opts: SplitOptions): Splits {
	const problem = fractionsProblem(opts.fractions);
	if (problem) throw new RangeError(problem);
	const ids = typeof opts.rows === 'number' ? range(opts.rows) : opts.rows;

	const groups: Uint32Array[] = [];
	if (opts.stratify) {
		const labels = opts.stratify;
		const byClass = new Map<number, number[]>();
		for (const id of ids) {
			if (id >= labels.length)
				throw new RangeError(`stratify has ${labels.length} labels; row ${id} has none`);
			const group = byClass.get(labels[id]);
			if (group) group.push(id);
			else byClass.set(labels[id], [id]);
		}
		// Map order is first-seen order, which depends on the rows; ascending class order does not.
		for (const label of [...byClass.keys()].sort((a, b) => a - b))
			groups.push(Uint32Array.from(byClass.get(label)!));
	} else {
		groups.push(Uint32Array.from(ids));
	}

	const rng = mulberry32(opts.seed);
	const parts: { train: Uint32Array[]; validation: Uint32Array[]; test: Uint32Array[] } = {
		train: [],
		validation: [],
		test: []
	};
	for (const group of groups) {
		shuffle(group, rng);
		const [a, b] = allocate(group.length, opts.fractions);
		parts.train.push(group.subarray(0, a));
		parts.validation.push(group.subarray(a, a + b));
		parts.test.push(group.subarray(a + b));
	}
	return {
		train: joinSorted(parts.train),
		validation: joinSorted(parts.validation),
		test: joinSorted(parts.test)
	};
}

function joinSorted(chunks: Uint32Array[]): Uint32Array {
	const out = new Uint32Array(chunks.reduce((s, c) => s + c.length, 0));
	let at = 0;
	for (const c of chunks) {
		out.set(c, at);
		at += c.length;
	}
	return out.sort();
}
