import { DataType, type Table } from 'apache-arrow';
import { dateText, timeText, timestampText } from './temporal-text';

/** A cell value the main thread can show and IndexedDB can store: no BigInt, no Arrow objects. */
export type JsonCell = string | number | boolean | null;

/**
 * Turn a window of an Arrow result into JSON-safe rows. Only the visible window is converted, so the main
 * thread never needs the Arrow library and a million-row result never leaves the worker.
 */
export function toRows(table: Table): JsonCell[][] {
	const fields = table.schema.fields;
	const vectors = fields.map((_, i) => table.getChildAt(i));
	const out: JsonCell[][] = new Array(table.numRows);
	for (let r = 0; r < table.numRows; r++) {
		const row: JsonCell[] = new Array(fields.length);
		for (let c = 0; c < fields.length; c++) row[c] = cellAt(vectors[c], r, fields[c].type);
		out[r] = row;
	}
	return out;
}

type Column = ReturnType<Table['getChildAt']>;

function cellAt(vector: Column, index: number, type: DataType): JsonCell {
	try {
		return toCell(vector?.get(index), type);
	} catch (e) {
		// Arrow refuses to turn DuckDB's infinite timestamps (the int64 extremes) into numbers: name them instead.
		if (!vector || !DataType.isTimestamp(type)) throw e;
		return rawValue(vector, index) > 0n ? 'infinity' : '-infinity';
	}
}

/** The stored integer behind a value, found in its chunk. */
function rawValue(vector: NonNullable<Column>, index: number): bigint {
	let i = index;
	for (const d of vector.data) {
		if (i < d.length) return BigInt(d.values[i] as bigint);
		i -= d.length;
	}
	return 0n;
}

export function toCell(v: unknown, type: DataType): JsonCell {
	if (v === null || v === undefined) return null;
	if (DataType.isDate(type)) return dateText(Number(v));
	if (DataType.isTimestamp(type)) return timestampText(Number(v), type.timezone);
	if (DataType.isTime(type)) return timeText(v as number | bigint, type.unit);
	// HUGEINT and DECIMAL arrive as Arrow big numbers: unscaled digits plus the type's scale.
	if (DataType.isDecimal(type)) return decimal(String(v), type.scale);
	if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
	if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
	if (v instanceof Uint8Array) return `<${v.byteLength} bytes>`;
	return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
}

function decimal(digits: string, scale: number): JsonCell {
	const negative = digits.startsWith('-');
	let d = negative ? digits.slice(1) : digits;
	if (scale > 0) {
		d = d.padStart(scale + 1, '0');
		d = `${d.slice(0, -scale)}.${d.slice(-scale)}`;
	}
	const text = (negative ? '-' : '') + d;
	const n = Number(text);
	// Exact when the number survives the round trip; otherwise keep every digit as text.
	return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER && (scale > 0 || String(n) === text)
		? n
		: text;
}
