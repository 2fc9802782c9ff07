import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	checkParquetFooter,
	checkUtf8,
	detectFormat,
	tableNameFromFile,
	type FileProblem
} from '../../src/lib/data/file-kind';

const data = (name: string) => new Uint8Array(readFileSync(`node_modules/vega-datasets/data/${name}`));
const text = (s: string) => new TextEncoder().encode(s);
const bytes = (...b: number[]) => new Uint8Array(b);

describe('detectFormat', () => {
	const accepted: { file: string; head: Uint8Array; format: string }[] = [
		{ file: 'penguins.csv', head: text('species,island\nAdelie,Torgersen\n'), format: 'csv' },
		{ file: 'UPPER.CSV', head: text('a,b\n'), format: 'csv' },
		{ file: 'with-bom.csv', head: bytes(0xef, 0xbb, 0xbf, 0x61, 0x2c, 0x62), format: 'csv' },
		{ file: 'unemployment.tsv', head: data('unemployment.tsv').subarray(0, 4096), format: 'tsv' },
		{ file: 'penguins.json', head: data('penguins.json').subarray(0, 4096), format: 'json' },
		{ file: 'one-object.json', head: text('{ "rows": [1, 2] }\n'), format: 'json' },
		{ file: 'lines-named.json', head: text('{"a": "}{"}\n{"a": 2}\n'), format: 'ndjson' },
		{ file: 'events.jsonl', head: text('{"a":1}\n{"a":2}\n'), format: 'ndjson' },
		{ file: 'events.ndjson', head: text('\n\n{"a":1}\n'), format: 'ndjson' },
		{ file: 'flights-3m.parquet', head: data('flights-3m.parquet').subarray(0, 64), format: 'parquet' },
		{ file: 'flights-200k.arrow', head: data('flights-200k.arrow').subarray(0, 64), format: 'arrow' },
		{ file: 'stream.arrows', head: bytes(0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0), format: 'arrow' },
		{ file: 'no-extension', head: text('PAR1rest'), format: 'parquet' },
		{ file: 'blob.bin', head: text('ARROW1\0\0'), format: 'arrow' }
	];
	it.each(accepted)('$file → $format', ({ file, head, format }) => {
		expect(detectFormat(file, head)).toEqual({ ok: true, format });
	});

	const refused: { file: string; head: Uint8Array; code: FileProblem; says: RegExp }[] = [
		{ file: 'empty.csv', head: bytes(), code: 'empty', says: /empty.csv is empty/ },
		{ file: 'sheet.xlsx', head: text('PK\x03\x04...'), code: 'compressed', says: /zip archive/ },
		{
			file: 'notes.docx',
			head: text('hello'),
			code: 'unknown-extension',
			says: /\.docx files are not supported.*\.csv, \.tsv/
		},
		{ file: 'README', head: text('hello'), code: 'unknown-extension', says: /no extension/ },
		{ file: 'data.csv.gz', head: bytes(0x1f, 0x8b, 8, 0), code: 'compressed', says: /gzip/ },
		{
			file: 'fake.parquet',
			head: text('a,b\n1,2\n'),
			code: 'bad-magic',
			says: /fake.parquet is not a Parquet file/
		},
		{ file: 'old.feather', head: text('FEA1....'), code: 'bad-magic', says: /Feather v1/ },
		{ file: 'page.json', head: text('<!doctype html>'), code: 'not-json', says: /starts with “<”/ },
		{ file: 'blank.json', head: text('  \n '), code: 'not-json', says: /only whitespace/ },
		{ file: 'arrays.jsonl', head: text('[1,2]\n'), code: 'not-json', says: /should start with \{/ },
		{
			file: 'image.csv',
			head: bytes(0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d),
			code: 'binary-text',
			says: /binary/
		},
		{ file: 'excel.csv', head: bytes(0xff, 0xfe, 0x61, 0), code: 'utf16', says: /UTF-16/ }
	];
	it.each(refused)('$file → $code', ({ file, head, code, says }) => {
		const result = detectFormat(file, head);
		expect(result).toMatchObject({ ok: false, code });
		expect(!result.ok && result.message).toMatch(says);
	});
});

describe('checkParquetFooter', () => {
	const whole = data('flights-3m.parquet');
	const cases: { name: string; file: Uint8Array; ok: boolean; says?: RegExp }[] = [
		{ name: 'a whole file', file: whole, ok: true },
		{ name: 'cut off at the end', file: whole.subarray(0, whole.length - 100), ok: false, says: /truncated/ },
		{ name: 'too short to hold a footer', file: text('PAR1PAR1'), ok: false, says: /truncated/ },
		{
			name: 'footer longer than the file',
			file: new Uint8Array([...text('PAR1'), ...Array(8).fill(0), 0xff, 0xff, 0, 0, ...text('PAR1')]),
			ok: false,
			says: /damaged/
		}
	];
	it.each(cases)('$name', ({ file, ok, says }) => {
		const result = checkParquetFooter(file, 'x.parquet');
		expect(result.ok).toBe(ok);
		if (says) expect(!result.ok && result.message).toMatch(says);
	});
});

describe('checkUtf8', () => {
	const cases: {
		name: string;
		input: Uint8Array;
		at?: { line: number; column: number; byteOffset: number };
	}[] = [
		{ name: 'ASCII', input: text('a,b\n1,2\n') },
		{ name: 'multi-byte text', input: text('café,€,😀\n中文\n') },
		{ name: 'empty', input: bytes() },
		{
			name: 'Latin-1 é on line 2',
			input: bytes(0x61, 0x0a, 0x62, 0x63, 0xe9, 0x64),
			at: { line: 2, column: 3, byteOffset: 4 }
		},
		{
			name: 'after multi-byte characters',
			input: new Uint8Array([...text('é€'), 0xff]),
			at: { line: 1, column: 3, byteOffset: 5 }
		},
		{ name: 'lone continuation byte', input: bytes(0x80), at: { line: 1, column: 1, byteOffset: 0 } },
		{ name: 'overlong encoding', input: bytes(0x41, 0xc0, 0xaf), at: { line: 1, column: 2, byteOffset: 1 } },
		{ name: 'encoded surrogate', input: bytes(0xed, 0xa0, 0x80), at: { line: 1, column: 1, byteOffset: 0 } },
		{
			name: 'truncated at the end',
			input: bytes(0x41, 0x0a, 0xe2, 0x82),
			at: { line: 2, column: 1, byteOffset: 2 }
		}
	];
	it.each(cases)('$name', ({ input, at }) => {
		expect(checkUtf8(input)).toEqual(at ? { ok: false, ...at } : { ok: true });
	});

	it('finds a bad byte across a chunk boundary in a large file', () => {
		const big = new Uint8Array(3 * (1 << 20) + 10).fill(0x61);
		for (let i = 99; i < big.length; i += 100) big[i] = 0x0a;
		// A 3-byte € straddling the first 1 MiB boundary, and a bad byte later.
		big.set(text('€'), (1 << 20) - 1);
		big[2 * (1 << 20) + 5] = 0xff;
		const result = checkUtf8(big);
		expect(result).toMatchObject({ ok: false, byteOffset: 2 * (1 << 20) + 5 });
	});

	it('agrees with the fatal TextDecoder on random bytes', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 40 }), (input) => {
				let valid = true;
				try {
					new TextDecoder('utf-8', { fatal: true }).decode(input);
				} catch {
					valid = false;
				}
				expect(checkUtf8(input).ok).toBe(valid);
			})
		);
	});
});

