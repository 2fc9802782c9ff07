/**
 * The server step after FedAvg: from the current global weights and the round's weighted average to the next
 * global weights. Formulas are Flower's, line for line, so a user can check a number against Flower:
 *   - FedAvg: the average itself.
 *   - FedAvgM (flwr/server/strategy/fedavgm.py, FedAvgM.aggregate_fit; Hsu et al. 2019): pseudo-gradient
 *     g = current − average; with momentum β > 0, v = g on the first round, then v = β·v + g; next = current − lr·v.
 *     When lr = 1 and β = 0 Flower skips the step and returns the average (the same number).
 *   - FedAdam, FedYogi, FedAdagrad (fedopt.py, fedadam.py, fedyogi.py, fedadagrad.py; Reddi et al. 2020):
 *     Δ = average − current; m = β1·m + (1 − β1)·Δ (m starts at 0), and
 *       Adam:    v = β2·v + (1 − β2)·Δ²,        next = current + η̂·m / (√v + τ),
 *                with Flower's bias-corrected rate η̂ = η·√(1 − β2^(t+1)) / (1 − β1^(t+1)), t the server round
 *                (1 on the first aggregation: Flower's exponent is server_round + 1.0, kept as is);
 *       Yogi:    v = v − (1 − β2)·Δ²·sign(v − Δ²), next = current + η·m / (√v + τ) (no bias correction);
 *       Adagrad: v = v + Δ²,                      next = current + η·m / (√v + τ), with β1 = 0 so m = Δ.
 * Flower keeps m and v in the weights' dtype (float32); so does the state here, computing each element in
 * float64 and rounding once when it is stored.
 */
import { checkRange, checkWeights, FederatedInputError, type Weights } from './errors';

export type ServerOptimizerKind = 'fedavg' | 'fedavgm' | 'fedadam' | 'fedyogi' | 'fedadagrad';

/** A server optimiser with every hyper-parameter set. `etaL` (the clients' rate) is recorded, never used here. */
export type ServerOptimizer =
	| { kind: 'fedavg' }
	| { kind: 'fedavgm'; serverLearningRate: number; serverMomentum: number }
	| { kind: 'fedadam' | 'fedyogi'; eta: number; etaL: number; beta1: number; beta2: number; tau: number }
	| { kind: 'fedadagrad'; eta: number; etaL: number; tau: number };

/** What a caller names: the kind and any hyper-parameters it overrides. */
export type ServerOptimizerOptions =
	| { kind: 'fedavg' }
	| { kind: 'fedavgm'; serverLearningRate?: number; serverMomentum?: number }
	| { kind: 'fedadam' | 'fedyogi'; eta?: number; etaL?: number; beta1?: number; beta2?: number; tau?: number }
	| { kind: 'fedadagrad'; eta?: number; etaL?: number; tau?: number };

/**
 * Flower's constructor defaults. `flwr.server.strategy` (the Strategy API) and `flwr.serverapp.strategy` (the
 * Message API) agree on all but τ for FedAdam and FedAdagrad: 1e-9 in the first, 1e-3 in the second.
 */
export const FLOWER_DEFAULTS = {
	'flwr.server.strategy': {
		fedavgm: { serverLearningRate: 1.0, serverMomentum: 0.0 },
		fedadam: { eta: 1e-1, etaL: 1e-1, beta1: 0.9, beta2: 0.99, tau: 1e-9 },
		fedyogi: { eta: 1e-2, etaL: 0.0316, beta1: 0.9, beta2: 0.99, tau: 1e-3 },
		fedadagrad: { eta: 1e-1, etaL: 1e-1, tau: 1e-9 }
	},
	'flwr.serverapp.strategy': {
		fedavgm: { serverLearningRate: 1.0, serverMomentum: 0.0 },
		fedadam: { eta: 1e-1, etaL: 1e-1, beta1: 0.9, beta2: 0.99, tau: 1e-3 },
		fedyogi: { eta: 1e-2, etaL: 0.0316, beta1: 0.9, beta2: 0.99, tau: 1e-3 },
		fedadagrad: { eta: 1e-1, etaL: 1e-1, tau: 1e-3 }
	}
} as const;

