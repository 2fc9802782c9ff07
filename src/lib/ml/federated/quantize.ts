/**
 * Compressed client updates with error feedback.
 *
 * A client that quantises sends the difference d = w_local − w_global, not its weights. The weights span the
 * whole range the model has learnt (biases of 10, embeddings near 0, …) and a round moves each of them by a tiny
 * fraction of its value, so 8 bits spread over the weights' range would round away the very change the round made.
 * The difference is small and centred on 0 within a round, so a per-block scale of max |d| / 127 puts the 255
 * levels where the values are, and float16's 11 significant bits are relative to each value: what is lost is small
 * next to the step itself. The server adds the decoded difference back to the global weights it sent.
 *
 * Error feedback (Seide et al. 2014, "1-bit SGD"; Karimireddy et al. 2019, "Error Feedback Fixes SignSGD"): the
 * client quantises v = d + e, where e is what earlier rounds' quantisation left out, and keeps
 * e' = v − dequantise(quantise(v)) for the next round. Summed over rounds, the decoded updates then equal the true
 * differences minus the last residual, so the drift stays within one quantisation step instead of growing with the
 * number of rounds. Under local DP, apply `localDp` to d first and quantise the noised difference: the residual is
 * then a function of released values only (post-processing), and the guarantee is unchanged.
 *
 * Byte layouts (n values; every multi-byte number little-endian, whatever the host's byte order):
 *   'float32': n × 4 bytes, IEEE 754 binary32.
 *   'float16': n × 2 bytes, IEEE 754 binary16, rounded to nearest, ties to even; subnormals kept (down to 2^-24).
 *              A magnitude beyond 65504 (the largest half) is clamped to ±65504, not turned into Infinity, and
 *              error feedback carries the rest into the next round. NaN and ±Infinity patterns are never written.
 *   'int8':    blocks of INT8_BLOCK = 256 values (the last one may be shorter), all scales first, then all codes:
 *                bytes [0, 4·B)        B = ceil(n / 256) float32 scales; block k's scale is max |v| / 127 over
 *                                      values k·256 … k·256 + 255 (0 for a block of zeros)
 *                bytes [4·B, 4·B + n)  n int8 codes q_i in −127 … 127 (symmetric: −128 is never written),
 *                                      q_i = round(v_i / scale) to nearest, ties to even
 *              value i decodes to float32(q_i · scale of block floor(i / 256)). Scales first keeps them 4-byte
 *              aligned whatever n is.
 *
 * The encoder refuses bad arguments with FederatedInputError; the decoder refuses malformed bytes with
 * UpdateEncodingError (a FederatedInputError too) and never returns a non-finite value.
 */
import { checkWeights, FederatedInputError } from './errors';

export type UpdateEncoding = 'float32' | 'float16' | 'int8';

export const UPDATE_ENCODINGS: readonly UpdateEncoding[] = ['float32', 'float16', 'int8'];

/** Values per int8 block (one float32 scale each). */
export const INT8_BLOCK = 256;

/** The largest finite float16, 65504 = (2 − 2^-10) · 2^15. */
export const FLOAT16_MAX = 65504;

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Thrown by `decodeUpdate` (and for an unknown encoding or length anywhere here); the message says what is wrong. */
export class UpdateEncodingError extends FederatedInputError {
	constructor(message: string) {
		super(message);
		this.name = 'UpdateEncodingError';
	}
}

export interface EncodedUpdate {
	bytes: Uint8Array;
	/** v − decode(bytes) with v = delta + residual: keep it and pass it to the next round's `encodeUpdate`. */
	residual: Float32Array;
}

function checkEncoding(encoding: unknown): asserts encoding is UpdateEncoding {
	if (!UPDATE_ENCODINGS.includes(encoding as UpdateEncoding))
		throw new UpdateEncodingError(
			`unknown update encoding ${JSON.stringify(encoding)}, expected one of ${UPDATE_ENCODINGS.join(', ')}`
		);
}

function checkLength(n: unknown): asserts n is number {
	if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1)
		throw new UpdateEncodingError(`n must be a positive integer, got ${n}`);
}

/** The exact byte length of `n` values in `encoding`. */
export function encodedBytes(n: number, encoding: UpdateEncoding): number {
	checkEncoding(encoding);
	checkLength(n);
	if (encoding === 'float32') return 4 * n;
	if (encoding === 'float16') return 2 * n;
	return 4 * Math.ceil(n / INT8_BLOCK) + n;
}

/** x rounded to the nearest integer, ties to the even one (x is exact in a double, so the test for .5 is too). */
function roundHalfEven(x: number): number {
	const f = Math.floor(x);
	const d = x - f;
	if (d > 0.5) return f + 1;
	if (d < 0.5) return f;
	return f % 2 === 0 ? f : f + 1;
}