describe('tableNameFromFile', () => {
	const cases: { file: string; taken?: string[]; name: string }[] = [
		{ file: 'penguins.csv', name: 'penguins' },
		{ file: 'seattle-weather.csv', name: 'seattle_weather' },
		{ file: 'My Data (2).csv', name: 'my_data_2' },
		{ file: 'my data.csv', taken: ['My_Data'], name: 'my_data_2' },
		{ file: 'my data.csv', taken: ['my_data', 'my_data_2'], name: 'my_data_3' },
		{ file: '2024 sales.parquet', name: 't_2024_sales' },
		{ file: 'select.csv', name: 't_select' },
		{ file: 'Order.json', name: 't_order' },
		{ file: 'table.csv', name: 't_table' },
		{ file: 'left.csv', name: 't_left' },
		{ file: 'values.csv', name: 'values' },
		{ file: 'logs.csv.gz', name: 'logs' },
		{ file: 'C:\\Users\\me\\Café Menu.csv', name: 'cafe_menu' },
		{ file: 'données.tsv', name: 'donnees' },
		{ file: '中文.csv', name: 'data' },
		{ file: '.csv', name: 'data' },
		{ file: 'v1.2_data.csv', name: 'v1_2_data' },
		{ file: `${'x'.repeat(80)}.csv`, taken: ['x'.repeat(63)], name: `${'x'.repeat(61)}_2` }
	];
	it.each(cases)('$file → $name', ({ file, taken = [], name }) => {
		expect(tableNameFromFile(file, taken)).toBe(name);
	});

	it('always gives a schema-valid name that is not taken', () => {
		fc.assert(
			fc.property(fc.string(), fc.array(fc.string({ maxLength: 8 })), (file, taken) => {
				const name = tableNameFromFile(file, taken);
				expect(name).toMatch(/^[a-z_][a-z0-9_]{0,62}$/);
				expect(taken.map((t) => t.toLowerCase())).not.toContain(name);
			})
		);
	});
});
