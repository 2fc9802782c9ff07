import { describe, expect, it } from 'vitest';
import {
	FederatedInputError,
	RdpAccountant,
	decodeUpdate,
	encodeUpdate,
	localDp,
	localDpEpsilon
} from '../../../src/lib/ml/federated';
import { mulberry32 } from '../../../src/lib/ml/random';
import { expectClose, w } from './helpers';

/** A uniform source that returns the given values in turn and fails if asked for more. */
function fixed(...values: number[]): () => number {
	let i = 0;
	return () => {
		if (i >= values.length) throw new Error(`rng called ${i + 1} times, only ${values.length} values`);
		return values[i++];
	};
}

// Box–Muller: r = std·√(−2 log(1 − u₁)) is std when 1 − u₁ = e^(−1/2); the angle 2π·u₂ is 0 for u₂ = 0, π for ½.
const R1 = 1 - Math.exp(-0.5);

describe('local DP: clip to C, then N(0, (z·C)²) per coordinate', () => {
	it('clips exactly on a hand case, without noise', () => {
		// ‖[3, 4]‖ = 5 → scaled by 1/5 onto the unit sphere.
		const r = localDp(w(3, 4), 1, 0, fixed());
		expect(r).toMatchObject({ clipped: true, norm: 5, std: 0 });
		expectClose(r.delta, [0.6, 0.8]);
		// Below and exactly at the bound: unchanged and not clipped.
		expect(localDp(w(3, 4), 10, 0, fixed())).toMatchObject({ clipped: false, norm: 5 });
		expect(localDp(w(3, 4), 5, 0, fixed()).clipped).toBe(false);
		expect(Array.from(localDp(w(3, 4), 5, 0, fixed()).delta)).toEqual([3, 4]);
		// A zero update stays zero.
		expect(localDp(w(0, 0), 1, 0, fixed())).toMatchObject({ clipped: false, norm: 0 });
	});

	it('adds the Box–Muller draws of the given uniforms, std = z·C', () => {
		// [3, 4, 0] clipped to C = 1: [0.6, 0.8, 0]. std = 0.5 · 1.
		// Coordinates 0 and 1 share one pair (r = 0.5, θ = 0): +0.5·cos 0 = 0.5, +0.5·sin 0 = 0.
		// Coordinate 2, the odd one: r = 0.5, θ = π: −0.5.
		const r = localDp(w(3, 4, 0), 1, 0.5, fixed(R1, 0, R1, 0.5));
		expect(r).toMatchObject({ clipped: true, norm: 5, std: 0.5 });
		expectClose(r.delta, [1.1, 0.8, -0.5]);
		// The same draw at C = 2, z = 0.25 (std still 0.5) clips less: [1.2, 1.6, 0] + [0.5, 0, −0.5].
		expectClose(localDp(w(3, 4, 0), 2, 0.25, fixed(R1, 0, R1, 0.5)).delta, [1.7, 1.6, -0.5]);
	});

	it('has noise of mean 0 and variance (z·C)² over many coordinates, seeded', () => {
		const n = 200_000;
		const C = 2;
		const z = 0.75; // variance (1.5)² = 2.25
		const r = localDp(new Float32Array(n), C, z, mulberry32(42));
		let sum = 0;
		let sq = 0;
		for (const x of r.delta) {
			sum += x;
			sq += x * x;
		}
		const mean = sum / n;
		const variance = sq / n - mean * mean;
		// Standard errors: mean 1.5/√n ≈ 0.0034, variance 2.25·√(2/n) ≈ 0.0071.
		expect(Math.abs(mean)).toBeLessThan(0.02);
		expect(variance / 2.25).toBeGreaterThan(0.98);
		expect(variance / 2.25).toBeLessThan(1.02);
		// Reproducible from the seed.
		expect(Array.from(localDp(new Float32Array(8), C, z, mulberry32(42)).delta)).toEqual(
			Array.from(r.delta.subarray(0, 8))
		);
	});

	it('does not modify its input and refuses bad arguments', () => {
		const delta = w(3, 4);
		localDp(delta, 1, 1, mulberry32(1));
		expect(Array.from(delta)).toEqual([3, 4]);
		const rng = mulberry32(1);
		expect(() => localDp(w(1, NaN), 1, 1, rng)).toThrow(/delta has a non-finite value \(NaN\) at index 1/);
		expect(() => localDp(w(1), 0, 1, rng)).toThrow(/clipNorm must be in \(0, Infinity\)/);
		expect(() => localDp(w(1), Infinity, 1, rng)).toThrow(/clipNorm must be in/);
		expect(() => localDp(w(1), 1, -0.1, rng)).toThrow(/noiseMultiplier must be in \[0, Infinity\)/);
		expect(() => localDp(w(1), 1e300, 1e300, rng)).toThrow(FederatedInputError);
	});

	it('composes with the encoder: noise first, then quantise with error feedback', () => {
		const rng = mulberry32(9);
		const noised = localDp(
			Float32Array.from({ length: 300 }, (_, i) => Math.sin(i)),
			1,
			1,
			rng
		).delta;
		const { bytes, residual } = encodeUpdate(noised, 'int8');
		const decoded = decodeUpdate(bytes, 'int8', 300);
		for (let i = 0; i < 300; i++) expect(decoded[i] + residual[i]).toBeCloseTo(noised[i], 6);
	});
});