export type FlowerApi = keyof typeof FLOWER_DEFAULTS;

/** Fills the unset hyper-parameters from Flower's defaults (the Strategy API's unless told) and checks them. */
export function resolveServerOptimizer(
	options: ServerOptimizerOptions,
	api: FlowerApi = 'flwr.server.strategy'
): ServerOptimizer {
	const d = FLOWER_DEFAULTS[api];
	switch (options.kind) {
		case 'fedavg':
			return { kind: 'fedavg' };
		case 'fedavgm': {
			const o = { kind: 'fedavgm' as const, ...d.fedavgm, ...defined(options) };
			checkRange(o.serverLearningRate, 'serverLearningRate', 0, Infinity, { lo: true });
			checkRange(o.serverMomentum, 'serverMomentum', 0, 1, { hi: true });
			return o;
		}
		case 'fedadam':
		case 'fedyogi': {
			const o = { ...d[options.kind], ...defined(options), kind: options.kind };
			checkRange(o.eta, 'eta', 0, Infinity, { lo: true });
			checkRange(o.etaL, 'etaL', 0, Infinity);
			checkRange(o.beta1, 'beta1', 0, 1, { hi: true });
			checkRange(o.beta2, 'beta2', 0, 1, { hi: true });
			checkRange(o.tau, 'tau', 0, Infinity, { lo: true });
			return o;
		}
		case 'fedadagrad': {
			const o = { kind: 'fedadagrad' as const, ...d.fedadagrad, ...defined(options) };
			checkRange(o.eta, 'eta', 0, Infinity, { lo: true });
			checkRange(o.etaL, 'etaL', 0, Infinity);
			checkRange(o.tau, 'tau', 0, Infinity, { lo: true });
			return o;
		}
		default:
			throw new FederatedInputError(`unknown server optimiser ${(options as { kind: string }).kind}`);
	}
}

