/**
 * Seeded Gaussian noise and central differential privacy on an aggregate.
 *
 * The uniform source is passed in, not created here: callers pass the kernel's seeded generator
 * (`mulberry32(deriveSeed(seed, round))` from src/lib/ml/random.ts) so a test or an audit can replay a round's noise
 * exactly. (This folder takes the generator as a value because the kernel's lint rule lets src/lib/ml/* files import
 * only the contract.) Cryptographic-quality noise for a production DP guarantee would need a CSPRNG source of the
 * same shape; mulberry32 is for reproducibility, not secrecy.
 */
import { checkRange, checkWeights, FederatedInputError, type Weights } from './errors';

/** Uniform floats in [0, 1), as the kernel's Rng. */
export type Uniform = () => number;

/** One standard normal draw (Box–Muller; the sine half is dropped so the stream position stays simple). */
export function gaussian(rng: Uniform): number {
	// 1 − u is in (0, 1], so the log is finite.
	const r = Math.sqrt(-2 * Math.log(1 - rng()));
	return r * Math.cos(2 * Math.PI * rng());
}

/** Adds N(0, std²) to every element in place, using both Box–Muller outputs: two uniforms per two coordinates. */
export function addGaussianNoise(w: Weights | Float64Array, std: number, rng: Uniform): void {
	checkRange(std, 'std', 0, Infinity);
	if (std === 0) return;
	const n = w.length;
	let i = 0;
	for (; i + 1 < n; i += 2) {
		const r = std * Math.sqrt(-2 * Math.log(1 - rng()));
		const t = 2 * Math.PI * rng();
		w[i] += r * Math.cos(t);
		w[i + 1] += r * Math.sin(t);
	}
	if (i < n) w[i] += std * gaussian(rng);
}

/**
 * Flower's compute_stdv (flwr/common/differential_privacy.py): std = z·C / m for noise multiplier z, clipping norm
 * C and m sampled clients. It assumes the aggregate is the plain mean of m clipped updates (sensitivity C/m): with
 * FedAvg weighted by example counts one client can move the mean by more than C/m, so for the DP guarantee give
 * every client the same weight (numExamples = 1).
 */
export function centralDpStd(noiseMultiplier: number, clipNorm: number, numSampledClients: number): number {
	checkRange(noiseMultiplier, 'noiseMultiplier', 0, Infinity);
	checkRange(clipNorm, 'clipNorm', 0, Infinity, { lo: true });
	if (!Number.isInteger(numSampledClients) || numSampledClients < 1)
		throw new FederatedInputError(`numSampledClients must be a positive integer, got ${numSampledClients}`);
	return (noiseMultiplier * clipNorm) / numSampledClients;
}

/** What a round records about its noise, so ε can be recomputed and the draw replayed. */
export interface DpNoiseRecord {
	noiseMultiplier: number;
	clipNorm: number;
	numSampledClients: number;
	std: number;
}

/**
 * Central DP as Flower's DifferentialPrivacyServerSideFixedClipping.aggregate_fit does it (after clipping each
 * update with `clipUpdate`): Gaussian noise of std `centralDpStd(z, C, m)` on every coordinate of the aggregated
 * weights, in place. Returns the record to keep with the round.
 */
export function addCentralDpNoise(
	aggregate: Weights,
	noiseMultiplier: number,
	clipNorm: number,
	numSampledClients: number,
	rng: Uniform
): DpNoiseRecord {
	checkWeights(aggregate, aggregate.length, 'aggregate');
	const std = centralDpStd(noiseMultiplier, clipNorm, numSampledClients);
	addGaussianNoise(aggregate, std, rng);
	return { noiseMultiplier, clipNorm, numSampledClients, std };
}
