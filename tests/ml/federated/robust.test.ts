import { describe, expect, it } from 'vitest';
import { FederatedInputError, coordinateMedian, krum, trimmedMean } from '../../../src/lib/ml/federated';
import { expectClose, w } from './helpers';

// Four honest clients and one outlier (U5):
const U1 = { weights: w(1, 2, 3, 4), numExamples: 1 };
const U2 = { weights: w(2, 3, 4, 5), numExamples: 3 };
const U3 = { weights: w(3, 4, 5, 6), numExamples: 1 };
const U4 = { weights: w(2, 2, 2, 2), numExamples: 1 };
const U5 = { weights: w(100, -100, 50, 0), numExamples: 1000 };
const round = [U1, U2, U3, U4, U5];

describe('robust aggregators (Flower aggregate.py)', () => {
	it('FedTrimmedAvg β = 0.2 cuts int(0.2·5) = 1 from each end per coordinate, unweighted', () => {
		// coord 0: 1 2 2 3 100 → (2+2+3)/3 = 7/3;  coord 1: −100 2 2 3 4 → 7/3;
		// coord 2: 2 3 4 5 50 → (3+4+5)/3 = 4;     coord 3: 0 2 4 5 6 → (2+4+5)/3 = 11/3
		expectClose(trimmedMean(round, 0.2), [7 / 3, 7 / 3, 4, 11 / 3]);
		// int(0.1·5) = 0: nothing cut, the plain unweighted mean (outlier included).
		expectClose(trimmedMean(round, 0.1), [108 / 5, -89 / 5, 64 / 5, 17 / 5], 5);
	});

	it('refuses a β that leaves nothing', () => {
		// int(0.5·4) = 2 from each end of 4: Flower returns numpy's NaN mean of nothing.
		expect(() => trimmedMean([U1, U2, U3, U4], 0.5)).toThrow(/leaving none/);
		expect(() => trimmedMean(round, 0.6)).toThrow(FederatedInputError);
	});

	it('FedMedian is the unweighted coordinate-wise median', () => {
		// odd: coord 0: 1 2 2 3 100 → 2; coord 1: −100 2 2 3 4 → 2; coord 2: 2 3 4 5 50 → 4; coord 3: 0 2 4 5 6 → 4
		expectClose(coordinateMedian(round), [2, 2, 4, 4]);
		// even (U1..U4): the mean of the middle two: [1 2 2 3] → 2, [2 2 3 4] → 2.5, [2 3 4 5] → 3.5, [2 4 5 6] → 4.5
		expectClose(coordinateMedian([U1, U2, U3, U4]), [2, 2.5, 3.5, 4.5]);
	});

	it('Krum with f = 1 scores by the n − f − 2 = 2 nearest squared distances and picks U2', () => {
		// Squared distances: d12 = 4, d13 = 16, d14 = 1+0+1+4 = 6, d23 = 4, d24 = 0+1+4+9 = 14, d34 = 1+4+9+16 = 30,
		// d15 = 99²+102²+47²+4² = 22430, d25 = 98²+103²+46²+5² = 22354, d35 = 97²+104²+45²+6² = 22286,
		// d45 = 98²+102²+48²+2² = 22316.
		// Scores: U1 = 4+6 = 10, U2 = 4+4 = 8, U3 = 4+16 = 20, U4 = 6+14 = 20, U5 = 22286+22316 = 44602.
		const r = krum(round, 1);
		expect(Array.from(r.scores)).toEqual([10, 8, 20, 20, 44602]);
		expect(r.selected).toEqual([2 - 1]);
		expectClose(r.weights, [2, 3, 4, 5]);
	});

	it('Multi-Krum averages the toKeep best, weighted by example counts as Flower does', () => {
		// Best two: U2 (8) and U1 (10): (3·[2,3,4,5] + 1·[1,2,3,4]) / 4 = [7, 11, 15, 19] / 4
		const r = krum(round, 1, 2);
		expect(r.selected).toEqual([1, 0]);
		expectClose(r.weights, [1.75, 2.75, 3.75, 4.75]);
		// A tie (U3 and U4 both 20) goes to the lower index, as numpy's argsort does for small arrays.
		expect(krum(round, 1, 3).selected).toEqual([1, 0, 2]);
	});

	it('refuses Krum with too few clients for f, and a bad toKeep', () => {
		// n = 5 needs f ≤ 1 (n ≥ 2f + 3).
		expect(() => krum(round, 2)).toThrow(/too few for numMalicious = 2.*at least 2f \+ 3 = 7/);
		expect(() => krum(round, 1, 6)).toThrow(/toKeep/);
		expect(() => krum(round, -1)).toThrow(FederatedInputError);
	});
});
