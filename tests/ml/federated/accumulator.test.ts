import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	FedAvgAccumulator,
	FederatedInputError,
	fedAvg,
	joinBytes,
	splitBytes
} from '../../../src/lib/ml/federated';
import { mulberry32 } from '../../../src/lib/ml/random';
import { expectClose, w } from './helpers';

// Three clients, four parameters, weighted by example counts (Flower's aggregate):
//   A = [1, 2, 3, 4] × 1, B = [3, 4, 5, 6] × 2, C = [5, 0, 1, 8] × 1
//   Σ n·w = [1+6+5, 2+8+0, 3+10+1, 4+12+8] = [12, 10, 14, 24];  Σ n = 4  →  [3, 2.5, 3.5, 6]
const A = { weights: w(1, 2, 3, 4), numExamples: 1 };
const B = { weights: w(3, 4, 5, 6), numExamples: 2 };
const C = { weights: w(5, 0, 1, 8), numExamples: 1 };

describe('FedAvg (streaming accumulator)', () => {
	it('is the example-weighted average', () => {
		expectClose(fedAvg([A, B, C]), [3, 2.5, 3.5, 6]);
		const acc = new FedAvgAccumulator(4);
		for (const u of [A, B, C]) acc.add(u.weights, u.numExamples);
		expect(acc.totalExamples).toBe(4);
		expect(acc.updates).toBe(3);
		expectClose(acc.result(), [3, 2.5, 3.5, 6]);
	});

	it('resumes from bytes mid-round exactly where it was', () => {
		const acc = new FedAvgAccumulator(4);
		acc.add(A.weights, A.numExamples);
		const resumed = FedAvgAccumulator.deserialize(acc.serialize());
		expect(resumed.updates).toBe(1);
		resumed.add(B.weights, B.numExamples);
		// through chunks of 7 bytes (header and body split at odd offsets)
		const again = FedAvgAccumulator.fromChunks(resumed.toChunks(7));
		again.add(C.weights, C.numExamples);
		expect(Array.from(again.result())).toEqual(Array.from(fedAvg([A, B, C])));
		expect(again.totalExamples).toBe(4);
	});

	it('equals the batch average for random rounds, however it is split and resumed', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 50 }), fc.nat(), (k, n, seed) => {
				const rng = mulberry32(seed);
				const ups = Array.from({ length: k }, () => ({
					weights: Float32Array.from({ length: n }, () => rng() * 4 - 2),
					numExamples: 1 + Math.floor(rng() * 100)
				}));
				let acc = new FedAvgAccumulator(n);
				for (const u of ups) {
					acc.add(u.weights, u.numExamples);
					acc = FedAvgAccumulator.fromChunks(acc.toChunks(1 + Math.floor(rng() * 64)));
				}
				// The batch reference in float64: Σ n·w / Σ n.
				const total = ups.reduce((s, u) => s + u.numExamples, 0);
				const ref = Array.from({ length: n }, (_, i) =>
					Math.fround(ups.reduce((s, u) => s + u.weights[i] * u.numExamples, 0) / total)
				);
				expect(Array.from(acc.result())).toEqual(ref);
			}),
			{ numRuns: 50 }
		);
	});

	it('leaves the sum untouched when it refuses an update', () => {
		const acc = new FedAvgAccumulator(4);
		acc.add(A.weights, 1);
		expect(() => acc.add(w(1, 2, NaN, 4), 1)).toThrow(FederatedInputError);
		expect(() => acc.add(w(1, 2, 3), 1)).toThrow(/3 parameters, expected 4/);
		expect(acc.updates).toBe(1);
		expectClose(acc.result(), [1, 2, 3, 4]);
	});

	it('refuses a state that is not its own', () => {
		const bytes = new FedAvgAccumulator(4).serialize();
		expect(() => FedAvgAccumulator.deserialize(bytes.subarray(0, 30))).toThrow(/expected 56/);
		const bad = bytes.slice();
		bad[0] ^= 1;
		expect(() => FedAvgAccumulator.deserialize(bad)).toThrow(/not a FedAvg accumulator/);
		expect(() => FedAvgAccumulator.deserialize(new Uint8Array(3))).toThrow(FederatedInputError);
	});

	it('splits and joins bytes without loss', () => {
		const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
		const chunks = splitBytes(bytes, 30);
		expect(chunks.map((c) => c.length)).toEqual([30, 30, 30, 10]);
		expect(joinBytes(chunks)).toEqual(bytes);
	});

	it('adds a 1M-parameter update in a tight loop', () => {
		const n = 1_000_000;
		const acc = new FedAvgAccumulator(n);
		const u = new Float32Array(n).fill(0.5);
		acc.add(u, 3);
		const t0 = performance.now();
		for (let k = 0; k < 5; k++) acc.add(u, 3);
		const perAdd = (performance.now() - t0) / 5;
		expect(acc.result()[n - 1]).toBe(0.5);
		// Generous bound (the check and the add are ~2–5 ms on a laptop); it catches per-element allocation.
		expect(perAdd).toBeLessThan(100);
	});
});
