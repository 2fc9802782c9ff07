/**
 * Finding the first invalid UTF-8 sequence in a text file, so an upload can say "line 812, column 4" instead of
 * DuckDB's "Invalid unicode (byte sequence mismatch) detected". Files run to 100 MB: the browser's own decoder
 * validates chunk by chunk (native speed, bounded memory), and only the chunk that fails is walked in JS.
 */

export type Utf8Check =
	| { ok: true }
	| {
			ok: false;
			/** 1-based line (counting \n) and column (counting characters) of the first bad byte. */
			line: number;
			column: number;
			byteOffset: number;
	  };

const CHUNK = 1 << 20;

/** Length of the valid sequence at `i`, or 0 when it is invalid (WHATWG rules: no overlongs, no surrogates). */
function sequenceLength(bytes: Uint8Array, i: number): number {
	const b = bytes[i];
	if (b < 0x80) return 1;
	let need: number;
	let lo = 0x80;
	let hi = 0xbf;
	if (b >= 0xc2 && b <= 0xdf) need = 1;
	else if (b >= 0xe0 && b <= 0xef) {
		need = 2;
		if (b === 0xe0) lo = 0xa0;
		if (b === 0xed) hi = 0x9f;
	} else if (b >= 0xf0 && b <= 0xf4) {
		need = 3;
		if (b === 0xf0) lo = 0x90;
		if (b === 0xf4) hi = 0x8f;
	} else return 0;
	for (let k = 1; k <= need; k++) {
		const c = bytes[i + k];
		if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return 0;
	}
	return need + 1;
}

/** First invalid offset at or after `from` (which must be a character boundary), or -1. */
function scan(bytes: Uint8Array, from: number, to: number): number {
	let i = from;
	while (i < to) {
		const n = sequenceLength(bytes, i);
		if (n === 0) return i;
		i += n;
	}
	return -1;
}

function position(bytes: Uint8Array, byteOffset: number) {
	let line = 1;
	let lineStart = 0;
	for (let i = bytes.indexOf(0x0a); i !== -1 && i < byteOffset; i = bytes.indexOf(0x0a, i + 1)) {
		line++;
		lineStart = i + 1;
	}
	// Everything before the bad byte is valid, so decoding it and counting code points is exact.
	const prefix = new TextDecoder().decode(bytes.subarray(lineStart, byteOffset));
	let column = 1;
	for (const _ of prefix) column++;
	return { line, column, byteOffset };
}

export function checkUtf8(bytes: Uint8Array): Utf8Check {
	const decoder = new TextDecoder('utf-8', { fatal: true });
	for (let start = 0; start < bytes.length; start += CHUNK) {
		const end = Math.min(start + CHUNK, bytes.length);
		try {
			decoder.decode(bytes.subarray(start, end), { stream: end < bytes.length });
		} catch {
			// The bad sequence began in this chunk or in at most 3 bytes carried from the previous one; back up
			// over continuation bytes to the boundary the decoder stood on.
			let from = start;
			while (start - from < 3 && from > 0 && (bytes[from - 1] & 0xc0) === 0x80) from--;
			if (from > 0 && bytes[from - 1] >= 0xc0) from--;
			const bad = scan(bytes, from, bytes.length);
			return bad === -1 ? { ok: true } : { ok: false, ...position(bytes, bad) };
		}
	}
	return { ok: true };
}
