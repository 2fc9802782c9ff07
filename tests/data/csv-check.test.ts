import { describe, expect, it } from 'vitest';
import { checkCsv, lineOfRecord, sniffDelimiter } from '$lib/data/csv-check';

const enc = (s: string) => new TextEncoder().encode(s);
const check = (s: string, maxLineBytes = 1 << 20) => checkCsv(enc(s), { maxLineBytes });

describe('checkCsv accepts well-formed files', () => {
	it.each([
		{ what: 'plain', text: 'a,b\n1,2\n3,4\n', columns: 2, records: 3 },
		{ what: 'CRLF line ends', text: 'a,b\r\n1,2\r\n', columns: 2, records: 2 },
		{ what: 'no final newline', text: 'a,b\n1,2', columns: 2, records: 2 },
		{ what: 'quoted delimiter and newline', text: 'a,b\n"x,y","multi\nline"\n', columns: 2, records: 2 },
		{ what: 'escaped quotes', text: 'a\n"say ""hi"""\n', columns: 1, records: 2 },
		{ what: 'blank trailing lines', text: 'a,b\n1,2\n\n\n', columns: 2, records: 2 },
		{ what: 'empty fields', text: 'a,b,c\n,,\n', columns: 3, records: 2 },
		{ what: 'semicolons', text: 'a;b\n1,5;2\n', columns: 2, records: 2 }
	])('$what', ({ text, columns, records }) => {
		expect(check(text)).toMatchObject({ ok: true, columns, records });
	});
});

describe('checkCsv names the line of a malformed file', () => {
	it.each([
		{ what: 'a row with an extra field', text: 'a,b\n1,2\n3,4,5\n', code: 'RaggedRows', line: 3 },
		{ what: 'a row with a missing field', text: 'a,b\n1,2\n3\n', code: 'RaggedRows', line: 3 },
		{ what: 'a quote never closed', text: 'a,b\n"1,2\n3,4\n', code: 'UnterminatedQuote', line: 2 },
		{ what: 'text after a closing quote', text: 'a,b\n"1"x,2\n', code: 'BadQuote', line: 2 },
		{
			what: 'a line past the limit',
			text: 'a\n' + 'x'.repeat(2000) + '\n',
			code: 'LineTooLong',
			line: 2,
			max: 1000
		},
		{
			what: 'a huge line with no newline at all',
			text: 'x'.repeat(5000),
			code: 'LineTooLong',
			line: 1,
			max: 1000
		},
		{
			what: 'ragged after a multi-line quoted field',
			text: 'a,b\n"x\ny",1\n2\n',
			code: 'RaggedRows',
			line: 4
		}
	])('$what', ({ text, code, line, max }) => {
		const r = check(text, max);
		expect(r).toMatchObject({ ok: false, code, line });
		expect(r.ok || r.message).toContain(`line ${line}`);
	});
});

describe('sniffDelimiter', () => {
	it.each([
		['a,b,c\n', ','],
		['a\tb\tc\n', '\t'],
		['a;b;c\n', ';'],
		['a|b\n', '|'],
		['"x,y";b;c\n', ';'],
		['single\n', ',']
	])('%j → %j', (text, d) => expect(String.fromCharCode(sniffDelimiter(enc(text)))).toBe(d));
});

describe('lineOfRecord finds where a record starts, as checkCsv counts records', () => {
	it.each([
		{ what: 'plain', text: 'a,b\n1,2\n3,4\n', record: 2, line: 3 },
		{ what: 'the header', text: 'a,b\n1,2\n', record: 0, line: 1 },
		{ what: 'after a blank line', text: 'a,b\n1,2\n\n3,4\n', record: 2, line: 4 },
		{ what: 'after a quoted newline', text: 'a,b\n"x\ny",2\n3,4\n', record: 2, line: 4 },
		{ what: 'CRLF', text: 'a,b\r\n1,2\r\n3,4\r\n', record: 2, line: 3 },
		{ what: 'last line without newline', text: 'a,b\n1,2\n3,4', record: 2, line: 3 },
		{ what: 'a lone delimiter is a record', text: 'a,b\n,\n3,4\n', record: 2, line: 3 }
	])('$what', ({ text, record, line }) => {
		expect(lineOfRecord(enc(text), 0x2c, record)).toBe(line);
	});
});
