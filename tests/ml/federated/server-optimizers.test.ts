import { describe, expect, it } from 'vitest';
import {
	FLOWER_DEFAULTS,
	FederatedInputError,
	deserializeServerOptState,
	initialServerOptState,
	resolveServerOptimizer,
	serializeServerOptState,
	serverStep,
	type ServerOptimizerOptions
} from '../../../src/lib/ml/federated';
import { expectClose, w } from './helpers';

// Round 1: current = [2, 2, 2, 2], FedAvg of the round = [3, 2.5, 3.5, 6]  →  Δ1 = avg − current = [1, 0.5, 1.5, 4].
// Round 2: current = round 1's result, FedAvg of the round = [3, 2, 2, 2].
const current1 = w(2, 2, 2, 2);
const avg1 = w(3, 2.5, 3.5, 6);
const avg2 = w(3, 2, 2, 2);

function twoRounds(options: ServerOptimizerOptions, avgRound2 = avg2) {
	const opt = resolveServerOptimizer(options);
	const state = initialServerOptState(opt.kind);
	const r1 = serverStep(opt, current1, avg1, state, 1);
	// The state goes through bytes between rounds, as a Durable Object would store it.
	const resumed = deserializeServerOptState(serializeServerOptState(state));
	const r2 = serverStep(opt, r1, avgRound2, resumed, 2);
	return { r1, r2, state: resumed };
}

