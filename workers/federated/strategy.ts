import type { FedJobCreate, Strategy } from '../../src/lib/contract';
import {
	coordinateMedian,
	krum,
	resolveServerOptimizer,
	trimmedMean,
	type ClientUpdate,
	type ServerOptimizer
} from '../../src/lib/ml/federated';

/**
 * How a job's settings map onto the shared kernel's strategies (src/lib/ml/federated, defined as Flower's strategy
 * code defines them): the server optimiser that turns a round's average into the next global model, and the robust
 * aggregators that need the whole round's updates rather than a running sum.
 */

export function optimizerOf(s: FedJobCreate): ServerOptimizer {
	const st = s.strategy;
	switch (st.name) {
		case 'fedavgm':
			return resolveServerOptimizer({
				kind: 'fedavgm',
				serverLearningRate: st.serverLearningRate,
				serverMomentum: st.serverMomentum
			});
		case 'fedadam':
		case 'fedyogi':
			return resolveServerOptimizer({
				kind: st.name,
				eta: st.eta,
				etaL: st.etaL,
				beta1: st.beta1,
				beta2: st.beta2,
				tau: st.tau
			});
		case 'fedadagrad':
			return resolveServerOptimizer({ kind: 'fedadagrad', eta: st.eta, etaL: st.etaL, tau: st.tau });
		default:
			// FedAvg, FedProx (FedAvg on the server) and the robust aggregators take their result as the new model.
			return resolveServerOptimizer({ kind: 'fedavg' });
	}
}

/** A robust strategy's aggregate of a whole round's updates. */
export function robustAggregate(strategy: Strategy, updates: ClientUpdate[]): Float32Array {
	switch (strategy.name) {
		case 'fedtrimmedavg':
			return trimmedMean(updates, strategy.beta);
		case 'fedmedian':
			return coordinateMedian(updates);
		case 'krum':
			return krum(updates, strategy.numMalicious, strategy.toKeep).weights;
		default:
			throw new Error(`${strategy.name} aggregates a running sum, not a round's kept updates`);
	}
}

/** Uniforms in (0, 1) from crypto: the central DP noise must be unpredictable to every participant. */
export function cryptoUniform(): number {
	const u = new Uint32Array(1);
	crypto.getRandomValues(u);
	return (u[0] + 0.5) / 4294967296;
}