/** A Float32Array and a Uint32Array over the same 4 bytes give a float's bit pattern on a host of any byte order. */
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
/** POW2[i] = 2^(i − 128): a table, because `2 ** e` for a variable e is several times slower in V8. */
const POW2 = Float64Array.from({ length: 256 }, (_, i) => 2 ** (i - 128));

/**
 * The binary16 bit pattern nearest to `x` (ties to even), with magnitudes beyond 65504 clamped to ±65504.
 * `x` is rounded once, from its double value, so there is no double rounding through float32.
 */
export function toFloat16Bits(x: number): number {
	if (x !== x) throw new FederatedInputError('cannot encode NaN as float16');
	const sign = x < 0 || (x === 0 && 1 / x < 0) ? 0x8000 : 0;
	const a = Math.abs(x);
	if (a >= FLOAT16_MAX) return sign | 0x7bff;
	if (a < 6.103515625e-5) {
		// Subnormal (below 2^-14): a multiple of 2^-24. 2^28 + a lies where a double's spacing is 2^-24, so the
		// addition rounds a to that grid by the IEEE default, ties to even. 1024 is the smallest normal, 0x0400.
		return sign | ((a + 268435456 - 268435456) * 16777216);
	}
	// a's binary exponent e (2^e ≤ a < 2^(e+1)) from its float32 rounding, one lower if that rounded up a binade.
	F32[0] = a;
	let e = ((U32[0] >>> 23) & 0xff) - 127;
	if (a < POW2[e + 128]) e--;
	// 2^(e+42) + a lies where a double's spacing is 2^(e−10), float16's spacing in a's binade: the addition
	// rounds a to 10 fraction bits, ties to even. k = rounded · 2^(10−e) is 1024 … 2048; 2048 carries into the
	// exponent through the addition below. a < 65504 keeps the result at or under 0x7BFF.
	const big = POW2[e + 170];
	const k = (a + big - big) * POW2[138 - e];
	return sign | (((e + 15) << 10) + k - 1024);
}

/** Every float16 pattern's value, NaN for the NaN and ±Infinity patterns; built on first use (256 KiB). */
let HALF_VALUES: Float32Array | undefined;
function halfValues(): Float32Array {
	if (!HALF_VALUES) {
		HALF_VALUES = new Float32Array(65536);
		for (let bits = 0; bits < 65536; bits++) {
			const sign = bits & 0x8000 ? -1 : 1;
			const exp = (bits >> 10) & 0x1f;
			const frac = bits & 0x3ff;
			HALF_VALUES[bits] =
				exp === 0x1f ? NaN : exp === 0 ? sign * frac * 2 ** -24 : sign * (1024 + frac) * 2 ** (exp - 25);
		}
	}
	return HALF_VALUES;
}

/** The value of a binary16 bit pattern; throws for NaN and ±Infinity patterns (exponent bits all ones). */
export function fromFloat16Bits(bits: number): number {
	if (!Number.isInteger(bits) || bits < 0 || bits > 0xffff)
		throw new UpdateEncodingError(`float16 pattern must be an integer in 0…0xffff, got ${bits}`);
	const value = halfValues()[bits];
	if (Number.isNaN(value))
		throw new UpdateEncodingError(
			`float16 pattern 0x${bits.toString(16).padStart(4, '0')} is ${bits & 0x3ff ? 'NaN' : `${bits & 0x8000 ? '-' : ''}Infinity`}`
		);
	return value;
}

/**
 * Encodes `delta + residual` (residual defaults to zeros) and returns the bytes and the new residual. Neither
 * input is modified. Throws FederatedInputError for a non-finite or mismatched input, and if the sum is so large
 * that the residual would not fit a float32.
 */
