import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonErrorOffset, lineColumn } from '../../src/lib/data/json-position';

const parses = (text: string) => {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
};

describe('jsonErrorOffset', () => {
	const cases: { text: string; at: number }[] = [
		{ text: '{"a": [1, 2.5e3, -0, true, null, "x\\u00e9\\n"]}', at: -1 },
		{ text: '  [ ]  ', at: -1 },
		{ text: '', at: 0 },
		{ text: 'hello', at: 0 },
		{ text: '{"a": x}', at: 6 },
		{ text: '{"a": 1,}', at: 8 },
		{ text: '[1 2]', at: 3 },
		{ text: '[01]', at: 2 },
		{ text: '"tab\there"', at: 4 },
		{ text: '"bad \\x escape"', at: 5 },
		{ text: '{"a": 1} extra', at: 9 },
		{ text: '[1, 2', at: 5 },
		{ text: "{'a': 1}", at: 1 }
	];
	it.each(cases)('$text → $at', ({ text, at }) => {
		expect(jsonErrorOffset(text)).toBe(at);
	});

	it('agrees with JSON.parse on valid documents and on mangled ones', () => {
		const mangled = fc
			.tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', 'x', ' ', '\\', '0'))
			.map(([json, cut, insert]) => {
				const at = cut % (json.length + 1);
				return json.slice(0, at) + insert + json.slice(at + (cut % 2));
			});
		fc.assert(
			fc.property(fc.oneof(fc.json(), mangled), (text) => {
				expect(jsonErrorOffset(text) === -1).toBe(parses(text));
			}),
			{ numRuns: 500 }
		);
	});
});

describe('lineColumn', () => {
	it.each([
		{ text: 'ab', offset: 1, line: 1, column: 2 },
		{ text: 'a\nb', offset: 2, line: 2, column: 1 },
		{ text: 'a\n\nbc', offset: 4, line: 3, column: 2 }
	])('$offset in $text → $line:$column', ({ text, offset, line, column }) => {
		expect(lineColumn(text, offset)).toEqual({ line, column });
	});
});