/** Drops keys set to undefined, so `{ eta: undefined }` keeps the default rather than erasing it. */
function defined<T extends object>(o: T): Partial<T> {
	return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The server's memory between rounds: FedAvgM's momentum vector, FedOpt's m and v. Null until first used. */
export interface ServerOptState {
	kind: ServerOptimizerKind;
	/** FedAvgM's momentum buffer. */
	momentum: Float32Array | null;
	/** FedOpt's first moment m_t. */
	m: Float32Array | null;
	/** FedOpt's second moment v_t. */
	v: Float32Array | null;
}

export function initialServerOptState(kind: ServerOptimizerKind): ServerOptState {
	return { kind, momentum: null, m: null, v: null };
}

/**
 * One server step. `current` is the global model the round's clients started from, `averaged` the round's
 * FedAvg; `serverRound` is Flower's server_round (1 for the first aggregation), used by FedAdam's bias
 * correction. The state's buffers are updated in place (and created on first use); the new weights are returned.
 */
export function serverStep(
	opt: ServerOptimizer,
	current: Weights,
	averaged: Weights,
	state: ServerOptState,
	serverRound: number
): Weights {
	const n = current.length;
	checkWeights(current, n, 'current weights');
	checkWeights(averaged, n, 'averaged weights');
	if (state.kind !== opt.kind)
		throw new FederatedInputError(`server state is for ${state.kind}, the optimiser is ${opt.kind}`);
	if (!Number.isInteger(serverRound) || serverRound < 1)
		throw new FederatedInputError(`serverRound must be an integer ≥ 1, got ${serverRound}`);
	for (const [name, buf] of [
		['momentum', state.momentum],
		['m', state.m],
		['v', state.v]
	] as const)
		if (buf && buf.length !== n)
			throw new FederatedInputError(`server state's ${name} has ${buf.length} parameters, expected ${n}`);

	const next = new Float32Array(n);
	switch (opt.kind) {
		case 'fedavg':
			next.set(averaged);
			return next;
		case 'fedavgm': {
			const lr = opt.serverLearningRate;
			const beta = opt.serverMomentum;
			// Flower's server_opt flag: with lr 1 and no momentum it returns the average untouched.
			if (lr === 1 && beta === 0) {
				next.set(averaged);
				return next;
			}
			if (beta > 0) {
				const first = state.momentum === null;
				const mom = (state.momentum ??= new Float32Array(n));
				for (let i = 0; i < n; i++) {
					const g = current[i] - averaged[i];
					mom[i] = first ? g : beta * mom[i] + g;
					next[i] = current[i] - lr * mom[i];
				}
			} else {
				for (let i = 0; i < n; i++) next[i] = current[i] - lr * (current[i] - averaged[i]);
			}
			return next;
		}
		case 'fedadam':
		case 'fedyogi':
		case 'fedadagrad': {
			const beta1 = opt.kind === 'fedadagrad' ? 0 : opt.beta1;
			const beta2 = opt.kind === 'fedadagrad' ? 0 : opt.beta2;
			const m = (state.m ??= new Float32Array(n));
			const v = (state.v ??= new Float32Array(n));
			const eta =
				opt.kind === 'fedadam'
					? (opt.eta * Math.sqrt(1 - Math.pow(beta2, serverRound + 1))) /
						(1 - Math.pow(beta1, serverRound + 1))
					: opt.eta;
			const tau = opt.tau;
			for (let i = 0; i < n; i++) {
				const delta = averaged[i] - current[i];
				m[i] = beta1 * m[i] + (1 - beta1) * delta;
				const d2 = delta * delta;
				if (opt.kind === 'fedadam') v[i] = beta2 * v[i] + (1 - beta2) * d2;
				else if (opt.kind === 'fedyogi') v[i] = v[i] - (1 - beta2) * d2 * Math.sign(v[i] - d2);
				else v[i] = v[i] + d2;
				next[i] = current[i] + (eta * m[i]) / (Math.sqrt(v[i]) + tau);
			}
			return next;
		}
	}
}

const STATE_MAGIC = 0x53424645; // 'EFBS' little-endian: Edgebook federated server state.
const KINDS: readonly ServerOptimizerKind[] = ['fedavg', 'fedavgm', 'fedadam', 'fedyogi', 'fedadagrad'];

/**
 * The state as bytes: magic, kind, length, a presence bit per buffer, then the present buffers (float32, LE).
 * Persisted with the global model after each round so a restarted server continues the same trajectory.
 */
export function serializeServerOptState(state: ServerOptState): Uint8Array {
	const bufs = [state.momentum, state.m, state.v];
	const length = bufs.find((b) => b)?.length ?? 0;
	for (const b of bufs)
		if (b && b.length !== length) throw new FederatedInputError('server state buffers differ in length');
	const present = bufs.filter((b) => b).length;
	const out = new Uint8Array(16 + present * length * 4);
	const view = new DataView(out.buffer);
	view.setUint32(0, STATE_MAGIC, true);
	view.setUint32(4, KINDS.indexOf(state.kind), true);
	view.setUint32(8, length, true);
	view.setUint32(
		12,
		bufs.reduce((bits, b, i) => bits | (b ? 1 << i : 0), 0),
		true
	);
	let at = 16;
	for (const b of bufs) {
		if (!b) continue;
		for (let i = 0; i < length; i++, at += 4) view.setFloat32(at, b[i], true);
	}
	return out;
}

export function deserializeServerOptState(bytes: Uint8Array): ServerOptState {
	if (bytes.length < 16) throw new FederatedInputError('server state is shorter than its header');
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (view.getUint32(0, true) !== STATE_MAGIC) throw new FederatedInputError('not a server optimiser state');
	const kind = KINDS[view.getUint32(4, true)];
	if (!kind) throw new FederatedInputError('server state names an unknown optimiser');
	const length = view.getUint32(8, true);
	const bits = view.getUint32(12, true);
	const present = [0, 1, 2].filter((i) => bits & (1 << i)).length;
	if (bytes.length !== 16 + present * length * 4)
		throw new FederatedInputError(
			`server state has ${bytes.length} bytes, expected ${16 + present * length * 4}`
		);
	let at = 16;
	const read = (i: number): Float32Array | null => {
		if (!(bits & (1 << i))) return null;
		const b = new Float32Array(length);
		for (let j = 0; j < length; j++, at += 4) b[j] = view.getFloat32(at, true);
		return b;
	};
	const momentum = read(0);
	const m = read(1);
	const v = read(2);
	return { kind, momentum, m, v };
}
