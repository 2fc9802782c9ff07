/**
 * Rényi-DP accountant for the sampled Gaussian mechanism (Mironov, Talwar, Zhang 2019, "Rényi Differential Privacy
 * of the Sampled Gaussian Mechanism"), the computation of TensorFlow Privacy's rdp_accountant.py (_compute_log_a_int,
 * _compute_rdp, compute_rdp, get_privacy_spent) for integer orders: with sampling rate q and noise multiplier σ,
 *   A_α = Σ_{i=0..α} C(α, i) · q^i · (1 − q)^(α−i) · exp((i² − i) / (2σ²)),   RDP(α) = log A_α / (α − 1),
 * summed in log space (the terms overflow a double long before α = 256). Composition over T steps multiplies by T;
 * rounds with different q or σ add their RDP per order.
 *
 * ε at δ: the classic conversion (Mironov 2017, Proposition 3), ε = min_α RDP(α) + log(1/δ) / (α − 1), is
 * `epsilon`; it is what TensorFlow Privacy's tutorials published (noise 1.1, q = 256/60000, 60 epochs, δ = 1e-5:
 * ε ≈ 3.01; here 3.0092 at α = 9). The tighter conversion of Balle et al. 2020 (Proposition 12) / Canonne et al.
 * 2020, ε = RDP(α) + log(1 − 1/α) − (log δ + log α) / (α − 1), which newer TensorFlow Privacy and dp_accounting
 * use, is `epsilonImproved` (2.597 for the same run). Report which one a number came from.
 */
import { FederatedInputError } from './errors';

/** Integer orders 2…256: enough for any σ ≥ 0.5 and q ≤ 0.1 to find its optimum away from the ends. */
export const DEFAULT_ORDERS: readonly number[] = Array.from({ length: 255 }, (_, i) => i + 2);

/** log(exp(x) + exp(y)) without overflow (TF Privacy's _log_add). */
function logAdd(x: number, y: number): number {
	const a = Math.min(x, y);
	const b = Math.max(x, y);
	if (a === -Infinity) return b;
	return Math.log1p(Math.exp(a - b)) + b;
}

/** log k! for k = 0…n, summed exactly enough (relative error ~1e-16 per term) for binomials up to n = 256 and beyond. */
function logFactorials(n: number): Float64Array {
	const lf = new Float64Array(n + 1);
	for (let k = 2; k <= n; k++) lf[k] = lf[k - 1] + Math.log(k);
	return lf;
}

function checkOrders(orders: readonly number[]): void {
	if (orders.length === 0) throw new FederatedInputError('orders must not be empty');
	for (const a of orders)
		if (!Number.isInteger(a) || a < 2)
			throw new FederatedInputError(
				`orders must be integers ≥ 2 (fractional orders are not implemented), got ${a}`
			);
}

/** log A_α for integer α and 0 < q < 1 (TF Privacy's _compute_log_a_int). */
function logAInt(q: number, sigma: number, alpha: number, lf: Float64Array): number {
	const lq = Math.log(q);
	const l1q = Math.log1p(-q);
	let logA = -Infinity;
	for (let i = 0; i <= alpha; i++) {
		const coef = lf[alpha] - lf[i] - lf[alpha - i] + i * lq + (alpha - i) * l1q;
		logA = logAdd(logA, coef + (i * i - i) / (2 * sigma * sigma));
	}
	return logA;
}

/**
 * RDP of `steps` compositions of the sampled Gaussian mechanism at each order (TF Privacy's compute_rdp):
 * 0 when q = 0, α/(2σ²) per step when q = 1 (the plain Gaussian mechanism), Infinity when σ = 0.
 */
export function computeRdp(
	q: number,
	noiseMultiplier: number,
	steps: number,
	orders: readonly number[] = DEFAULT_ORDERS
): Float64Array {
	if (!(q >= 0 && q <= 1)) throw new FederatedInputError(`sampling rate q must be in [0, 1], got ${q}`);
	if (!(noiseMultiplier >= 0) || !Number.isFinite(noiseMultiplier))
		throw new FederatedInputError(`noiseMultiplier must be a finite number ≥ 0, got ${noiseMultiplier}`);
	if (!Number.isInteger(steps) || steps < 0)
		throw new FederatedInputError(`steps must be a non-negative integer, got ${steps}`);
	checkOrders(orders);
	const out = new Float64Array(orders.length);
	if (q === 0 || steps === 0) return out;
	if (noiseMultiplier === 0) return out.fill(Infinity);
	const lf = logFactorials(Math.max(...orders));
	orders.forEach((alpha, k) => {
		const rdp =
			q === 1 ? alpha / (2 * noiseMultiplier ** 2) : logAInt(q, noiseMultiplier, alpha, lf) / (alpha - 1);
		out[k] = rdp * steps;
	});
	return out;
}

