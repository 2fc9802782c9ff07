/**
 * FedProx (Li et al. 2020; Flower's FedProx strategy, flwr/server/strategy/fedprox.py): the server aggregates as
 * FedAvg and sends μ (`proximal_mu`) to the clients; each client adds μ/2·‖w − w_global‖² to its local loss, which
 * adds μ·(w − w_global) to its gradient. Flower's docstring example sums per-layer norms without squaring them;
 * the formula it states, and the paper's, is the squared L2 norm of the whole difference, which is what is here.
 */
import { checkRange, checkWeights, type Weights } from './errors';

/** μ/2 · ‖w − w_global‖², in float64. */
export function proximalTerm(w: Weights, global: Weights, mu: number): number {
	checkWeights(global, global.length, 'global weights');
	checkWeights(w, global.length, 'weights');
	checkRange(mu, 'mu', 0, Infinity);
	let s = 0;
	for (let i = 0; i < w.length; i++) {
		const d = w[i] - global[i];
		s += d * d;
	}
	return (mu / 2) * s;
}

/** grad += μ·(w − w_global), in place: the proximal term's gradient, for a training loop over flat weights. */
export function addProximalGradient(grad: Weights, w: Weights, global: Weights, mu: number): void {
	checkWeights(global, global.length, 'global weights');
	checkWeights(w, global.length, 'weights');
	checkWeights(grad, global.length, 'gradient');
	checkRange(mu, 'mu', 0, Infinity);
	for (let i = 0; i < w.length; i++) grad[i] += mu * (w[i] - global[i]);
}