describe('server optimisers (Flower formulas)', () => {
	it('FedAvg returns the average', () => {
		expectClose(twoRounds({ kind: 'fedavg' }).r1, [3, 2.5, 3.5, 6]);
	});

	it('FedAvgM with momentum 0.9, lr 1', () => {
		// Round 1: g = current − avg = [−1, −0.5, −1.5, −4]; v = g; next = current − v = [3, 2.5, 3.5, 6].
		// Round 2 (current = [3, 2.5, 3.5, 6], avg = [4, 2.5, 3, 6]): g = [−1, 0, 0.5, 0];
		//   v = 0.9·[−1, −0.5, −1.5, −4] + g = [−1.9, −0.45, −0.85, −3.6]; next = current − v = [4.9, 2.95, 4.35, 9.6].
		const { r1, r2, state } = twoRounds({ kind: 'fedavgm', serverMomentum: 0.9 }, w(4, 2.5, 3, 6));
		expectClose(r1, [3, 2.5, 3.5, 6]);
		expectClose(r2, [4.9, 2.95, 4.35, 9.6], 5);
		expectClose(state.momentum!, [-1.9, -0.45, -0.85, -3.6], 6);
	});

	it('FedAvgM with lr 0.5 and no momentum is a damped step', () => {
		// next = current − 0.5·(current − avg) = [2.5, 2.25, 2.75, 4]
		expectClose(twoRounds({ kind: 'fedavgm', serverLearningRate: 0.5 }).r1, [2.5, 2.25, 2.75, 4]);
	});

	it("FedAdam with Flower's defaults (η 0.1, β1 0.9, β2 0.99, τ 1e-9), bias-corrected", () => {
		// Round 1: m = 0.1·Δ1, v = 0.01·Δ1², so m/√v = 1 in every coordinate (τ is negligible);
		//   η̂ = 0.1·√(1 − 0.99²)/(1 − 0.9²) = 0.1·√0.0199/0.19 = 0.0742460 (Flower's exponent is round + 1);
		//   next = 2 + 0.0742460 = 2.0742460 everywhere.
		// Round 2: Δ2 = [3, 2, 2, 2] − 2.0742460; m = 0.9·m + 0.1·Δ2; v = 0.99·v + 0.01·Δ2²;
		//   η̂ = 0.1·√(1 − 0.99³)/(1 − 0.9³) = 0.1·√0.029701/0.271 = 0.0635940; next = current + η̂·m/(√v + τ).
		// Expected values from Flower's FedAdam.aggregate_fit lines run in numpy.
		const { r1, r2 } = twoRounds({ kind: 'fedadam' });
		expectClose(r1, [2.074246, 2.074246, 2.074246, 2.074246], 6);
		expectClose(r2, [2.1596784, 2.121752, 2.1285382, 2.1305728], 5);
	});

	it("FedYogi with Flower's defaults (η 0.01, β1 0.9, β2 0.99, τ 1e-3)", () => {
		// Round 1: m = 0.1·Δ; v = 0 − 0.01·Δ²·sign(0 − Δ²) = 0.01·Δ²; next = 2 + 0.01·0.1·Δ/(0.1·|Δ| + 0.001):
		//   Δ = 1: 0.001/0.101 = 0.00990099; 0.5: 0.0005/0.051 = 0.00980392; 1.5: 0.0015/0.151 = 0.00993377;
		//   4: 0.004/0.401 = 0.00997506.
		const { r1, r2 } = twoRounds({ kind: 'fedyogi' });
		expectClose(r1, [2.00990099, 2.00980392, 2.00993377, 2.00997506], 6);
		expectClose(r2, [2.0232377, 2.0184369, 2.0188086, 2.0189276], 5);
	});

	it("FedAdagrad with Flower's defaults (η 0.1, τ 1e-9)", () => {
		// Round 1: m = Δ1, v = Δ1², next = 2 + 0.1·Δ/|Δ| = 2.1 everywhere.
		// Round 2: Δ2 = [0.9, −0.1, −0.1, −0.1]; v = Δ1² + Δ2² = [1.81, 0.26, 2.26, 16.01];
		//   next = 2.1 + 0.1·Δ2/√v = [2.1 + 0.09/1.345362, 2.1 − 0.01/0.509902, 2.1 − 0.01/1.503330, 2.1 − 0.01/4.001250]
		//        = [2.166896, 2.080388, 2.093348, 2.097501].
		const { r1, r2, state } = twoRounds({ kind: 'fedadagrad' });
		expectClose(r1, [2.1, 2.1, 2.1, 2.1], 6);
		expectClose(r2, [2.166896, 2.080388, 2.093348, 2.097501], 5);
		expectClose(state.v!, [1.81, 0.26, 2.26, 16.01], 5);
	});

	it("states Flower's defaults, which differ in τ between its two strategy APIs", () => {
		expect(resolveServerOptimizer({ kind: 'fedadam' })).toEqual({
			kind: 'fedadam',
			eta: 0.1,
			etaL: 0.1,
			beta1: 0.9,
			beta2: 0.99,
			tau: 1e-9
		});
		expect(resolveServerOptimizer({ kind: 'fedyogi' })).toMatchObject({ eta: 0.01, etaL: 0.0316, tau: 1e-3 });
		expect(resolveServerOptimizer({ kind: 'fedadagrad', eta: undefined })).toMatchObject({
			eta: 0.1,
			tau: 1e-9
		});
		expect(resolveServerOptimizer({ kind: 'fedadam' }, 'flwr.serverapp.strategy')).toMatchObject({
			tau: 1e-3
		});
		expect(FLOWER_DEFAULTS['flwr.server.strategy'].fedavgm).toEqual({
			serverLearningRate: 1,
			serverMomentum: 0
		});
	});

	it('refuses mismatched state, lengths and rounds', () => {
		const opt = resolveServerOptimizer({ kind: 'fedadam' });
		expect(() => serverStep(opt, current1, avg1, initialServerOptState('fedyogi'), 1)).toThrow(
			/state is for fedyogi/
		);
		expect(() => serverStep(opt, current1, w(1, 2, 3), initialServerOptState('fedadam'), 1)).toThrow(
			FederatedInputError
		);
		expect(() => serverStep(opt, current1, avg1, initialServerOptState('fedadam'), 0)).toThrow(/serverRound/);
		expect(() => resolveServerOptimizer({ kind: 'fedadam', beta1: 1 })).toThrow(/beta1/);
	});
});
