/**
 * Input checks shared by every aggregator. A federated round takes bytes from many clients, so a bad update must
 * be refused by name before it touches the round's state: one NaN added to a running sum would poison every
 * later update of the round and could not be taken out again.
 */

/** Thrown for any input the federated kernel refuses; the message names the argument and what is wrong. */
export class FederatedInputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FederatedInputError';
	}
}

/** The weights of one model: every layer flattened and concatenated in one agreed order. */
export type Weights = Float32Array;

/** What a client sends back after local training, as Flower's FitRes: its full new weights and its example count. */
export interface ClientUpdate {
	weights: Weights;
	numExamples: number;
}

/** Throws unless `w` is a Float32Array of `length` finite numbers. One pass, no allocation. */
export function checkWeights(w: unknown, length: number, what: string): asserts w is Weights {
	if (!(w instanceof Float32Array)) throw new FederatedInputError(`${what} must be a Float32Array`);
	if (w.length !== length)
		throw new FederatedInputError(`${what} has ${w.length} parameters, expected ${length}`);
	for (let i = 0; i < w.length; i++) {
		// x - x is 0 for every finite x and NaN for NaN and ±Infinity: one test covers all three.
		if (w[i] - w[i] !== 0)
			throw new FederatedInputError(`${what} has a non-finite value (${w[i]}) at index ${i}`);
	}
}

/** Example counts weigh an average: they must be positive and finite (Flower's num_examples is an int > 0). */
export function checkExamples(n: number, what: string): void {
	if (!Number.isFinite(n) || n <= 0)
		throw new FederatedInputError(`${what}: numExamples must be a positive finite number, got ${n}`);
}

/** Checks a whole round's updates against each other and returns their common length. */
export function checkUpdates(updates: readonly ClientUpdate[], what: string): number {
	if (updates.length === 0) throw new FederatedInputError(`${what}: no updates`);
	const length = updates[0]?.weights?.length ?? 0;
	updates.forEach((u, i) => {
		checkWeights(u.weights, length, `${what}: update ${i}`);
		checkExamples(u.numExamples, `${what}: update ${i}`);
	});
	return length;
}

/** Throws unless `x` is a finite number in [lo, hi] (bounds inclusive unless told otherwise). */
export function checkRange(
	x: number,
	what: string,
	lo: number,
	hi: number,
	open: { lo?: boolean; hi?: boolean } = {}
): void {
	const ok = Number.isFinite(x) && (open.lo ? x > lo : x >= lo) && (open.hi ? x < hi : x <= hi);
	if (!ok) {
		const range = `${open.lo ? '(' : '['}${lo}, ${hi}${open.hi ? ')' : ']'}`;
		throw new FederatedInputError(`${what} must be in ${range}, got ${x}`);
	}
}
