import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tableFromIPC, type Table } from 'apache-arrow';
import { arrowToIpcStream, jsonToArrow } from '../../src/lib/data/json-arrow';

const dataset = (name: string) => readFileSync(`node_modules/vega-datasets/data/${name}`, 'utf8');
const schemaOf = (table: Table) => table.schema.fields.map((f) => `${f.name}: ${f.type}`);

describe('jsonToArrow on vega-datasets', () => {
	it('penguins.json: 344 rows, nulls kept, integer columns as Int32', () => {
		const table = jsonToArrow(dataset('penguins.json'));
		expect(table.numRows).toBe(344);
		expect(schemaOf(table)).toEqual([
			'Species: Utf8',
			'Island: Utf8',
			'Beak Length (mm): Float64',
			'Beak Depth (mm): Float64',
			'Flipper Length (mm): Int32',
			'Body Mass (g): Int32',
			'Sex: Utf8'
		]);
		expect(table.get(0)?.toJSON()).toMatchObject({ Species: 'Adelie', 'Body Mass (g)': 3750, Sex: 'MALE' });
		const row3 = table.get(3)!.toJSON();
		expect(row3['Body Mass (g)']).toBeNull();
		expect(row3.Sex).toBeNull();
		expect(table.getChild('Body Mass (g)')!.nullCount).toBe(2);
	});

	it('cars.json: 406 rows, dates stay strings', () => {
		const table = jsonToArrow(dataset('cars.json'));
		expect(table.numRows).toBe(406);
		expect(schemaOf(table)).toContain('Year: Utf8');
		expect(schemaOf(table)).toContain('Cylinders: Int32');
		expect(schemaOf(table)).toContain('Miles_per_Gallon: Float64');
		expect(table.getChild('Year')!.get(0)).toBe('1970-01-01');
	});

	it('the same rows as NDJSON give the same table', () => {
		const rows = JSON.parse(dataset('penguins.json')) as object[];
		const ndjson = rows.map((r) => JSON.stringify(r)).join('\r\n') + '\n\n';
		const a = jsonToArrow(ndjson);
		const b = jsonToArrow(dataset('penguins.json'));
		expect(schemaOf(a)).toEqual(schemaOf(b));
		expect(a.toArray().map((r) => r.toJSON())).toEqual(b.toArray().map((r) => r.toJSON()));
	});

	it('survives the IPC stream round trip', () => {
		const table = jsonToArrow(dataset('cars.json'));
		const back = tableFromIPC(arrowToIpcStream(table));
		expect(back.numRows).toBe(406);
		expect(schemaOf(back)).toEqual(schemaOf(table));
	});
});

describe('jsonToArrow type inference', () => {
	const cases: { name: string; json: unknown[]; type: string; values: unknown[] }[] = [
		{ name: 'small integers → Int32', json: [{ x: 1 }, { x: -2 }], type: 'Int32', values: [1, -2] },
		{ name: 'past int32 → Float64', json: [{ x: 1 }, { x: 2 ** 31 }], type: 'Float64', values: [1, 2 ** 31] },
		{ name: 'fractions → Float64', json: [{ x: 1 }, { x: 1.5 }], type: 'Float64', values: [1, 1.5] },
		{ name: 'booleans → Bool', json: [{ x: true }, { x: false }], type: 'Bool', values: [true, false] },
		{
			name: 'strings → Utf8',
			json: [{ x: 'a' }, { x: '2024-01-01' }],
			type: 'Utf8',
			values: ['a', '2024-01-01']
		},
		{
			name: 'mixed → Utf8 text',
			json: [{ x: 1 }, { x: 'a' }, { x: true }],
			type: 'Utf8',
			values: ['1', 'a', 'true']
		},
		{
			name: 'nested → JSON text',
			json: [{ x: { a: [1] } }, { x: [1, 'b'] }],
			type: 'Utf8',
			values: ['{"a":[1]}', '[1,"b"]']
		},
		{
			name: 'missing and null → null',
			json: [{ x: 1 }, {}, { x: null }],
			type: 'Int32',
			values: [1, null, null]
		},
		{ name: 'only nulls → Utf8', json: [{ x: null }, { x: null }], type: 'Utf8', values: [null, null] }
	];
	it.each(cases)('$name', ({ json, type, values }) => {
		const table = jsonToArrow(JSON.stringify(json));
		const column = table.getChild('x')!;
		expect(String(column.type)).toBe(type);
		expect(column.toArray().length === values.length && [...column]).toEqual(values);
	});

	it('orders columns by first sighting across rows', () => {
		const table = jsonToArrow('[{"b":1,"a":2},{"c":3,"a":5},{"d":1}]');
		expect(table.schema.fields.map((f) => f.name)).toEqual(['b', 'a', 'c', 'd']);
	});

	it('puts integer-like keys first within a row, as JSON.parse does (known limit)', () => {
		const table = jsonToArrow('[{"b":1,"10":2}]');
		expect(table.schema.fields.map((f) => f.name)).toEqual(['10', 'b']);
	});

	it('renames keys that differ only in case, and the empty key', () => {
		const table = jsonToArrow('[{"id":1,"ID":2,"":3}]');
		expect(table.schema.fields.map((f) => f.name)).toEqual(['id', 'ID_2', 'column']);
	});

	it('reads one object per line even when the file claims to be .json', () => {
		expect(jsonToArrow('{"a":1}\n{"a":2}', { format: 'json' }).numRows).toBe(2);
	});

	it('reads an array even when the file claims to be NDJSON', () => {
		expect(jsonToArrow('[\n{"a":1},\n{"a":2}\n]', { format: 'ndjson' }).numRows).toBe(2);
	});

	it('accepts a UTF-8 BOM', () => {
		expect(jsonToArrow('\uFEFF[{"a":1}]').numRows).toBe(1);
	});
});

describe('jsonToArrow errors', () => {
	const cases: { name: string; text: string; format?: 'json' | 'ndjson'; says: RegExp }[] = [
		{ name: 'empty array', text: '[]', says: /^no rows/ },
		{ name: 'blank NDJSON', text: '\n\n', says: /^no rows/ },
		{ name: 'top-level object', text: '{\n  "rows": [1]\n}', says: /top-level value is an object/ },
		{
			name: 'pretty-printed object claimed as json',
			text: '{\n  "a": 1\n}',
			format: 'json',
			says: /top-level value is an object/
		},
		{ name: 'top-level number', text: '42', format: 'json', says: /^line 1 is a number/ },
		{ name: 'element not an object', text: '[{"a":1}, {"a":2}, [3]]', says: /element 2 is an array/ },
		{ name: 'null element', text: '[null]', says: /element 0 is null/ },
		{ name: 'broken JSON', text: '[{"a":1},\n]', says: /^not valid JSON at line 2, column 1: / },
		{ name: 'broken NDJSON line', text: '{"a":1}\n{"a":2}\n  {"a":}\n', says: /^line 3, column 8: / },
		{ name: 'broken first NDJSON line', text: '{"a":1,}\n{"a":2}', says: /^line 1, column 8: / },
		{ name: 'NDJSON line not an object', text: '{"a":1}\n\n"x"\n', says: /^line 3 is a string/ }
	];
	it.each(cases)('$name', ({ text, format, says }) => {
		let error: Error | undefined;
		try {
			jsonToArrow(text, { format });
		} catch (e) {
			error = e as Error;
		}
		expect(error?.name).toBe('JsonFormatError');
		expect(error?.message).toMatch(says);
	});
});
