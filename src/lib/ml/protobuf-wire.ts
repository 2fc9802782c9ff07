/**
 * The protobuf wire format, read without a library: walk a message's fields, step over a length-delimited payload
 * without reading it, and decode the few scalar kinds a reader needs. Every length is checked against the end of
 * its message, so bytes that are not protobuf end in a WireFormatError naming where, never a read past the end.
 * onnx-signature.ts is its caller.
 */

/** Bytes that cannot be walked as protobuf: the message says what and where ("truncated at byte N: …"). */
export class WireFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'WireFormatError';
	}
}

/** A message's bytes: [start, end) of the buffer. */
export interface Span {
	start: number;
	end: number;
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;
const FIXED32 = 5;

/** One field as scan hands it to its visitor. Only valid during the visit (the object is reused). */
export interface Field {
	no: number;
	wire: number;
	/** Byte offset of the field's key. */
	at: number;
	/** The message it belongs to, for messages. */
	message: string;
	/** A varint field's value as an int64 (exact up to 2^53). */
	value: number;
	/** Its low 32 bits: an int32 or enum field's value once `| 0`. */
	low: number;
	/** A length-delimited field's payload. */
	start: number;
	end: number;
}

const utf8 = new TextDecoder();

/**
 * Walks the fields of the message in `s`, calling visit for each. Checks every length against the message's end,
 * so nothing reads past it; a length-delimited payload is not read here, only stepped over.
 */
export function scan(buf: Uint8Array, s: Span, message: string, visit: (f: Field) => void): void {
	const f: Field = { no: 0, wire: 0, at: 0, message, value: 0, low: 0, start: 0, end: 0 };
	const c: Cursor = { buf, pos: s.start, end: s.end, message, lo: 0, hi: 0 };
	while (c.pos < s.end) {
		f.at = c.pos;
		varint(c, 'a field key');
		const wire = c.lo & 7;
		if (c.hi !== 0 || c.lo >>> 3 === 0)
			throw new WireFormatError(`invalid field number in ${message} at byte ${f.at}`);
		f.no = c.lo >>> 3;
		f.wire = wire;
		if (wire === VARINT) {
			varint(c, `field ${f.no}`);
			f.low = c.lo;
			f.value = c.hi >= 0x80000000 ? (c.hi - 2 ** 32) * 2 ** 32 + c.lo : c.hi * 2 ** 32 + c.lo;
		} else if (wire === LENGTH) {
			varint(c, `the length of field ${f.no}`);
			const length = c.hi * 2 ** 32 + c.lo;
			if (length > s.end - c.pos) overrun(c, f.at, `field ${f.no} (${length} bytes at byte ${c.pos})`);
			f.start = c.pos;
			f.end = c.pos + length;
			c.pos = f.end;
		} else if (wire === FIXED64 || wire === FIXED32) {
			const size = wire === FIXED64 ? 8 : 4;
			if (size > s.end - c.pos) overrun(c, f.at, `field ${f.no} (${size} bytes at byte ${c.pos})`);
			c.pos += size;
		} else {
			// 3 and 4 are proto2 groups, which onnx.proto never uses; 6 and 7 do not exist. A JSON file's "{" lands here.
			throw new WireFormatError(
				`invalid wire type ${wire} in ${message} at byte ${f.at} (byte 0x${buf[f.at]
					.toString(16)
					.padStart(2, '0')})`
			);
		}
		visit(f);
	}
}

interface Cursor {
	buf: Uint8Array;
	pos: number;
	end: number;
	message: string;
	/** The last varint read, as two unsigned 32-bit halves. */
	lo: number;
	hi: number;
}

/** Reads a base-128 varint of up to 10 bytes (64 bits) into c.lo / c.hi. */
function varint(c: Cursor, what: string): void {
	const at = c.pos;
	let lo = 0;
	let hi = 0;
	for (let i = 0; i < 10; i++) {
		if (c.pos >= c.end) overrun(c, at, what);
		const b = c.buf[c.pos++];
		const bits = b & 0x7f;
		if (i < 4) lo |= bits << (7 * i);
		else if (i === 4) {
			lo |= bits << 28;
			hi |= bits >>> 4;
		} else hi |= bits << (7 * i - 32);
		if (b < 0x80) {
			c.lo = lo >>> 0;
			c.hi = hi >>> 0;
			return;
		}
	}
	throw new WireFormatError(`a varint in ${c.message} at byte ${at} runs over 10 bytes`);
}

/** Something runs past the end: of the file (it is cut short), or of the message that holds it (it is corrupt). */
function overrun(c: Cursor, at: number, what: string): never {
	if (c.end === c.buf.length)
		throw new WireFormatError(
			`truncated at byte ${c.buf.length}: ${what} of ${c.message} at byte ${at} runs past the end`
		);
	throw new WireFormatError(
		`${what} of ${c.message} at byte ${at} runs past the end of its message at byte ${c.end}`
	);
}

function expectWire(f: Field, wire: number, name: string): void {
	if (f.wire !== wire)
		throw new WireFormatError(
			`${f.message}.${name} (field ${f.no}) at byte ${f.at} has wire type ${f.wire}, not ${wire}`
		);
}

export function span(f: Field, name: string): Span {
	expectWire(f, LENGTH, name);
	return { start: f.start, end: f.end };
}

export function text(buf: Uint8Array, f: Field, name: string): string {
	expectWire(f, LENGTH, name);
	return utf8.decode(buf.subarray(f.start, f.end));
}

/** An int64 field, as a number. */
export function int(f: Field, name: string): number {
	expectWire(f, VARINT, name);
	return f.value;
}

/** An int32 or enum field: protobuf sign-extends negatives to 64 bits, whose low half is the value. */
export function int32(f: Field, name: string): number {
	expectWire(f, VARINT, name);
	return f.low | 0;
}
