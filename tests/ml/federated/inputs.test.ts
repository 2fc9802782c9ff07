import { describe, expect, it } from 'vitest';
import {
	FederatedInputError,
	clipUpdate,
	coordinateMedian,
	fedAvg,
	krum,
	trimmedMean
} from '../../../src/lib/ml/federated';
import { w } from './helpers';

const ok = (numExamples = 1) => ({ weights: w(1, 2, 3, 4), numExamples });

describe('bad input is refused by name', () => {
	const aggregators = {
		fedAvg,
		trimmedMean: (u: Parameters<typeof fedAvg>[0]) => trimmedMean(u, 0),
		coordinateMedian,
		krum: (u: Parameters<typeof fedAvg>[0]) => krum(u, 0)
	};
	for (const [name, agg] of Object.entries(aggregators)) {
		it(`${name}: different lengths, NaN, Infinity, bad example counts, no updates`, () => {
			const cases: [Parameters<typeof fedAvg>[0], RegExp][] = [
				[[ok(), ok(), { weights: w(1, 2, 3), numExamples: 1 }], /update 2 has 3 parameters, expected 4/],
				[
					[ok(), ok(), { weights: w(1, NaN, 3, 4), numExamples: 1 }],
					/update 2 has a non-finite value \(NaN\) at index 1/
				],
				[
					[ok(), { weights: w(1, 2, Infinity, 4), numExamples: 1 }, ok()],
					/non-finite value \(Infinity\) at index 2/
				],
				[[ok(), ok(0), ok()], /numExamples must be a positive finite number, got 0/],
				[[ok(), ok(), ok(-3)], /got -3/],
				[[], /no updates/]
			];
			for (const [updates, message] of cases) {
				expect(() => agg(updates)).toThrow(FederatedInputError);
				expect(() => agg(updates)).toThrow(message);
			}
		});
	}

	it('names the error class', () => {
		try {
			clipUpdate(w(1, 2), w(1, 2, 3), 1);
			expect.unreachable();
		} catch (e) {
			expect(e).toBeInstanceOf(FederatedInputError);
			expect((e as Error).name).toBe('FederatedInputError');
			expect((e as Error).message).toMatch(/update has 2 parameters, expected 3/);
		}
		expect(() => clipUpdate(w(1, 2), w(1, 2), 0)).toThrow(/clipNorm must be in \(0, Infinity\]/);
		expect(() => clipUpdate(new Float64Array(2) as unknown as Float32Array, w(1, 2), 1)).toThrow(
			/must be a Float32Array/
		);
	});
});
