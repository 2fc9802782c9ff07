import { describe, expect, it } from 'vitest';
import {
	FederatedInputError,
	addCentralDpNoise,
	adaptiveNoiseParams,
	addProximalGradient,
	centralDpStd,
	clipUpdate,
	proximalTerm,
	updateClippingNorm
} from '../../../src/lib/ml/federated';
import { mulberry32 } from '../../../src/lib/ml/random';
import { expectClose, w } from './helpers';

const global = w(1, 1, 1, 1);
const update = w(4, 5, 1, 1); // Δ = [3, 4, 0, 0], ‖Δ‖ = 5

describe('fixed L2 clipping of update − global', () => {
	it('leaves a norm below the bound alone', () => {
		const r = clipUpdate(update, global, 10);
		expect(r).toMatchObject({ norm: 5, scale: 1, clipped: false });
		expectClose(r.weights, [4, 5, 1, 1]);
	});

	it('does not clip a norm exactly at the bound (Flower: clipped ⇔ scale < 1)', () => {
		const r = clipUpdate(update, global, 5);
		expect(r).toMatchObject({ norm: 5, scale: 1, clipped: false });
	});

	it('scales a norm above the bound onto it', () => {
		// scale = 2.5/5 = 0.5: global + 0.5·[3, 4, 0, 0] = [2.5, 3, 1, 1], whose distance to global is 2.5.
		const out = new Float32Array(4);
		const r = clipUpdate(update, global, 2.5, out);
		expect(r).toMatchObject({ norm: 5, scale: 0.5, clipped: true });
		expect(r.weights).toBe(out);
		expectClose(out, [2.5, 3, 1, 1]);
	});

	it('treats an unchanged model as unclipped', () => {
		expect(clipUpdate(global, global, 1)).toMatchObject({ norm: 0, scale: 1, clipped: false });
	});
});

describe('adaptive clipping (Andrew et al. 2019)', () => {
	const bits = (...clipped: boolean[]) => clipped.map((c) => ({ clipped: c }));
	const opts = { targetQuantile: 0.5, clipNormLr: 0.2, clippedCountStddev: 0 };
	const rng = mulberry32(1);

	it('moves C toward the target quantile of the norms', () => {
		// 2 of 4 unclipped = γ: C stays.
		expect(updateClippingNorm(1, bits(true, true, false, false), opts, rng).clipNorm).toBe(1);
		// 3 of 4 unclipped: C·exp(−0.2·(0.75 − 0.5)) = exp(−0.05) = 0.951229 (C was too large).
		expect(updateClippingNorm(1, bits(true, false, false, false), opts, rng).clipNorm).toBeCloseTo(
			0.951229,
			6
		);
		// Flower's indicator counts the clipped one: exp(−0.2·(0.25 − 0.5)) = exp(0.05) = 1.051271.
		const flower = updateClippingNorm(
			1,
			bits(true, false, false, false),
			{ ...opts, indicator: 'clipped' },
			rng
		);
		expect(flower.clipNorm).toBeCloseTo(1.051271, 6);
	});

	it('noises the count with σ_b and splits the noise multiplier as Flower does', () => {
		// σ_b = m/20 = 5; z_Δ = (1⁻² − (2·5)⁻²)^(−1/2) = 1/√0.99 = 1.0050378
		const p = adaptiveNoiseParams(1, 100);
		expect(p.clippedCountStddev).toBe(5);
		expect(p.noiseMultiplier).toBeCloseTo(1.0050378, 6);
		expect(adaptiveNoiseParams(0, 100)).toEqual({ clippedCountStddev: 0, noiseMultiplier: 0 });
		// σ_b = 0.5 cannot carry z = 1 (needs z < 2σ_b).
		expect(() => adaptiveNoiseParams(1, 10)).toThrow(FederatedInputError);
		const noisy = updateClippingNorm(1, bits(true, false), { ...opts, clippedCountStddev: 5 }, mulberry32(3));
		expect(noisy.count).toBe(1);
		expect(noisy.noisedFraction).not.toBe(0.5);
	});
});

describe('central DP Gaussian noise', () => {
	it("has Flower's std z·C/m", () => {
		expect(centralDpStd(1.1, 2, 10)).toBeCloseTo(0.22, 12);
		expect(() => centralDpStd(1, 1, 0)).toThrow(/numSampledClients/);
	});

	it('draws N(0, std²) per coordinate, reproducibly from a seed', () => {
		const n = 200_001; // odd, so the single-draw tail is exercised too
		const a = new Float32Array(n);
		const rec = addCentralDpNoise(a, 1.1, 2, 10, mulberry32(42));
		expect(rec).toEqual({ noiseMultiplier: 1.1, clipNorm: 2, numSampledClients: 10, std: rec.std });
		let s = 0;
		let s2 = 0;
		for (const x of a) {
			s += x;
			s2 += x * x;
		}
		const mean = s / n;
		const sd = Math.sqrt(s2 / n - mean * mean);
		// standard errors: mean 0.22/√n ≈ 0.0005, sd 0.22/√(2n) ≈ 0.00035; allow ~5 of each
		expect(Math.abs(mean)).toBeLessThan(0.0025);
		expect(Math.abs(sd - 0.22)).toBeLessThan(0.002);
		// share within one std ≈ 68.27%
		const within = a.filter((x) => Math.abs(x) < 0.22).length / n;
		expect(within).toBeCloseTo(0.6827, 2);
		const b = new Float32Array(n);
		addCentralDpNoise(b, 1.1, 2, 10, mulberry32(42));
		expect(b).toEqual(a);
	});
});

describe('FedProx client term', () => {
	it('is μ/2·‖w − w_global‖² with gradient μ·(w − w_global)', () => {
		// μ = 0.1, ‖[3, 4, 0, 0]‖² = 25 → 0.05·25 = 1.25
		expect(proximalTerm(update, global, 0.1)).toBeCloseTo(1.25, 12);
		const g = w(1, 1, 1, 1);
		addProximalGradient(g, update, global, 0.1);
		expectClose(g, [1.3, 1.4, 1, 1]);
	});
});
