import { describe, expect, it } from 'vitest';
import { outgoingUpdate } from '$lib/federated/outgoing';
import { decodeUpdate } from '$lib/ml/federated';

/** What a participant puts on the wire for a round: weights, or the difference encoded, with local DP first. */

const global = Float32Array.from([1, 2, 3, 4]);
const trained = Float32Array.from([1.5, 1.5, 3.25, 4]);
const floats = (b: Uint8Array) => new Float32Array(b.slice().buffer);

describe('outgoingUpdate', () => {
	it('without local DP or quantisation sends the new weights as float32, exactly', () => {
		const out = outgoingUpdate({ global, trained, encoding: 'float32', localDp: null, residual: null });
		expect(Array.from(floats(out.body))).toEqual(Array.from(trained));
		expect(out).toMatchObject({ residual: null, clipped: false });
	});

	it('quantised, sends the difference from the global model, and keeps the error for the next round', () => {
		const out = outgoingUpdate({ global, trained, encoding: 'int8', localDp: null, residual: null });
		const d = decodeUpdate(out.body, 'int8', 4);
		// int8 with one block: the largest |difference| (0.5) is exact, the others within half a step (0.5/127/2).
		expect(Array.from(d).map((v, i) => Math.abs(global[i] + v - trained[i]) <= 0.5 / 254 + 1e-7)).toEqual([
			true,
			true,
			true,
			true
		]);
		expect(Array.from(out.residual!).map((r, i) => r + d[i])).toEqual(
			Array.from(trained).map((t, i) => expect.closeTo(t - global[i], 6))
		);
		// Next round the residual is added to the new difference before quantising.
		const next = outgoingUpdate({
			global,
			trained: global,
			encoding: 'float16',
			localDp: null,
			residual: out.residual
		});
		expect(Array.from(decodeUpdate(next.body, 'float16', 4))).toEqual(
			Array.from(out.residual!).map((r) => expect.closeTo(r, 6))
		);
	});

	it('with local DP clips the difference to the norm and adds noise before anything leaves', () => {
		// A uniform of exactly 0.5 makes Box–Muller's noise cos(π)·√(−2 ln 0.5)·σ, the same for every coordinate pair.
		const out = outgoingUpdate({
			global,
			trained,
			encoding: 'float32',
			localDp: { clipNorm: 0.1, noiseMultiplier: 1e-9 },
			residual: null,
			rng: () => 0.5
		});
		expect(out.clipped).toBe(true);
		const sent = floats(out.body);
		const diff = Array.from(sent).map((v, i) => v - global[i]);
		const norm = Math.hypot(...diff);
		expect(norm).toBeCloseTo(0.1, 5);
		// The direction is the trained difference's.
		const raw = Array.from(trained).map((t, i) => t - global[i]);
		const rawNorm = Math.hypot(...raw);
		expect(diff.map((d, i) => d / norm - raw[i] / rawNorm).every((e) => Math.abs(e) < 1e-4)).toBe(true);
	});

	it('with local DP noise, the sent weights differ from the trained ones by about the noise', () => {
		let seed = 1;
		const rng = () => ((seed = (seed * 16807) % 2147483647) + 0.5) / 2147483647;
		const big = new Float32Array(20_000);
		const out = outgoingUpdate({
			global: big,
			trained: big,
			encoding: 'float32',
			localDp: { clipNorm: 1, noiseMultiplier: 0.5 },
			residual: null,
			rng
		});
		const sent = floats(out.body);
		const variance = sent.reduce((a, v) => a + v * v, 0) / sent.length;
		expect(Math.sqrt(variance)).toBeCloseTo(0.5, 1);
	});

	it('refuses a trained model of another size', () => {
		expect(() =>
			outgoingUpdate({
				global,
				trained: new Float32Array(3),
				encoding: 'float32',
				localDp: null,
				residual: null
			})
		).toThrow(/3 parameters but the job's global model has 4/);
	});
});
