import type { UpdateEncodingName } from '../../src/lib/contract';
import { UpdateEncodingError, decodeUpdate, encodedBytes } from '../../src/lib/ml/federated';

/**
 * An update's body as the new weights it stands for, or the reason it is refused: float32 bytes are the client's
 * new weights; float16 and int8 bytes are the difference from the round's global model (src/lib/ml/federated/
 * quantize.ts), added back here. Every value must be finite whatever the encoding.
 */
export type ReadUpdate =
	{ ok: true; weights: Float32Array } | { ok: false; message: string; details: Record<string, unknown> };

export const asFloats = (bytes: Uint8Array): Float32Array => {
	// A copy, 4-byte aligned: request bodies and storage hand back views at any offset.
	const copy = new Uint8Array(bytes.byteLength);
	copy.set(bytes);
	return new Float32Array(copy.buffer);
};

export function readUpdate(
	bytes: Uint8Array,
	encoding: UpdateEncodingName,
	parameters: number,
	global: () => Float32Array
): ReadUpdate {
	const expected = encodedBytes(parameters, encoding);
	if (bytes.byteLength !== expected)
		return {
			ok: false,
			message:
				encoding === 'float32'
					? `The update is ${bytes.byteLength} bytes; the model has ${parameters} float32 parameters (${expected} bytes).`
					: `The ${encoding} update is ${bytes.byteLength} bytes; ${parameters} parameters in ${encoding} are ${expected} bytes.`,
			details: { bytes: bytes.byteLength, expected, encoding }
		};
	let weights: Float32Array;
	if (encoding === 'float32') weights = asFloats(bytes);
	else {
		try {
			weights = decodeUpdate(bytes, encoding, parameters);
		} catch (e) {
			if (!(e instanceof UpdateEncodingError)) throw e;
			return {
				ok: false,
				message: `The ${encoding} update is malformed: ${e.message}`,
				details: { encoding }
			};
		}
		const g = global();
		for (let i = 0; i < weights.length; i++) weights[i] += g[i];
	}
	for (let i = 0; i < weights.length; i++)
		if (!Number.isFinite(weights[i]))
			return {
				ok: false,
				message: `The update's parameter ${i} is ${weights[i]}: only finite values are aggregated.`,
				details: { index: i }
			};
	return { ok: true, weights };
}
