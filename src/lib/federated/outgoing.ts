import type { LocalDp, UpdateEncodingName } from '$lib/contract';
import { encodeUpdate, localDp as applyLocalDp } from '$lib/ml/federated';

/**
 * What a participant sends for a round, made from the round's global weights and its newly trained ones
 * (docs/architecture.md, "Federated jobs"): with neither local DP nor quantisation, the new weights as float32;
 * otherwise the difference from the global model, clipped and noised in this tab when local DP is on (the server
 * never sees it without the noise), then sent as float32 (global + noised difference) or quantised to float16 or
 * int8 with error feedback (the quantisation error is kept here and added to the next round's difference, so it is
 * delayed, not lost).
 */

export interface Outgoing {
	body: Uint8Array;
	/** The error-feedback residual to keep for the next round (null when nothing is quantised). */
	residual: Float32Array | null;
	/** Whether local DP clipped this round's difference. */
	clipped: boolean;
}

/** A uniform in (0, 1) from crypto: local DP's noise must be unpredictable, even to this page's own code. */
export function cryptoUniform(): number {
	const u = new Uint32Array(1);
	crypto.getRandomValues(u);
	return (u[0] + 0.5) / 4294967296;
}

const bytesOf = (w: Float32Array) => new Uint8Array(w.buffer, w.byteOffset, w.byteLength).slice();

export function outgoingUpdate(o: {
	global: Float32Array;
	trained: Float32Array;
	encoding: UpdateEncodingName;
	localDp: LocalDp | null;
	residual: Float32Array | null;
	rng?: () => number;
}): Outgoing {
	if (o.global.length !== o.trained.length)
		throw new Error(
			`The trained model has ${o.trained.length} parameters but the job's global model has ${o.global.length}.`
		);
	if (!o.localDp && o.encoding === 'float32')
		return { body: bytesOf(o.trained), residual: null, clipped: false };
	let delta = new Float32Array(o.trained.length);
	for (let i = 0; i < delta.length; i++) delta[i] = o.trained[i] - o.global[i];
	let clipped = false;
	if (o.localDp) {
		const dp = applyLocalDp(delta, o.localDp.clipNorm, o.localDp.noiseMultiplier, o.rng ?? cryptoUniform);
		delta = dp.delta as Float32Array<ArrayBuffer>;
		clipped = dp.clipped;
	}
	if (o.encoding === 'float32') {
		const w = new Float32Array(delta.length);
		for (let i = 0; i < w.length; i++) w[i] = o.global[i] + delta[i];
		return { body: bytesOf(w), residual: null, clipped };
	}
	const enc = encodeUpdate(delta, o.encoding, o.residual ?? undefined);
	return { body: enc.bytes, residual: enc.residual, clipped };
}
