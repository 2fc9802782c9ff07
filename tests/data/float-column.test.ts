import { describe, expect, it } from 'vitest';
import { Float64, Utf8, makeVector, vectorFromArray } from 'apache-arrow';
import { copyDoubles, copyText } from '$lib/data/float-column';

const shown = (a: Float64Array) => Array.from(a, (x) => (Number.isNaN(x) ? 'NaN' : x));

describe('copyDoubles', () => {
	it('copies a chunk without nulls at its place in the column', () => {
		const out = new Float64Array(5).fill(-1);
		copyDoubles(makeVector(new Float64Array([1.5, 2, 3])), out, 1, 3);
		expect(shown(out)).toEqual([-1, 1.5, 2, 3, -1]);
	});

	it('turns nulls into NaN, across several chunks, at an offset', () => {
		const a = vectorFromArray([1, null, 3], new Float64());
		const b = vectorFromArray([null, 5], new Float64());
		const out = new Float64Array(7).fill(-1);
		copyDoubles(a.concat(b), out, 2, 5);
		expect(shown(out)).toEqual([-1, -1, 1, 'NaN', 3, 'NaN', 5]);
	});

	it('copies no more than the rows asked for, nulls included', () => {
		const out = new Float64Array(3).fill(-1);
		copyDoubles(vectorFromArray([1, 2, null, 4], new Float64()), out, 1, 2);
		expect(shown(out)).toEqual([-1, 1, 2]);
	});

	it('a missing vector is all NaN, and only its own rows', () => {
		const out = new Float64Array(4).fill(-1);
		copyDoubles(null, out, 1, 2);
		expect(shown(out)).toEqual([-1, 'NaN', 'NaN', -1]);
	});
});

describe('copyText', () => {
	it('copies text with nulls at an offset', () => {
		const out: (string | null)[] = ['x', 'x', 'x', 'x'];
		copyText(vectorFromArray(['a', null, 'c'], new Utf8()), out, 1, 3);
		expect(out).toEqual(['x', 'a', null, 'c']);
	});
});
