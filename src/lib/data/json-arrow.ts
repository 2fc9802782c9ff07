import {
	Bool,
	Field,
	Float64,
	Int32,
	RecordBatch,
	Schema,
	Struct,
	Table,
	Utf8,
	makeBuilder,
	makeData,
	tableToIPC,
	type DataType
} from 'apache-arrow';
import { jsonErrorOffset, jsonErrorWhere } from './json-position';

/**
 * JSON and NDJSON → Arrow, because DuckDB-WASM's json extension is downloaded at run time and the app works
 * offline. Deliberately strict: an array of objects, or one object per line; anything else is an error that
 * says where, rather than a table of surprises.
 *
 * Types follow the values: numbers → Int32 when every one is an integer in int32 range, else Float64; booleans
 * → Bool; strings → Utf8 (ISO dates stay strings: SQL can cast them, guessing could mangle them); objects and
 * arrays → Utf8 holding their JSON text; a column mixing kinds → Utf8 with each value as text; a column with
 * no values at all → Utf8, since DuckDB needs a concrete type. Integers past 2^53 are already rounded by
 * JSON.parse.
 */

export type JsonFormat = 'json' | 'ndjson';

function formatError(message: string): Error {
	const error = new Error(message);
	error.name = 'JsonFormatError';
	return error;
}

const kindOf = (value: unknown) =>
	value === null
		? 'null'
		: Array.isArray(value)
			? 'an array'
			: typeof value === 'object'
				? 'an object'
				: `a ${typeof value}`;
const isRow = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

function asRows(value: unknown): Record<string, unknown>[] {
	if (!Array.isArray(value)) {
		throw formatError(
			`the top-level value is ${kindOf(value)}; expected an array of objects (or one object per line)`
		);
	}
	value.forEach((row, i) => {
		if (!isRow(row)) throw formatError(`element ${i} is ${kindOf(row)}; expected an object`);
	});
	return value;
}

function parseArray(text: string): Record<string, unknown>[] {
	try {
		return asRows(JSON.parse(text));
	} catch (e) {
		if ((e as Error).name === 'JsonFormatError') throw e;
		throw formatError(`not valid JSON${jsonErrorWhere(text)}: ${(e as Error).message}`);
	}
}

function parseWhole(text: string): { value: unknown } | null {
	try {
		return { value: JSON.parse(text) };
	} catch {
		return null;
	}
}

function parseLines(text: string): Record<string, unknown>[] {
	const rows: Record<string, unknown>[] = [];
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i].trim();
		if (line === '') continue;
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch (e) {
			// A pretty-printed document fails on its first line: judge it as the one JSON value it is.
			const whole = rows.length === 0 ? parseWhole(text) : null;
			if (whole) return asRows(whole.value);
			const at = jsonErrorOffset(line);
			const where = at === -1 ? '' : `, column ${lines[i].indexOf(line) + at + 1}`;
			throw formatError(`line ${i + 1}${where}: ${(e as Error).message}`);
		}
		if (!isRow(value)) throw formatError(`line ${i + 1} is ${kindOf(value)}; expected an object`);
		rows.push(value);
	}
	return rows;
}

interface Column {
	name: string;
	values: unknown[];
	numbers: number;
	int32: boolean;
	booleans: number;
	strings: number;
	nested: number;
}

/** Unique case-insensitively: DuckDB would refuse `a` and `A` as two columns of one table. */
function uniqueName(key: string, taken: Set<string>): string {
	const base = key === '' ? 'column' : key;
	let name = base;
	for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
	taken.add(name.toLowerCase());
	return name;
}

function collect(rows: Record<string, unknown>[]): Column[] {
	const columns = new Map<string, Column>();
	const taken = new Set<string>();
	rows.forEach((row, r) => {
		for (const [key, value] of Object.entries(row)) {
			let column = columns.get(key);
			if (!column) {
				const name = uniqueName(key, taken);
				column = { name, values: [], numbers: 0, int32: true, booleans: 0, strings: 0, nested: 0 };
				columns.set(key, column);
			}
			column.values[r] = value;
			if (typeof value === 'number') {
				column.numbers++;
				column.int32 &&= Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31;
			} else if (typeof value === 'boolean') column.booleans++;
			else if (typeof value === 'string') column.strings++;
			else if (value !== null && value !== undefined) column.nested++;
		}
	});
	return [...columns.values()];
}

function typeOf(c: Column): DataType {
	const kinds = [c.numbers, c.booleans, c.strings, c.nested].filter((n) => n > 0).length;
	if (kinds === 1 && c.numbers) return c.int32 ? new Int32() : new Float64();
	if (kinds === 1 && c.booleans) return new Bool();
	return new Utf8();
}

const asText = (value: unknown) =>
	value === null || value === undefined
		? null
		: typeof value === 'object'
			? JSON.stringify(value)
			: String(value);

/**
 * Parse JSON (an array of objects) or NDJSON (one object per line) into an Arrow table, columns in first-seen
 * order. The content decides which, not `format` (what the file's extension claims): `.json` files holding one
 * object per line are common, and detectFormat may have seen too little of the file to tell. A single object
 * on one line is thus a one-row NDJSON file; spread over lines it is refused as a top-level object.
 */
export function jsonToArrow(text: string, _options: { format?: JsonFormat } = {}): Table {
	const body = text.replace(/^\uFEFF/, '');
	const rows = body.trimStart().startsWith('[') ? parseArray(body) : parseLines(body);
	if (rows.length === 0) throw formatError('no rows: the file holds no objects');

	const columns = collect(rows);
	const fields = columns.map((c) => new Field(c.name, typeOf(c), true));
	const children = columns.map((c, i) => {
		const type = fields[i].type;
		const builder = makeBuilder({ type, nullValues: [null, undefined] });
		const convert = type instanceof Utf8 ? asText : (v: unknown) => v;
		for (let r = 0; r < rows.length; r++) builder.append(convert(c.values[r]));
		return builder.finish().toVector().data[0];
	});
	const struct = makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children });
	return new Table([new RecordBatch(new Schema(fields), struct)]);
}

/** Arrow IPC stream bytes, the form DuckDB-WASM's `insertArrowFromIPCStream` takes. */
export function arrowToIpcStream(table: Table): Uint8Array {
	return tableToIPC(table, 'stream');
}
