/**
 * Robust aggregators: they need every update of a round at once (a median cannot be streamed), so they take the
 * round's list. Each is Flower's function in flwr/server/strategy/aggregate.py, on one flat vector per client:
 *   - trimmedMean (aggregate_trimmed_avg / _trim_mean, FedTrimmedAvg, β default 0.2): per coordinate, sort the n
 *     values, drop ⌊β·n⌋ from each end, average the rest, unweighted;
 *   - coordinateMedian (aggregate_median, FedMedian): np.median per coordinate, unweighted, the mean of the two
 *     middle values when n is even;
 *   - krum (aggregate_krum; Blanchard et al. 2017): each client's score is the sum of the squared L2 distances to
 *     its n − f − 2 nearest other clients; Krum returns the lowest-scoring client's weights, Multi-Krum the FedAvg
 *     (weighted by example counts, as Flower's `aggregate(best_results)`) of the `toKeep` lowest-scoring clients.
 * Sums run in float64 and round once to float32; Flower works in float32, so results can differ in the last bit.
 */
import { checkRange, checkUpdates, FederatedInputError, type ClientUpdate, type Weights } from './errors';

/** Flower's FedTrimmedAvg default β. */
export const FLOWER_TRIM_BETA = 0.2;

/** Sorts a[0..n) ascending in place; n is the number of clients, small, so insertion sort is the fast choice. */
function sortSmall(a: Float64Array, n: number): void {
	for (let i = 1; i < n; i++) {
		const x = a[i];
		let j = i - 1;
		for (; j >= 0 && a[j] > x; j--) a[j + 1] = a[j];
		a[j + 1] = x;
	}
}

/** FedTrimmedAvg's aggregate: per coordinate, the mean after cutting ⌊β·n⌋ values from each end. */
export function trimmedMean(updates: readonly ClientUpdate[], beta: number = FLOWER_TRIM_BETA): Weights {
	const length = checkUpdates(updates, 'trimmedMean');
	checkRange(beta, 'trimmedMean: beta', 0, 0.5);
	const n = updates.length;
	// int(β·n) in Python truncates toward zero; β ≥ 0 here, so floor is the same.
	const cut = Math.floor(beta * n);
	const kept = n - 2 * cut;
	// Flower raises when the cut crosses over and returns NaN (numpy's mean of nothing) when it meets; both refused.
	if (kept < 1)
		throw new FederatedInputError(
			`trimmedMean: beta ${beta} cuts ${cut} from each end of ${n} updates, leaving none`
		);
	const col = new Float64Array(n);
	const out = new Float32Array(length);
	for (let i = 0; i < length; i++) {
		for (let k = 0; k < n; k++) col[k] = updates[k].weights[i];
		sortSmall(col, n);
		let s = 0;
		for (let k = cut; k < n - cut; k++) s += col[k];
		out[i] = s / kept;
	}
	return out;
}

/** FedMedian's aggregate: np.median of each coordinate over clients (unweighted). */
export function coordinateMedian(updates: readonly ClientUpdate[]): Weights {
	const length = checkUpdates(updates, 'coordinateMedian');
	const n = updates.length;
	const col = new Float64Array(n);
	const out = new Float32Array(length);
	const mid = n >> 1;
	for (let i = 0; i < length; i++) {
		for (let k = 0; k < n; k++) col[k] = updates[k].weights[i];
		sortSmall(col, n);
		out[i] = n % 2 === 1 ? col[mid] : (col[mid - 1] + col[mid]) / 2;
	}
	return out;
}

/** What Krum decided, so a round's record can say who was chosen and why. */
export interface KrumResult {
	weights: Weights;
	/** Each client's score: the sum of squared distances to its n − f − 2 nearest others. */
	scores: Float64Array;
	/** The indices averaged (Multi-Krum) or the one chosen (Krum), lowest score first. */
	selected: number[];
}

/** Squared L2 distances between every pair of updates, in float64 (Flower's _compute_distances). */
export function pairwiseSquaredDistances(updates: readonly ClientUpdate[]): Float64Array[] {
	const n = updates.length;
	const d = Array.from({ length: n }, () => new Float64Array(n));
	for (let a = 0; a < n; a++) {
		const wa = updates[a].weights;
		for (let b = a + 1; b < n; b++) {
			const wb = updates[b].weights;
			let s = 0;
			for (let i = 0; i < wa.length; i++) {
				const x = wa[i] - wb[i];
				s += x * x;
			}
			d[a][b] = s;
			d[b][a] = s;
		}
	}
	return d;
}

/**
 * Krum (`toKeep` = 1, the default) or Multi-Krum (`toKeep` > 1) with `numMalicious` = f.
 *
 * Flower clamps the neighbour count at max(1, n − f − 2) and so returns a number even when n ≤ 2f + 2, where Krum's
 * guarantee (Blanchard et al. 2017: n > 2f + 2) no longer holds; here that case is refused instead. For valid
 * inputs the scores and the choice are Flower's. Ties in score go to the lower client index.
 */
export function krum(updates: readonly ClientUpdate[], numMalicious: number, toKeep = 1): KrumResult {
	checkUpdates(updates, 'krum');
	const n = updates.length;
	if (!Number.isInteger(numMalicious) || numMalicious < 0)
		throw new FederatedInputError(`krum: numMalicious must be a non-negative integer, got ${numMalicious}`);
	if (n < 2 * numMalicious + 3)
		throw new FederatedInputError(
			`krum: ${n} updates are too few for numMalicious = ${numMalicious}; Krum needs at least 2f + 3 = ${2 * numMalicious + 3}`
		);
	if (!Number.isInteger(toKeep) || toKeep < 1 || toKeep > n)
		throw new FederatedInputError(`krum: toKeep must be an integer in [1, ${n}], got ${toKeep}`);

	const dist = pairwiseSquaredDistances(updates);
	const closest = n - numMalicious - 2;
	const scores = new Float64Array(n);
	const others = new Float64Array(n - 1);
	for (let a = 0; a < n; a++) {
		let k = 0;
		for (let b = 0; b < n; b++) if (b !== a) others[k++] = dist[a][b];
		sortSmall(others, n - 1);
		let s = 0;
		for (let j = 0; j < closest; j++) s += others[j];
		scores[a] = s;
	}
	const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b] || a - b);
	const selected = order.slice(0, toKeep);
	if (toKeep === 1) return { weights: Float32Array.from(updates[selected[0]].weights), scores, selected };

	// Multi-Krum: Flower's aggregate() over the kept clients, weighted by example counts.
	const length = updates[0].weights.length;
	const sum = new Float64Array(length);
	let total = 0;
	for (const k of selected) {
		const { weights, numExamples } = updates[k];
		for (let i = 0; i < length; i++) sum[i] += weights[i] * numExamples;
		total += numExamples;
	}
	const weights = new Float32Array(length);
	for (let i = 0; i < length; i++) weights[i] = sum[i] / total;
	return { weights, scores, selected };
}
