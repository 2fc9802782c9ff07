/**
 * L2 clipping of a client's update relative to the global model, as Flower's central-DP wrappers do it on the
 * server (flwr/common/differential_privacy.py: compute_clip_model_update, clip_inputs_inplace; the FlatClip of
 * McMahan et al. 2018): Δ = w − w_global over all layers as one vector, scale = min(1, C / ‖Δ‖₂), and the client's
 * weights become w_global + scale·Δ. "Clipped" means scale < 1, so a norm exactly at the bound is not clipped.
 * A zero update is left as it is (Flower divides by its zero norm and raises).
 *
 * Adaptive clipping (Andrew et al. 2019, "Differentially Private Learning with Adaptive Clipping"; Flower's
 * DifferentialPrivacyServerSideAdaptiveClipping) moves C each round toward a quantile of the update norms:
 * C ← C·exp(−η_C·(b̃ − γ)), with b̃ the noised fraction of indicator bits. See `updateClippingNorm` for which bit.
 */
import { checkRange, checkWeights, FederatedInputError, type Weights } from './errors';
import type { Uniform } from './noise';
import { gaussian } from './noise';

/** ‖a − b‖₂ in float64, one pass. */
export function l2Distance(a: Weights, b: Weights): number {
	let s = 0;
	for (let i = 0; i < a.length; i++) {
		const x = a[i] - b[i];
		s += x * x;
	}
	return Math.sqrt(s);
}

export interface ClipResult {
	/** global + scale·(update − global). */
	weights: Weights;
	/** ‖update − global‖₂ before clipping. */
	norm: number;
	/** min(1, C / norm); 1 for a zero update. */
	scale: number;
	/** scale < 1: Flower's norm_bit. */
	clipped: boolean;
}

/**
 * Clips `update − global` to L2 norm `clipNorm` and returns the clipped weights. Pass `out` (it may be `update`
 * itself) to write into an existing buffer: a Durable Object clipping 1M-parameter updates allocates nothing.
 */
export function clipUpdate(update: Weights, global: Weights, clipNorm: number, out?: Weights): ClipResult {
	const n = global.length;
	checkWeights(global, n, 'global weights');
	checkWeights(update, n, 'update');
	checkRange(clipNorm, 'clipNorm', 0, Infinity, { lo: true });
	if (out && out.length !== n)
		throw new FederatedInputError(`out has ${out.length} parameters, expected ${n}`);
	const norm = l2Distance(update, global);
	const scale = norm > 0 ? Math.min(1, clipNorm / norm) : 1;
	const w = out ?? new Float32Array(n);
	for (let i = 0; i < n; i++) w[i] = global[i] + scale * (update[i] - global[i]);
	return { weights: w, norm, scale, clipped: scale < 1 };
}

/** Flower's defaults for DifferentialPrivacyServerSideAdaptiveClipping (Andrew et al.'s recommendations). */
export const FLOWER_ADAPTIVE_CLIP_DEFAULTS = {
	initialClippingNorm: 0.1,
	targetClippedQuantile: 0.5,
	clipNormLr: 0.2
} as const;

/**
 * Flower's compute_adaptive_noise_params: the count of clipped updates is released with Gaussian noise of std
 * σ_b (default m/20 for m sampled clients), and to keep the total privacy cost at the asked multiplier z the
 * weights get the larger multiplier z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2) (Andrew et al. 2019, Theorem 1). Needs z < 2σ_b.
 */
export function adaptiveNoiseParams(
	noiseMultiplier: number,
	numSampledClients: number,
	clippedCountStddev?: number
): { clippedCountStddev: number; noiseMultiplier: number } {
	checkRange(noiseMultiplier, 'noiseMultiplier', 0, Infinity);
	checkRange(numSampledClients, 'numSampledClients', 0, Infinity, { lo: true });
	if (clippedCountStddev !== undefined) checkRange(clippedCountStddev, 'clippedCountStddev', 0, Infinity);
	if (noiseMultiplier === 0) return { clippedCountStddev: clippedCountStddev ?? 0, noiseMultiplier: 0 };
	const sb = clippedCountStddev ?? numSampledClients / 20;
	if (noiseMultiplier >= 2 * sb)
		throw new FederatedInputError(
			`noiseMultiplier ${noiseMultiplier} needs clippedCountStddev above ${noiseMultiplier / 2}, got ${sb}`
		);
	return { clippedCountStddev: sb, noiseMultiplier: (noiseMultiplier ** -2 - (2 * sb) ** -2) ** -0.5 };
}

export interface AdaptiveClipOptions {
	/** γ: the fraction of updates the bits should average to. Flower: 0.5. */
	targetQuantile: number;
	/** η_C. Flower: 0.2. */
	clipNormLr: number;
	/** σ_b, the std of the noise on the count (from `adaptiveNoiseParams`); 0 for none. */
	clippedCountStddev: number;
	/**
	 * Which bit is counted. 'unclipped' (the default) is Andrew et al.'s b = 1[‖Δ‖ ≤ C], so C converges to the
	 * γ-quantile of the norms. Flower's current DifferentialPrivacyServerSideAdaptiveClipping counts the clipped
	 * updates (norm_bit = scale < 1) in the same formula, which moves C the other way (more clipping → smaller
	 * C); pass 'clipped' to reproduce its numbers.
	 */
	indicator?: 'unclipped' | 'clipped';
}

/**
 * The next round's clipping norm from this round's clip results: C·exp(−η_C·(b̃ − γ)), b̃ = (Σ bits + N(0, σ_b²))/n.
 * Flower noises the updated C's aggregate (it updates C before adding noise to the weights); callers that want
 * to match it pass the returned norm to the central-DP noise of the same round.
 */
export function updateClippingNorm(
	clipNorm: number,
	results: readonly { clipped: boolean }[],
	options: AdaptiveClipOptions,
	rng: Uniform
): { clipNorm: number; count: number; noisedFraction: number } {
	checkRange(clipNorm, 'clipNorm', 0, Infinity, { lo: true });
	checkRange(options.targetQuantile, 'targetQuantile', 0, 1);
	checkRange(options.clipNormLr, 'clipNormLr', 0, Infinity, { lo: true });
	checkRange(options.clippedCountStddev, 'clippedCountStddev', 0, Infinity);
	if (results.length === 0) throw new FederatedInputError('updateClippingNorm: no clip results');
	const countClipped = options.indicator === 'clipped';
	let count = 0;
	for (const r of results) if (r.clipped === countClipped) count++;
	const noised = options.clippedCountStddev > 0 ? count + options.clippedCountStddev * gaussian(rng) : count;
	const noisedFraction = noised / results.length;
	return {
		clipNorm: clipNorm * Math.exp(-options.clipNormLr * (noisedFraction - options.targetQuantile)),
		count,
		noisedFraction
	};
}