export function encodeUpdate(
	delta: Float32Array,
	encoding: UpdateEncoding,
	residual?: Float32Array
): EncodedUpdate {
	checkEncoding(encoding);
	if (!(delta instanceof Float32Array)) throw new FederatedInputError('delta must be a Float32Array');
	const n = delta.length;
	checkLength(n);
	checkWeights(delta, n, 'delta');
	if (residual !== undefined) checkWeights(residual, n, 'residual');

	const bytes = new Uint8Array(encodedBytes(n, encoding));
	const view = new DataView(bytes.buffer);
	const next = new Float32Array(n);
	const v = (i: number): number => delta[i] + (residual ? residual[i] : 0);

	if (encoding === 'float32') {
		for (let i = 0; i < n; i++) {
			const x = v(i);
			const q = Math.fround(Math.max(-FLOAT32_MAX, Math.min(FLOAT32_MAX, x)));
			view.setFloat32(4 * i, q, true);
			next[i] = x - q;
		}
	} else if (encoding === 'float16') {
		const values = halfValues();
		for (let i = 0; i < n; i++) {
			const x = v(i);
			const bits = toFloat16Bits(x);
			view.setUint16(2 * i, bits, true);
			next[i] = x - values[bits];
		}
	} else {
		const blocks = Math.ceil(n / INT8_BLOCK);
		const codes = 4 * blocks;
		for (let k = 0; k < blocks; k++) {
			const lo = k * INT8_BLOCK;
			const hi = Math.min(n, lo + INT8_BLOCK);
			let max = 0;
			for (let i = lo; i < hi; i++) max = Math.max(max, Math.abs(v(i)));
			// Quantise with the float32 scale the decoder will read, so the residual is exactly what it loses.
			const scale = Math.fround(max / 127);
			if (!(scale * 127 <= FLOAT32_MAX))
				throw new FederatedInputError(
					`delta + residual in block ${k} is too large to encode (max |v| ${max})`
				);
			view.setFloat32(4 * k, scale, true);
			for (let i = lo; i < hi; i++) {
				const x = v(i);
				// scale is 0 for a block of zeros, or when max |v| / 127 underflows float32: zeros, the residual keeps v.
				const q = scale > 0 ? Math.max(-127, Math.min(127, roundHalfEven(x / scale))) : 0;
				view.setInt8(codes + i, q);
				next[i] = x - Math.fround(q * scale);
			}
		}
	}
	for (let i = 0; i < n; i++)
		if (!Number.isFinite(next[i]))
			throw new FederatedInputError(
				`delta + residual at index ${i} (${v(i)}) is too large: its residual does not fit a float32`
			);
	return { bytes, residual: next };
}

/**
 * Decodes `n` values from `bytes`, refusing (UpdateEncodingError) a wrong length, a non-finite, negative or
 * overflowing int8 scale, an int8 code of −128, nonzero codes in a block of scale 0, a float16 NaN/Infinity
 * pattern and a float32 NaN/Infinity. Every value returned is finite.
 */
export function decodeUpdate(bytes: Uint8Array, encoding: UpdateEncoding, n: number): Float32Array {
	checkEncoding(encoding);
	checkLength(n);
	if (!(bytes instanceof Uint8Array)) throw new UpdateEncodingError('bytes must be a Uint8Array');
	const expected = encodedBytes(n, encoding);
	if (bytes.byteLength !== expected)
		throw new UpdateEncodingError(
			`${encoding} update of ${n} values must be ${expected} bytes, got ${bytes.byteLength}`
		);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const out = new Float32Array(n);

	if (encoding === 'float32') {
		for (let i = 0; i < n; i++) {
			const x = view.getFloat32(4 * i, true);
			if (!Number.isFinite(x)) throw new UpdateEncodingError(`float32 value at index ${i} is ${x}`);
			out[i] = x;
		}
	} else if (encoding === 'float16') {
		const values = halfValues();
		for (let i = 0; i < n; i++) {
			const bits = view.getUint16(2 * i, true);
			const x = values[bits];
			if (x !== x) {
				try {
					fromFloat16Bits(bits);
				} catch (e) {
					throw new UpdateEncodingError(`float16 value at index ${i}: ${(e as Error).message}`);
				}
			}
			out[i] = x;
		}
	} else {
		const blocks = Math.ceil(n / INT8_BLOCK);
		const codes = 4 * blocks;
		for (let k = 0; k < blocks; k++) {
			const scale = view.getFloat32(4 * k, true);
			if (!Number.isFinite(scale))
				throw new UpdateEncodingError(`int8 block ${k} has a non-finite scale (${scale})`);
			if (scale < 0) throw new UpdateEncodingError(`int8 block ${k} has a negative scale (${scale})`);
			if (scale * 127 > FLOAT32_MAX)
				throw new UpdateEncodingError(`int8 block ${k} has scale ${scale}: 127 × scale overflows a float32`);
			const lo = k * INT8_BLOCK;
			const hi = Math.min(n, lo + INT8_BLOCK);
			for (let i = lo; i < hi; i++) {
				const q = view.getInt8(codes + i);
				if (q === -128) throw new UpdateEncodingError(`int8 code at index ${i} is -128 (codes are −127…127)`);
				if (scale === 0 && q !== 0)
					throw new UpdateEncodingError(`int8 block ${k} has scale 0 but code ${q} at index ${i}`);
				out[i] = q * scale;
			}
		}
	}
	return out;
}
