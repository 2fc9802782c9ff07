import { describe, expect, it } from 'vitest';
import {
	DEFAULT_ORDERS,
	FederatedInputError,
	RdpAccountant,
	computeRdp,
	epsilon,
	epsilonImproved
} from '../../../src/lib/ml/federated';

describe('RDP accountant for the sampled Gaussian mechanism', () => {
	it("gives TensorFlow Privacy's published ε ≈ 3.01 (σ 1.1, q 256/60000, 60 epochs, δ 1e-5, classic conversion)", () => {
		const q = 256 / 60000;
		const steps = Math.ceil((60 * 60000) / 256); // 14 063
		const acc = new RdpAccountant().step(q, 1.1, steps);
		const classic = acc.epsilon(1e-5);
		// TF Privacy's own rdp_accountant on orders 2…256 gives 3.00921 at α = 9.
		expect(Math.abs(classic.epsilon - 3.01)).toBeLessThan(0.02);
		expect(classic.epsilon).toBeCloseTo(3.009211, 5);
		expect(classic.order).toBe(9);
		// The improved conversion (TF Privacy's _compute_eps) on the same RDP: 2.597079 at α = 8.
		const improved = acc.epsilonImproved(1e-5);
		expect(improved.epsilon).toBeCloseTo(2.59708, 5);
		expect(improved.order).toBe(8);
	});

	it("matches TF Privacy's compute_rdp term by term", () => {
		// compute_rdp(0.01, 1.0, 1, [2, 3, 10, 32, 256]) from TF Privacy's rdp_accountant.py
		const rdp = computeRdp(0.01, 1, 1, [2, 3, 10, 32, 256]);
		const ref = [1.71813422e-4, 2.64637575e-4, 3.82704189e-2, 1.12462759e1, 1.2337677e2];
		ref.forEach((r, k) => expect(rdp[k] / r).toBeCloseTo(1, 7));
	});

	it('is the plain Gaussian α/(2σ²) at q = 1, and 0 at q = 0', () => {
		const rdp = computeRdp(1, 1.1, 3, [2, 10]);
		expect(rdp[0]).toBeCloseTo((3 * 2) / (2 * 1.21), 12);
		expect(rdp[1]).toBeCloseTo((3 * 10) / (2 * 1.21), 12);
		expect(Array.from(computeRdp(0, 1, 10))).toEqual(new Array(DEFAULT_ORDERS.length).fill(0));
		// classic conversion by hand at a single order: 2/(2·1.21) + log(1e5)/1 = 0.826446 + 11.512925
		expect(epsilon([2], computeRdp(1, 1.1, 1, [2]), 1e-5).epsilon).toBeCloseTo(12.339371, 5);
	});

	it('composes round by round and survives JSON', () => {
		const a = new RdpAccountant();
		for (let r = 0; r < 10; r++) a.step(0.1, 1.0);
		const b = new RdpAccountant().step(0.1, 1.0, 10);
		b.rdp.forEach((x, k) => expect(a.rdp[k]).toBeCloseTo(x, 10));
		const c = RdpAccountant.fromJSON(JSON.parse(JSON.stringify(a)));
		expect(c.epsilon(1e-5)).toEqual(a.epsilon(1e-5));
		expect(c.steps).toBe(10);
		// ε grows with every round
		const eps = [1, 2, 3].map((k) => new RdpAccountant().step(0.1, 1.0, k).epsilon(1e-5).epsilon);
		expect(eps[0]).toBeLessThan(eps[1]);
		expect(eps[1]).toBeLessThan(eps[2]);
	});

	it('reports infinity without noise and refuses bad arguments', () => {
		const acc = new RdpAccountant().step(0.1, 0);
		expect(acc.epsilon(1e-5).epsilon).toBe(Infinity);
		expect(RdpAccountant.fromJSON(JSON.parse(JSON.stringify(acc))).epsilon(1e-5).epsilon).toBe(Infinity);
		expect(() => computeRdp(1.5, 1, 1)).toThrow(FederatedInputError);
		expect(() => computeRdp(0.1, 1, 1, [1.5])).toThrow(/integers ≥ 2/);
		expect(() => epsilon([2], [1], 0)).toThrow(/delta/);
		expect(epsilonImproved([2], [0], 1e-5).epsilon).toBe(0);
	});
});
