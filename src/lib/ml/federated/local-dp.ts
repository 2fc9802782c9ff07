/**
 * Local differential privacy: the client clips and noises its own update in the browser before sending it, so
 * the guarantee holds against the server too (central DP, noise.ts, trusts the server with the raw updates).
 *
 * What the guarantee covers: the Gaussian mechanism is applied to the client's whole update of one round
 * d = w_local − w_global (every coordinate together, whatever number of local steps and examples produced it),
 * clipped to ‖d‖₂ ≤ C, with N(0, (z·C)²) on every coordinate. Sensitivity C is the add/remove-one-client relation
 * that central DP-FedAvg accounting uses (McMahan et al. 2018): whoever sees the noised update cannot tell it
 * from the noised zero update of a client that did not contribute. Telling two arbitrary clipped updates apart
 * (the replace relation, the classic local-DP definition) has sensitivity 2C: ask `localDpEpsilon` for
 * neighbouring 'replace', which accounts noise multiplier z/2. Each round a client takes part is one more
 * Gaussian mechanism at sampling rate 1: the client knows it was sampled, so no amplification by sampling is
 * claimed. Quantising the noised update afterwards (`encodeUpdate`, with error feedback) is post-processing and
 * costs nothing more; quantising first and noising the bytes would not be covered by this accounting.
 *
 * As in noise.ts the uniform source is a parameter; a seeded mulberry32 makes the draw reproducible for tests,
 * and a deployment that relies on the guarantee should pass a CSPRNG-backed source of the same shape.
 */
import { checkRange, checkWeights, FederatedInputError } from './errors';
import { addGaussianNoise, type Uniform } from './noise';
import { RdpAccountant } from './rdp-accountant';

export interface LocalDpResult {
	/** The clipped, noised update (a new array; the input is not modified). */
	delta: Float32Array;
	/** ‖delta‖₂ > clipNorm, as clipUpdate's flag: a norm exactly at the bound is not clipped. */
	clipped: boolean;
	/** ‖delta‖₂ of the input, before clipping. */
	norm: number;
	/** The noise std per coordinate, noiseMultiplier · clipNorm. */
	std: number;
}

/** Clips ‖delta‖₂ to clipNorm, then adds N(0, (noiseMultiplier · clipNorm)²) to every coordinate (Box–Muller). */
export function localDp(
	delta: Float32Array,
	clipNorm: number,
	noiseMultiplier: number,
	rng: Uniform
): LocalDpResult {
	checkWeights(delta, delta.length, 'delta');
	checkRange(clipNorm, 'clipNorm', 0, Infinity, { lo: true, hi: true });
	checkRange(noiseMultiplier, 'noiseMultiplier', 0, Infinity, { hi: true });
	const std = noiseMultiplier * clipNorm;
	if (!Number.isFinite(std))
		throw new FederatedInputError(`noiseMultiplier · clipNorm must be finite, got ${std}`);
	let s = 0;
	for (let i = 0; i < delta.length; i++) s += delta[i] * delta[i];
	const norm = Math.sqrt(s);
	const scale = norm > 0 ? Math.min(1, clipNorm / norm) : 1;
	const out = new Float64Array(delta.length);
	for (let i = 0; i < delta.length; i++) out[i] = scale * delta[i];
	addGaussianNoise(out, std, rng);
	const noised = Float32Array.from(out);
	checkWeights(noised, noised.length, 'noised delta');
	return { delta: noised, clipped: scale < 1, norm, std };
}

export interface LocalDpEpsilonOptions {
	/**
	 * 'add-remove' (default): sensitivity C, as the header says. 'replace': any two clipped updates, sensitivity
	 * 2C, accounted as noise multiplier z/2.
	 */
	neighbouring?: 'add-remove' | 'replace';
	/** 'classic' (default, RdpAccountant.epsilon) or 'improved' (RdpAccountant.epsilonImproved). */
	conversion?: 'classic' | 'improved';
}

/**
 * ε at δ for a client after `rounds` participations with `localDp` at noise multiplier z: `rounds` steps of the
 * Gaussian mechanism at sampling rate q = 1 in the RdpAccountant (RDP α/(2z²) per round), converted with the
 * accountant's classic conversion ε = min_α RDP(α) + log(1/δ)/(α − 1) unless told otherwise. 0 for no rounds,
 * Infinity for z = 0. Orders stop at 256, so for a large z and few rounds the optimum may lie beyond them and the
 * ε returned is a (valid, slightly loose) upper bound.
 */
export function localDpEpsilon(
	noiseMultiplier: number,
	rounds: number,
	delta: number,
	options: LocalDpEpsilonOptions = {}
): number {
	checkRange(noiseMultiplier, 'noiseMultiplier', 0, Infinity, { hi: true });
	if (!Number.isInteger(rounds) || rounds < 0)
		throw new FederatedInputError(`rounds must be a non-negative integer, got ${rounds}`);
	checkRange(delta, 'delta', 0, 1, { lo: true, hi: true });
	if (rounds === 0) return 0;
	const z = options.neighbouring === 'replace' ? noiseMultiplier / 2 : noiseMultiplier;
	const acc = new RdpAccountant().step(1, z, rounds);
	return (options.conversion === 'improved' ? acc.epsilonImproved(delta) : acc.epsilon(delta)).epsilon;
}
