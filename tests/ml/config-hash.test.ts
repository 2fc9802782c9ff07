import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, stableHash } from '../../src/lib/ml/config-hash';

describe('canonicalJson', () => {
	it.each([
		{
			name: 'keys sorted at every depth',
			value: { b: 1, a: { d: [1, { z: 0, y: 1 }], c: 'x' } },
			json: '{"a":{"c":"x","d":[1,{"y":1,"z":0}]},"b":1}'
		},
		{
			name: 'keys sorted by code units, not locale',
			value: { b: 0, B: 0, a: 0, _: 0 },
			json: '{"B":0,"_":0,"a":0,"b":0}'
		},
		{
			name: 'integer-like keys sorted as text too',
			value: { a: 0, 9: 0, 10: 0 },
			json: '{"10":0,"9":0,"a":0}'
		},
		{
			name: 'a Float32Array as its float values',
			value: { w: new Float32Array([0.1, 1]) },
			json: '{"w":[0.10000000149011612,1]}'
		},
		{
			name: 'integer typed arrays',
			value: [Uint32Array.from([3, 1]), Int8Array.from([-1])],
			json: '[[3,1],[-1]]'
		},
		{
			name: 'a DataView as its bytes',
			value: new DataView(Uint8Array.from([9, 8, 7]).buffer, 1),
			json: '[8,7]'
		},
		{ name: 'an ArrayBuffer as its bytes', value: Uint8Array.from([1, 2]).buffer, json: '[1,2]' },
		{
			name: 'bigint as an integer literal',
			value: { n: 12n, big: 2n ** 64n },
			json: '{"big":18446744073709551616,"n":12}'
		},
		{
			name: 'NaN and infinities as null, −0 as 0',
			value: [NaN, Infinity, -Infinity, -0],
			json: '[null,null,null,0]'
		},
		{
			name: 'undefined and functions left out of objects',
			value: { a: undefined, f: () => 1, b: null },
			json: '{"b":null}'
		},
		{ name: '…and null in arrays', value: [undefined, () => 1, Symbol('s')], json: '[null,null,null]' },
		{
			name: 'Dates through toJSON',
			value: { at: new Date(Date.UTC(2026, 10, 22)) },
			json: '{"at":"2026-11-22T00:00:00.000Z"}'
		},
		{ name: 'strings escaped as JSON does', value: 'a"b\\\n\u00e9', json: '"a\\"b\\\\\\né"' },
		{ name: 'undefined at top level', value: undefined, json: 'null' },
		{
			name: 'a shared (not cyclic) object twice',
			value: ((o) => [o, o])({ a: 1 }),
			json: '[{"a":1},{"a":1}]'
		}
	])('$name', ({ value, json }) => expect(canonicalJson(value)).toBe(json));

	it.each([
		{ name: 'a Map', value: { m: new Map([[1, 2]]) } },
		{ name: 'a Set', value: [new Set([1])] },
		{ name: 'a cycle', value: ((o: Record<string, unknown>) => ((o.self = o), o))({}) }
	])('refuses $name', ({ value }) => expect(() => canonicalJson(value)).toThrow(TypeError));

	it('reads back as the same data, whatever order the keys were written in', () => {
		// Rebuilt with keys reversed; integer-like keys ("0") still come first in JS objects, which is why the
		// canonical text sorts them itself instead of trusting property order.
		const reversed = (v: unknown): unknown =>
			Array.isArray(v)
				? v.map(reversed)
				: v && typeof v === 'object'
					? Object.fromEntries(
							Object.keys(v)
								.reverse()
								.map((k) => [k, reversed((v as Record<string, unknown>)[k])])
						)
					: v;
		fc.assert(
			fc.property(fc.jsonValue(), (value) => {
				const text = canonicalJson(value);
				// -0 is written as 0 on purpose (it hashes like 0), so compare through plain JSON, which does the same.
				expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
				expect(canonicalJson(reversed(value))).toBe(text);
			})
		);
	});
});

describe('stableHash', () => {
	// Expected digests from `printf '%s' '<json>' | sha256sum`.
	it.each([
		{ value: { b: [1, 2], a: 1 }, hex: '8baa73198470c7bb4c3ce142a8fd651affc0310d878bb9bd159e37a573fb4874' },
		{ value: null, hex: '74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b' },
		{
			value: { lr: 0.001, layers: [{ units: 64, activation: 'relu' }] },
			hex: '03c565740b6b18c8f1dbdf7b856b19f8738b016d940439ddd2e8404df018d359'
		}
	])('$hex', async ({ value, hex }) => expect(await stableHash(value)).toBe(hex));

	it('ignores key order and tells different configs apart', async () => {
		expect(await stableHash({ a: 1, b: { c: 2, d: 3 } })).toBe(await stableHash({ b: { d: 3, c: 2 }, a: 1 }));
		expect(await stableHash({ a: 1 })).not.toBe(await stableHash({ a: 2 }));
		expect(await stableHash(new Float32Array([1, 2]))).toBe(await stableHash([1, 2]));
	});
});