describe('localDpEpsilon: q = 1 Gaussian mechanism composed over rounds', () => {
	it('matches the RDP accountant and a hand computation', () => {
		// One round, z = 1, δ = 1e-5: RDP(α) = α/2, ε = min_α α/2 + log(1e5)/(α − 1), at α = 6: 3 + 11.512925/5.
		expect(localDpEpsilon(1, 1, 1e-5)).toBeCloseTo(3 + Math.log(1e5) / 5, 10);
		expect(localDpEpsilon(1, 1, 1e-5)).toBeCloseTo(5.302585, 6);
		expect(localDpEpsilon(2, 30, 1e-6)).toBe(new RdpAccountant().step(1, 2, 30).epsilon(1e-6).epsilon);
		expect(localDpEpsilon(2, 30, 1e-6, { conversion: 'improved' })).toBe(
			new RdpAccountant().step(1, 2, 30).epsilonImproved(1e-6).epsilon
		);
		expect(localDpEpsilon(2, 30, 1e-6, { conversion: 'improved' })).toBeLessThan(localDpEpsilon(2, 30, 1e-6));
	});

	it('grows with the rounds and shrinks with the noise', () => {
		let last = 0;
		for (const rounds of [1, 2, 5, 10, 20, 50, 100, 200]) {
			const e = localDpEpsilon(1.5, rounds, 1e-5);
			expect(e, `rounds ${rounds}`).toBeGreaterThan(last);
			last = e;
		}
		last = Infinity;
		for (const z of [0.5, 0.8, 1, 2, 4, 8]) {
			const e = localDpEpsilon(z, 10, 1e-5);
			expect(e, `z ${z}`).toBeLessThan(last);
			last = e;
		}
	});

	it('0 for no rounds, Infinity without noise, z/2 for the replace relation; refuses bad arguments', () => {
		expect(localDpEpsilon(1, 0, 1e-5)).toBe(0);
		expect(localDpEpsilon(0, 3, 1e-5)).toBe(Infinity);
		expect(localDpEpsilon(2, 10, 1e-5, { neighbouring: 'replace' })).toBe(localDpEpsilon(1, 10, 1e-5));
		expect(() => localDpEpsilon(1, -1, 1e-5)).toThrow(/rounds must be a non-negative integer, got -1/);
		expect(() => localDpEpsilon(1, 1.5, 1e-5)).toThrow(/got 1.5/);
		expect(() => localDpEpsilon(1, 1, 0)).toThrow(/delta must be in \(0, 1\)/);
		expect(() => localDpEpsilon(1, 1, 1)).toThrow(FederatedInputError);
		expect(() => localDpEpsilon(-1, 1, 1e-5)).toThrow(/noiseMultiplier/);
	});
});