export interface EpsilonResult {
	epsilon: number;
	/** The order at which the minimum was reached. */
	order: number;
}

function checkDelta(orders: readonly number[], rdp: ArrayLike<number>, delta: number): void {
	if (orders.length !== rdp.length) throw new FederatedInputError('orders and rdp differ in length');
	if (!(delta > 0 && delta < 1)) throw new FederatedInputError(`delta must be in (0, 1), got ${delta}`);
}

/** Classic conversion: ε = min_α RDP(α) + log(1/δ)/(α − 1) (Mironov 2017, Proposition 3; TF Privacy ≤ 0.5). */
export function epsilon(orders: readonly number[], rdp: ArrayLike<number>, delta: number): EpsilonResult {
	checkDelta(orders, rdp, delta);
	let best = { epsilon: Infinity, order: orders[0] };
	orders.forEach((a, k) => {
		const e = rdp[k] + Math.log(1 / delta) / (a - 1);
		if (e < best.epsilon) best = { epsilon: e, order: a };
	});
	return best;
}

/**
 * Improved conversion (Balle et al. 2020, Proposition 12; Canonne, Kamath, Steinke 2020, eq. 20), exactly as
 * TF Privacy's _compute_eps: ε_α = RDP(α) + log1p(−1/α) − log(δ·α)/(α − 1), and 0 where the KL bound already
 * gives δ (δ² + expm1(−RDP) ≥ 0); the minimum over α, floored at 0.
 */
export function epsilonImproved(
	orders: readonly number[],
	rdp: ArrayLike<number>,
	delta: number
): EpsilonResult {
	checkDelta(orders, rdp, delta);
	let best = { epsilon: Infinity, order: orders[0] };
	orders.forEach((a, k) => {
		const r = rdp[k];
		const e =
			delta * delta + Math.expm1(-r) >= 0 ? 0 : r + Math.log1p(-1 / a) - Math.log(delta * a) / (a - 1);
		if (e < best.epsilon) best = { epsilon: e, order: a };
	});
	return { epsilon: Math.max(0, best.epsilon), order: best.order };
}

/**
 * A running account for a federated run: each round with DP adds its (q, σ) step, and ε at the run's δ can be
 * reported after every round. q is the fraction of the population sampled that round (clients sampled ÷ clients
 * available); σ the noise multiplier actually applied (for adaptive clipping, the z_Δ of `adaptiveNoiseParams`).
 * Sampling without replacement of a fixed number of clients is accounted as Poisson sampling at that rate, as
 * Flower's and TF Federated's tutorials do; that is an approximation, stated here so it is not hidden.
 */
export class RdpAccountant {
	readonly orders: readonly number[];
	readonly rdp: Float64Array;
	steps = 0;

	constructor(orders: readonly number[] = DEFAULT_ORDERS, rdp?: ArrayLike<number>, steps = 0) {
		checkOrders(orders);
		this.orders = [...orders];
		this.rdp = new Float64Array(orders.length);
		if (rdp) {
			if (rdp.length !== orders.length) throw new FederatedInputError('orders and rdp differ in length');
			this.rdp.set(rdp);
		}
		this.steps = steps;
	}

	/** Composes `steps` more applications of the sampled Gaussian mechanism. */
	step(q: number, noiseMultiplier: number, steps = 1): this {
		const add = computeRdp(q, noiseMultiplier, steps, this.orders);
		for (let k = 0; k < add.length; k++) this.rdp[k] += add[k];
		this.steps += steps;
		return this;
	}

	/** ε at δ by the classic conversion. */
	epsilon(delta: number): EpsilonResult {
		return epsilon(this.orders, this.rdp, delta);
	}

	/** ε at δ by the improved conversion (smaller; say which one is reported). */
	epsilonImproved(delta: number): EpsilonResult {
		return epsilonImproved(this.orders, this.rdp, delta);
	}

	/** Plain JSON (Infinity as null) so a Durable Object can store the account with the round. */
	toJSON(): { orders: number[]; rdp: (number | null)[]; steps: number } {
		return {
			orders: [...this.orders],
			rdp: Array.from(this.rdp, (r) => (Number.isFinite(r) ? r : null)),
			steps: this.steps
		};
	}

	static fromJSON(json: { orders: number[]; rdp: (number | null)[]; steps: number }): RdpAccountant {
		return new RdpAccountant(
			json.orders,
			json.rdp.map((r) => r ?? Infinity),
			json.steps
		);
	}
}
