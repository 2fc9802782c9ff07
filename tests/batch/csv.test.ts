import { describe, expect, it } from 'vitest';
import { CsvFormatError, CsvInspector, scanRecords } from '../../workers/batch/csv';

/**
 * The batch job's CSV reader: RFC 4180 records from bytes, read in pieces that may end anywhere (inside a quoted
 * field, between CR and LF, inside a multi-byte character), each piece starting where the last complete record
 * ended. Reading a file in pieces of every size must give exactly the records of reading it whole.
 */

const bytes = (s: string) => new TextEncoder().encode(s);

const FILE =
	'name,note,n\r\n' +
	'"Smith, J","said ""hi""\nthen left",1\r\n' +
	'Zoë,,2\n' +
	'\n' +
	'"",plain,3\n' +
	'ünïcødé ✓,"multi\r\nline",4';

const WHOLE = [
	['name', 'note', 'n'],
	['Smith, J', 'said "hi"\nthen left', '1'],
	['Zoë', '', '2'],
	['', 'plain', '3'],
	['ünïcødé ✓', 'multi\r\nline', '4']
];

/** Reads the file in pieces of `size` bytes, carrying the unfinished record, as the job's range reads do. */
function inPieces(buf: Uint8Array, size: number, max = Infinity) {
	const out: string[][] = [];
	const lines: number[] = [];
	let start = 0;
	let line = 1;
	let read = 0;
	for (;;) {
		read = Math.min(buf.length, read + size);
		const eof = read >= buf.length;
		const scan = scanRecords(buf.subarray(0, read), start, { eof, max, firstLine: line });
		out.push(...scan.records);
		lines.push(...scan.lines);
		start = scan.end;
		line += scan.linesRead;
		if (eof && start >= buf.length) return { out, lines };
		if (eof && scan.records.length === 0) return { out, lines };
	}
}

describe('scanRecords', () => {
	it('reads quotes, doubled quotes, commas and line breaks in fields, CRLF, blank lines and UTF-8', () => {
		const scan = scanRecords(bytes(FILE), 0, { eof: true });
		expect(scan.records).toEqual(WHOLE);
		expect(scan.lines).toEqual([1, 2, 4, 6, 7]);
		expect(scan.end).toBe(bytes(FILE).length);
	});

	it.each([1, 2, 3, 5, 7, 16, 1000])('gives the same records read in pieces of %i bytes', (size) => {
		expect(inPieces(bytes(FILE), size)).toEqual({ out: WHOLE, lines: [1, 2, 4, 6, 7] });
	});

	it('stops after max records, and the next read from `end` goes on from there', () => {
		const buf = bytes(FILE);
		const first = scanRecords(buf, 0, { eof: true, max: 2 });
		expect(first.records).toEqual(WHOLE.slice(0, 2));
		const rest = scanRecords(buf, first.end, { eof: true, firstLine: 1 + first.linesRead });
		expect(rest.records).toEqual(WHOLE.slice(2));
		expect(rest.lines).toEqual([4, 6, 7]);
	});

	it('leaves a record without its line break for the next read unless the file ends there', () => {
		const buf = bytes('a,b\n1,2');
		expect(scanRecords(buf, 0, { eof: false }).records).toEqual([['a', 'b']]);
		expect(scanRecords(buf, 0, { eof: true }).records).toEqual([
			['a', 'b'],
			['1', '2']
		]);
		expect(scanRecords(bytes('a,\n'), 0, { eof: true }).records).toEqual([['a', '']]);
		expect(scanRecords(bytes('a,'), 0, { eof: true }).records).toEqual([['a', '']]);
	});

	it.each([
		['a quote never closed', 'a\n"open,1\n', /never closed/],
		['a quote inside an unquoted field', 'a\nab"c\n', /quote inside an unquoted field/],
		['text after a closing quote', 'a\n"ab"c\n', /text after a closing quote/],
		['bytes that are not UTF-8', 'a\n\xff\xfe\n', /not UTF-8/]
	])('refuses %s, naming the line', (_, text, message) => {
		const buf = text.includes('\xff') ? Uint8Array.from([0x61, 0x0a, 0xff, 0xfe, 0x0a]) : bytes(text);
		expect(() => scanRecords(buf, 0, { eof: true })).toThrow(CsvFormatError);
		expect(() => scanRecords(buf, 0, { eof: true })).toThrow(message);
	});
});

describe('CsvInspector', () => {
	const inspect = (text: string | Uint8Array, size = 3) => {
		const buf = typeof text === 'string' ? bytes(text) : text;
		const i = new CsvInspector();
		for (let at = 0; at < buf.length; at += size) i.push(buf.subarray(at, at + size));
		return i.end(buf.length);
	};

	it('counts rows and finds the header past a BOM, in pieces of any size', () => {
		for (const size of [1, 2, 4, 64]) {
			const info = inspect('\ufeffx,"y, z"\n1,2\n"3\n",4\n', size);
			expect(info).toMatchObject({ columns: ['x', 'y, z'], rows: 2, dataStart: 12, dataLine: 2 });
		}
	});

	it.each([
		['an empty file', '', /no header line/],
		['a ragged row', 'a,b\n1,2\n3\n', /row 1 \(line 3\) has 1 field; the header has 2/],
		['a header naming a column twice', 'a,a\n1,2\n', /"a" twice/],
		['a blank column name', 'a,\n1,2\n', /column 2 has no name/],
		['bytes that are not UTF-8', Uint8Array.from([0x61, 0x0a, 0xc3, 0x28, 0x0a]), /not UTF-8/]
	])('refuses %s', (_, text, message) => {
		expect(() => inspect(text)).toThrow(message);
	});

	it('a header alone is zero rows, not an error (the route says it has no rows)', () => {
		expect(inspect('a,b\n')).toMatchObject({ columns: ['a', 'b'], rows: 0 });
	});
});
