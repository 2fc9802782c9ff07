/**
 * Float64 arrays as base64 of their little-endian bytes: exact (every bit of every double survives, which decimal
 * JSON also does but in ~19 characters a value instead of 10.7) and the same on every engine, since the byte
 * order is fixed rather than the platform's. Written here because the kernel may not assume Node's Buffer, and
 * atob/btoa go through binary strings one character at a time.
 */
import { ProfileError } from './errors';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function encodeFloat64(values: ArrayLike<number>): string {
	const bytes = new Uint8Array(values.length * 8);
	const view = new DataView(bytes.buffer);
	for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
	let out = '';
	let i = 0;
	for (; i + 2 < bytes.length; i += 3) {
		const t = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
		out += ALPHABET[t >> 18] + ALPHABET[(t >> 12) & 63] + ALPHABET[(t >> 6) & 63] + ALPHABET[t & 63];
	}
	const rest = bytes.length - i;
	if (rest === 1) {
		const t = bytes[i] << 16;
		out += ALPHABET[t >> 18] + ALPHABET[(t >> 12) & 63] + '==';
	} else if (rest === 2) {
		const t = (bytes[i] << 16) | (bytes[i + 1] << 8);
		out += ALPHABET[t >> 18] + ALPHABET[(t >> 12) & 63] + ALPHABET[(t >> 6) & 63] + '=';
	}
	return out;
}

/** The inverse of encodeFloat64; refuses anything that is not whole float64 values in standard base64. */
export function decodeFloat64(text: string, what: string): Float64Array {
	if (typeof text !== 'string') throw new ProfileError(`${what} must be a base64 string`);
	if (text.length % 4 !== 0)
		throw new ProfileError(`${what}: base64 length ${text.length} is not a multiple of 4`);
	const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
	const byteLength = (text.length / 4) * 3 - pad;
	if (byteLength % 8 !== 0)
		throw new ProfileError(`${what}: ${byteLength} bytes is not whole float64 values`);
	const bytes = new Uint8Array(byteLength);
	let b = 0;
	for (let i = 0; i < text.length; i += 4) {
		let t = 0;
		for (let j = 0; j < 4; j++) {
			const c = text.charCodeAt(i + j);
			const isPad = c === 61 && i + j >= text.length - pad;
			const v = isPad ? 0 : c < 128 ? LOOKUP[c] : -1;
			if (v < 0) throw new ProfileError(`${what}: not base64 at character ${i + j}`);
			t = (t << 6) | v;
		}
		if (b < byteLength) bytes[b++] = (t >> 16) & 255;
		if (b < byteLength) bytes[b++] = (t >> 8) & 255;
		if (b < byteLength) bytes[b++] = t & 255;
	}
	const view = new DataView(bytes.buffer);
	const out = new Float64Array(byteLength / 8);
	for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
	return out;
}
