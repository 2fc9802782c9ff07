import { describe, expect, it } from 'vitest';
import { Float64, makeVector, vectorFromArray } from 'apache-arrow';
import { float64Column } from '$lib/data/float-column';

describe('float64Column', () => {
	it('copies a column without nulls', () => {
		const v = makeVector(new Float64Array([1.5, 2, 3]));
		expect(Array.from(float64Column(v, 3))).toEqual([1.5, 2, 3]);
	});

	it('turns nulls into NaN, across several chunks', () => {
		const a = vectorFromArray([1, null, 3], new Float64());
		const b = vectorFromArray([null, 5], new Float64());
		const out = float64Column(a.concat(b), 5);
		expect(Array.from(out, (x) => (Number.isNaN(x) ? 'NaN' : x))).toEqual([1, 'NaN', 3, 'NaN', 5]);
	});

	it('a missing vector is all NaN', () => {
		expect(Array.from(float64Column(null, 2)).every(Number.isNaN)).toBe(true);
	});
});
