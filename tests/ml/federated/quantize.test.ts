import { describe, expect, it } from 'vitest';
import {
	FLOAT16_MAX,
	FederatedInputError,
	INT8_BLOCK,
	UpdateEncodingError,
	decodeUpdate,
	encodeUpdate,
	encodedBytes,
	fromFloat16Bits,
	toFloat16Bits,
	type UpdateEncoding
} from '../../../src/lib/ml/federated';
import { mulberry32 } from '../../../src/lib/ml/random';
import { w } from './helpers';

/** The float16 pattern `encodeUpdate` writes for one value (little-endian: low byte first). */
function halfBits(x: number): number {
	const { bytes } = encodeUpdate(w(x), 'float16');
	expect(bytes.length).toBe(2);
	return bytes[0] | (bytes[1] << 8);
}

/** Two little-endian bytes for a float16 pattern. */
const le16 = (...patterns: number[]): Uint8Array =>
	Uint8Array.from(patterns.flatMap((p) => [p & 0xff, p >> 8]));

/** The int8 layout's scale of block k. */
const scaleOf = (bytes: Uint8Array, k: number): number =>
	new DataView(bytes.buffer, bytes.byteOffset).getFloat32(4 * k, true);

describe('float16: IEEE 754 binary16, ties to even, clamped at ±65504', () => {
	it('writes the hand-computed bit patterns', () => {
		expect(halfBits(1)).toBe(0x3c00);
		expect(halfBits(-2)).toBe(0xc000);
		expect(halfBits(65504)).toBe(0x7bff);
		expect(halfBits(0.5)).toBe(0x3800);
		expect(halfBits(0)).toBe(0x0000);
		expect(toFloat16Bits(-0)).toBe(0x8000);
		// 2^-24 is the smallest subnormal; 1023·2^-24 the largest; 2^-14 the smallest normal.
		expect(halfBits(2 ** -24)).toBe(0x0001);
		expect(halfBits(1023 * 2 ** -24)).toBe(0x03ff);
		expect(halfBits(2 ** -14)).toBe(0x0400);
		// 1/3 = 1.0101…₂ · 2^-2: exponent 13, fraction 0x155 (0101010101|01… rounds down).
		expect(halfBits(1 / 3)).toBe(0x3555);
		// 0.1 = 1.6 · 2^-4: exponent 11, fraction round(0.6·1024 = 614.4) = 614 = 0x266.
		expect(halfBits(0.1)).toBe(0x2e66);
		expect(toFloat16Bits(1)).toBe(0x3c00);
	});

	it('rounds a value halfway between two halves to the even one', () => {
		// Between 1 (fraction 0, even) and 1 + 2^-10 (fraction 1): down to 1.
		expect(halfBits(1 + 2 ** -11)).toBe(0x3c00);
		// Between 1 + 2^-10 (fraction 1) and 1 + 2^-9 (fraction 2, even): up.
		expect(halfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
		// Just above the halfway point goes up.
		expect(halfBits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
		// Subnormal ties: 2^-25 is halfway between 0 and 2^-24 → 0; 3·2^-25 between 1 and 2 (·2^-24) → 2.
		expect(halfBits(2 ** -25)).toBe(0x0000);
		expect(halfBits(3 * 2 ** -25)).toBe(0x0002);
		// Halfway between the largest subnormal and the smallest normal carries into the exponent.
		expect(halfBits(1023.5 * 2 ** -24)).toBe(0x0400);
		// Halfway between 2 − 2^-10 (fraction 0x3FF, odd) and 2 (even): carries into the exponent, 2 = 0x4000.
		expect(halfBits(2 - 2 ** -11)).toBe(0x4000);
	});

	it('agrees with the definition on every finite pattern and every midpoint between neighbours', () => {
		const wrong: string[] = [];
		const check = (x: number, expected: number) => {
			const got = toFloat16Bits(x);
			if (got !== expected) wrong.push(`${x} → 0x${got.toString(16)}, expected 0x${expected.toString(16)}`);
		};
		for (let b = 0; b < 0x7c00; b++) {
			check(fromFloat16Bits(b), b);
			check(fromFloat16Bits(b | 0x8000), b | 0x8000);
			if (b === 0x7bff) break;
			const mid = (fromFloat16Bits(b) + fromFloat16Bits(b + 1)) / 2; // exact in a double
			const even = b % 2 === 0 ? b : b + 1;
			check(mid, even);
			check(-mid, even | 0x8000);
			check(mid * (1 - 2 ** -40), b);
			check(mid * (1 + 2 ** -40), b + 1);
		}
		expect(wrong).toEqual([]);
		// Doubles that float32 would round up into the next binade are still rounded once, from the double.
		expect(toFloat16Bits(2 - 2 ** -30)).toBe(0x4000);
		expect(toFloat16Bits(1 + 2 ** -11 + 2 ** -40)).toBe(0x3c01);
		expect(toFloat16Bits(1 + 2 ** -11 - 2 ** -40)).toBe(0x3c00);
	});

	it('clamps beyond 65504 instead of writing Infinity, and error feedback keeps the rest', () => {
		expect(halfBits(1e6)).toBe(0x7bff);
		expect(halfBits(-1e6)).toBe(0xfbff);
		// 65519 would round to 65504 anyway; 65520 would round to Infinity under IEEE rules: clamped.
		expect(halfBits(65519)).toBe(0x7bff);
		expect(halfBits(65520)).toBe(0x7bff);
		const first = encodeUpdate(w(1e6), 'float16');
		expect(first.residual[0]).toBe(1e6 - FLOAT16_MAX);
		expect(decodeUpdate(first.bytes, 'float16', 1)[0]).toBe(FLOAT16_MAX);
		// The residual is sent over the next rounds: 1e6 = 15·65504 + 17440 arrives in 16 rounds of delta 0.
		let residual = first.residual;
		let sum = FLOAT16_MAX;
		for (let round = 0; round < 15; round++) {
			const next = encodeUpdate(w(0), 'float16', residual);
			sum += decodeUpdate(next.bytes, 'float16', 1)[0];
			residual = next.residual;
		}
		expect(sum).toBe(1e6);
		expect(residual[0]).toBe(0);
	});

	it('decodes bit patterns back to their values', () => {
		expect(fromFloat16Bits(0x3c00)).toBe(1);
		expect(fromFloat16Bits(0xc000)).toBe(-2);
		expect(fromFloat16Bits(0x7bff)).toBe(65504);
		expect(fromFloat16Bits(0x0001)).toBe(2 ** -24);
		expect(fromFloat16Bits(0x8001)).toBe(-(2 ** -24));
		expect(fromFloat16Bits(0x0400)).toBe(2 ** -14);
		expect(Array.from(decodeUpdate(le16(0x3c00, 0xc000, 0x3555), 'float16', 3))).toEqual([
			1, -2, 0.333251953125
		]);
	});

	it('round trip: relative error ≤ 2^-11 for normals, absolute ≤ 2^-25 for subnormals', () => {
		const rng = mulberry32(11);
		const n = 20000;
		const x = new Float32Array(n);
		for (let i = 0; i < n; i++) {
			const e = -14 + Math.floor(rng() * 30); // exponents −14 … 15: every normal binade
			x[i] = (rng() < 0.5 ? -1 : 1) * (1 + rng()) * 2 ** e;
		}
		const { bytes, residual } = encodeUpdate(x, 'float16');
		const y = decodeUpdate(bytes, 'float16', n);
		let worst = 0;
		for (let i = 0; i < n; i++) {
			if (Math.abs(x[i]) > FLOAT16_MAX) continue;
			worst = Math.max(worst, Math.abs(y[i] - x[i]) / Math.abs(x[i]));
			expect(residual[i]).toBe(x[i] - y[i]);
		}
		expect(worst).toBeLessThanOrEqual(2 ** -11);
		expect(worst).toBeGreaterThan(2 ** -12); // the bound is nearly reached: it is the right one

		const sub = Float32Array.from({ length: 1000 }, () => (rng() - 0.5) * 2 ** -13);
		const ys = decodeUpdate(encodeUpdate(sub, 'float16').bytes, 'float16', sub.length);
		for (let i = 0; i < sub.length; i++) expect(Math.abs(ys[i] - sub[i])).toBeLessThanOrEqual(2 ** -25);
	});
});

describe('int8: blocks of 256 with a float32 scale each, scales first', () => {
	it('writes the hand-computed layout (scale 1: codes are the rounded values, ties to even)', () => {
		const { bytes, residual } = encodeUpdate(w(127, -63.5, 2.5, 0, -127), 'int8');
		// 1 block: 4 bytes of scale 127/127 = 1.0f (0x3F800000 little-endian), then 5 codes.
		expect(Array.from(bytes)).toEqual([0x00, 0x00, 0x80, 0x3f, 0x7f, 0xc0, 0x02, 0x00, 0x81]);
		expect(Array.from(residual)).toEqual([0, 0.5, 0.5, 0, 0]);
		expect(Array.from(decodeUpdate(bytes, 'int8', 5))).toEqual([127, -64, 2, 0, -127]);
	});

	it('puts ceil(n/256) scales before the n codes, a zero block with scale 0', () => {
		const n = 600; // blocks of 256, 256, 88
		const x = new Float32Array(n);
		x[3] = 2.54; // block 0: scale 0.02
		// block 1 stays zero
		x[599] = -12.7; // block 2: scale 0.1
		x[520] = 0.04;
		const { bytes } = encodeUpdate(x, 'int8');
		expect(bytes.length).toBe(3 * 4 + 600);
		expect(scaleOf(bytes, 0)).toBe(Math.fround(Math.fround(2.54) / 127));
		expect(scaleOf(bytes, 1)).toBe(0);
		expect(scaleOf(bytes, 2)).toBe(Math.fround(Math.fround(12.7) / 127));
		const codes = new Int8Array(bytes.buffer, 12);
		expect(codes[3]).toBe(127);
		expect(codes[599]).toBe(-127);
		expect(codes[520]).toBe(0); // 0.04 / 0.1 = 0.4 rounds to 0: error feedback keeps it
		expect(codes.slice(256, 512).every((q) => q === 0)).toBe(true);
	});

	it('round trip: absolute error ≤ scale/2 in every block', () => {
		const rng = mulberry32(5);
		const n = 1000;
		const x = Float32Array.from(
			{ length: n },
			(_, i) => (rng() - 0.5) * 10 ** (Math.floor(i / INT8_BLOCK) - 2)
		);
		const { bytes, residual } = encodeUpdate(x, 'int8');
		const y = decodeUpdate(bytes, 'int8', n);
		for (let i = 0; i < n; i++) {
			const scale = scaleOf(bytes, Math.floor(i / INT8_BLOCK));
			// scale/2, plus the float32 rounding of q·scale in the decoder (half an ulp of a value ≤ 127·scale).
			expect(Math.abs(y[i] - x[i]), `index ${i}`).toBeLessThanOrEqual(scale / 2 + 127 * scale * 2 ** -24);
			expect(residual[i]).toBeCloseTo(x[i] - y[i], 8);
		}
	});
});

describe('error feedback bounds the drift of the summed updates', () => {
	/**
	 * 50 rounds of random deltas that quantisation is biased against: per int8 block one coordinate of ±1 sets the
	 * scale (step ≈ 1/127 ≈ 0.0079) and the others are uniform in [0, 0.003), under half a step, so without feedback
	 * every one of them rounds to 0 every round. For float16 the deltas are 1 + U[0, 2^-12), under half an ulp of 1.
	 */
	const rounds = 50;
	function run(encoding: UpdateEncoding, feedback: boolean, n: number, draw: (i: number) => number) {
		const sumTrue = new Float64Array(n);
		const sumDecoded = new Float64Array(n);
		let residual: Float32Array | undefined;
		let bytes: Uint8Array = new Uint8Array(0);
		for (let t = 0; t < rounds; t++) {
			const delta = Float32Array.from({ length: n }, (_, i) => draw(i));
			const enc = encodeUpdate(delta, encoding, feedback ? residual : undefined);
			residual = enc.residual;
			bytes = enc.bytes;
			const dec = decodeUpdate(enc.bytes, encoding, n);
			for (let i = 0; i < n; i++) {
				sumTrue[i] += delta[i];
				sumDecoded[i] += dec[i];
			}
		}
		let drift = 0;
		for (let i = 0; i < n; i++) drift = Math.max(drift, Math.abs(sumDecoded[i] - sumTrue[i]));
		return { drift, residual: residual!, sumTrue, sumDecoded, bytes };
	}

	it('int8: within one step with feedback (the last residual), many steps without', () => {
		const n = 2 * INT8_BLOCK;
		const rng = mulberry32(2024);
		const draw = (i: number) => (i % INT8_BLOCK === 0 ? (rng() < 0.5 ? -1 : 1) : rng() * 0.003);
		const step = Math.fround(1 / 127);
		const ef = run('int8', true, n, draw);
		const plain = run('int8', false, n, draw);
		// Σ decoded = Σ delta − last residual, and |last residual| ≤ scale/2 of its block.
		expect(ef.drift).toBeLessThanOrEqual(step);
		for (let i = 0; i < n; i++) {
			expect(ef.sumTrue[i] - ef.sumDecoded[i]).toBeCloseTo(ef.residual[i], 5);
			expect(Math.abs(ef.residual[i])).toBeLessThanOrEqual(
				scaleOf(ef.bytes, Math.floor(i / INT8_BLOCK)) / 2 + 1e-7
			);
		}
		// Without feedback the small coordinates never arrive: 50 × 0.0015 on average ≈ 0.075, about 10 steps.
		expect(plain.drift).toBeGreaterThan(5 * step);
		expect(plain.drift).toBeGreaterThan(10 * ef.drift);
	});

	it('float16: within one ulp with feedback, many without', () => {
		const n = 64;
		const rng = mulberry32(7);
		const draw = () => 1 + rng() * 2 ** -12;
		const ulp = 2 ** -10; // of values in [1, 2)
		const ef = run('float16', true, n, draw);
		const plain = run('float16', false, n, draw);
		expect(ef.drift).toBeLessThanOrEqual(ulp);
		// Each round loses on average 2^-13; 50 rounds ≈ 6 ulps.
		expect(plain.drift).toBeGreaterThan(4 * ulp);
	});
});

describe('sizes', () => {
	it('gives the exact byte lengths', () => {
		expect(encodedBytes(1, 'float32')).toBe(4);
		expect(encodedBytes(1, 'float16')).toBe(2);
		expect(encodedBytes(1, 'int8')).toBe(5);
		expect(encodedBytes(256, 'int8')).toBe(260);
		expect(encodedBytes(257, 'int8')).toBe(265);
		for (const e of ['float32', 'float16', 'int8'] as const)
			expect(encodeUpdate(new Float32Array(300), e).bytes.length).toBe(encodedBytes(300, e));
	});

	it('float16 is 2× and int8 ≈ 3.94× smaller than float32 for a million values', () => {
		const n = 1e6;
		expect(encodedBytes(n, 'float32') / encodedBytes(n, 'float16')).toBe(2);
		// 4 000 000 / (3907 × 4 + 1 000 000) = 4 000 000 / 1 015 628 = 3.9384
		expect(encodedBytes(n, 'int8')).toBe(1_015_628);
		expect(encodedBytes(n, 'float32') / encodedBytes(n, 'int8')).toBeCloseTo(3.94, 2);
	});

	it('float32 is lossless and leaves a zero residual', () => {
		const x = w(1.5, -2.25, 3e-30, 1e30);
		const { bytes, residual } = encodeUpdate(x, 'float32');
		expect(Array.from(decodeUpdate(bytes, 'float32', 4))).toEqual(Array.from(x));
		expect(Array.from(residual)).toEqual([0, 0, 0, 0]);
	});
});

describe('malformed bytes are refused by name', () => {
	const refuse = (f: () => unknown, message: RegExp) => {
		expect(f).toThrow(UpdateEncodingError);
		expect(f).toThrow(message);
	};
	const int8Bytes = (scale: number, ...codes: number[]) => {
		const b = new Uint8Array(4 + codes.length);
		new DataView(b.buffer).setFloat32(0, scale, true);
		b.set(
			Uint8Array.from(codes, (q) => q & 0xff),
			4
		);
		return b;
	};

	it('wrong length, short and long', () => {
		const good = encodeUpdate(w(1, 2, 3), 'float16').bytes;
		refuse(
			() => decodeUpdate(good.subarray(0, 5), 'float16', 3),
			/float16 update of 3 values must be 6 bytes, got 5/
		);
		refuse(() => decodeUpdate(new Uint8Array(8), 'float16', 3), /must be 6 bytes, got 8/);
		refuse(
			() => decodeUpdate(new Uint8Array(11), 'float32', 3),
			/float32 update of 3 values must be 12 bytes, got 11/
		);
		refuse(
			() => decodeUpdate(new Uint8Array(256), 'int8', 256),
			/int8 update of 256 values must be 260 bytes, got 256/
		);
	});

	it('int8 scales: NaN, ±Infinity, negative, overflowing; code −128; codes under a zero scale', () => {
		refuse(
			() => decodeUpdate(int8Bytes(NaN, 1, 2), 'int8', 2),
			/int8 block 0 has a non-finite scale \(NaN\)/
		);
		refuse(() => decodeUpdate(int8Bytes(Infinity, 1, 2), 'int8', 2), /non-finite scale \(Infinity\)/);
		refuse(() => decodeUpdate(int8Bytes(-Infinity, 1, 2), 'int8', 2), /non-finite scale \(-Infinity\)/);
		refuse(() => decodeUpdate(int8Bytes(-0.5, 1, 2), 'int8', 2), /negative scale \(-0.5\)/);
		refuse(() => decodeUpdate(int8Bytes(3e37, 1, 2), 'int8', 2), /127 × scale overflows a float32/);
		refuse(() => decodeUpdate(int8Bytes(1, 1, -128), 'int8', 2), /int8 code at index 1 is -128/);
		refuse(() => decodeUpdate(int8Bytes(0, 0, 5), 'int8', 2), /block 0 has scale 0 but code 5 at index 1/);
		// A NaN scale in the second block is found too.
		const two = encodeUpdate(new Float32Array(300).fill(1), 'int8').bytes;
		new DataView(two.buffer).setFloat32(4, NaN, true);
		refuse(() => decodeUpdate(two, 'int8', 300), /int8 block 1 has a non-finite scale/);
	});

	it('float16 NaN and Infinity patterns, float32 NaN and Infinity', () => {
		refuse(
			() => decodeUpdate(le16(0x3c00, 0x7c00), 'float16', 2),
			/index 1: float16 pattern 0x7c00 is Infinity/
		);
		refuse(() => decodeUpdate(le16(0xfc00), 'float16', 1), /0xfc00 is -Infinity/);
		refuse(() => decodeUpdate(le16(0x7e00), 'float16', 1), /0x7e00 is NaN/);
		refuse(() => decodeUpdate(le16(0xfc01), 'float16', 1), /0xfc01 is NaN/);
		const f32 = (x: number) => {
			const b = new Uint8Array(4);
			new DataView(b.buffer).setFloat32(0, x, true);
			return b;
		};
		refuse(() => decodeUpdate(f32(NaN), 'float32', 1), /float32 value at index 0 is NaN/);
		refuse(() => decodeUpdate(f32(-Infinity), 'float32', 1), /is -Infinity/);
	});

	it('n zero, negative, non-integer; an unknown encoding; bytes that are not a Uint8Array', () => {
		for (const n of [0, -1, 2.5, NaN])
			refuse(() => decodeUpdate(new Uint8Array(0), 'float32', n), /n must be a positive integer, got/);
		refuse(() => encodedBytes(0, 'int8'), /n must be a positive integer, got 0/);
		refuse(
			() => decodeUpdate(new Uint8Array(4), 'bf16' as UpdateEncoding, 1),
			/unknown update encoding "bf16"/
		);
		refuse(
			() => decodeUpdate([0, 0, 0x80, 0x3f] as unknown as Uint8Array, 'float32', 1),
			/must be a Uint8Array/
		);
	});

	it('reads a view at an offset into a larger buffer', () => {
		const enc = encodeUpdate(w(1, -2, 0.5), 'int8').bytes;
		const big = new Uint8Array(enc.length + 3);
		big.set(enc, 3);
		expect(Array.from(decodeUpdate(big.subarray(3), 'int8', 3))).toEqual(
			Array.from(decodeUpdate(enc, 'int8', 3))
		);
	});

	it('names the error class, a FederatedInputError', () => {
		try {
			decodeUpdate(new Uint8Array(3), 'float16', 2);
			expect.unreachable();
		} catch (e) {
			expect(e).toBeInstanceOf(UpdateEncodingError);
			expect(e).toBeInstanceOf(FederatedInputError);
			expect((e as Error).name).toBe('UpdateEncodingError');
		}
	});
});

describe('the encoder refuses bad arguments', () => {
	it('non-finite deltas, mismatched residuals, empty updates', () => {
		expect(() => encodeUpdate(w(1, NaN), 'int8')).toThrow(/delta has a non-finite value \(NaN\) at index 1/);
		expect(() => encodeUpdate(w(1, 2), 'int8', w(0))).toThrow(/residual has 1 parameters, expected 2/);
		expect(() => encodeUpdate(w(1, 2), 'float16', w(0, Infinity))).toThrow(/residual has a non-finite value/);
		expect(() => encodeUpdate(new Float32Array(0), 'float32')).toThrow(/n must be a positive integer, got 0/);
		expect(() => encodeUpdate(w(1), 'int4' as UpdateEncoding)).toThrow(UpdateEncodingError);
	});

	it('does not modify its inputs', () => {
		const delta = w(0.3, -0.7);
		const residual = w(0.01, 0.02);
		encodeUpdate(delta, 'int8', residual);
		expect(Array.from(delta)).toEqual(Array.from(w(0.3, -0.7)));
		expect(Array.from(residual)).toEqual(Array.from(w(0.01, 0.02)));
	});
});
