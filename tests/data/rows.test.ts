import { describe, expect, it } from 'vitest';
import { tableFromArrays, tableFromJSON } from 'apache-arrow';
import { toRows } from '$lib/data/rows';

describe('toRows makes Arrow rows JSON-safe for the main thread and IndexedDB', () => {
	it('turns BigInt into numbers when safe and strings when not, and keeps nulls', () => {
		const t = tableFromArrays({ big: new BigInt64Array([1n, 9007199254740993n]), s: ['a', 'b'] });
		expect(toRows(t)).toEqual([
			[1, 'a'],
			['9007199254740993', 'b']
		]);
	});

	it('keeps nulls as null', () => {
		const t = tableFromJSON([
			{ a: 1, b: null },
			{ a: null, b: 'x' }
		]);
		expect(toRows(t)).toEqual([
			[1, null],
			[null, 'x']
		]);
	});
});

describe('decimals and HUGEINT', () => {
	it('applies the scale to the unscaled digits', async () => {
		const { Decimal, makeData, makeVector, Table } = await import('apache-arrow');
		const type = new Decimal(2, 10, 128);
		// 12345 unscaled with scale 2 is 123.45; little-endian 32-bit words.
		const data = makeData({ type, length: 1, data: new Uint32Array([12345, 0, 0, 0]) });
		const t = new Table({ d: makeVector(data) });
		expect(toRows(t)).toEqual([[123.45]]);
	});
});
