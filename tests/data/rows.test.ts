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
