import type { BatchFormat } from '../../src/lib/contract';
import { InvalidInput } from '../domain/errors';
import { CsvFormatError, CsvInspector, scanRecords } from './csv';

export { CsvInspector };

/**
 * A batch job's input file as the job reads it: checked once as it arrives (or once from R2, for a named blob), then
 * read in chunks by R2 range reads. CSV is scanned a piece at a time, each chunk starting at the byte where the
 * previous one's last record ended; Parquet is read through hyparquet by row range, which fetches only the footer
 * and the column chunks of the row groups it needs. Memory stays bounded by a chunk, whatever the file's size.
 */

/** What the check found: the columns, the rows (Parquet and CSV both count them), where the data starts. */
export interface InputInfo {
	format: BatchFormat;
	columns: string[];
	rows: number;
	bytes: number;
	/** CSV: the byte offset of the first data record (after the BOM and the header), and its line. */
	dataStart: number;
	dataLine: number;
}

export const badFile = (format: BatchFormat, message: string, details?: Record<string, unknown>) =>
	new InvalidInput({
		message: `Invalid ${format === 'csv' ? 'CSV' : 'Parquet'} file: ${message}`,
		details: { format, ...details }
	});

export const csvError = (e: unknown) => {
	if (e instanceof CsvFormatError) return badFile('csv', e.message, e.line ? { line: e.line } : {});
	return e;
};

/** A stream that checks a CSV as it is pulled through (nothing buffered beyond the chunk in hand). */
export function inspecting(stream: ReadableStream<Uint8Array>, inspector: CsvInspector) {
	const reader = stream.getReader();
	return new ReadableStream<Uint8Array>({
		async pull(out) {
			const next = await reader.read();
			if (next.done) {
				out.close();
				return;
			}
			try {
				inspector.push(next.value);
			} catch (e) {
				throw csvError(e);
			}
			out.enqueue(next.value);
		},
		async cancel(reason) {
			await reader.cancel(reason);
		}
	});
}

/** Checks a CSV already stored (a named blob) by streaming it once. */
export async function inspectStoredCsv(bucket: R2Bucket, key: string): Promise<InputInfo> {
	const obj = await bucket.get(key);
	if (!obj) throw new Error(`The object ${key} vanished while it was checked.`);
	const inspector = new CsvInspector();
	const reader = obj.body.getReader();
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			inspector.push(value);
		}
	} catch (e) {
		await reader.cancel().catch(() => {});
		throw csvError(e);
	}
	return csvInfo(inspector, obj.size);
}

/** The inspector's findings at the end of the file, as a job's input (its problems as InvalidInput). */
export function csvInfo(inspector: CsvInspector, bytes: number): InputInfo {
	try {
		return { format: 'csv', ...inspector.end(bytes) };
	} catch (e) {
		throw csvError(e);
	}
}

/** hyparquet's file: byte ranges read from R2 as it asks for them. */
export function r2File(bucket: R2Bucket, key: string, size: number) {
	return {
		byteLength: size,
		async slice(start: number, end?: number): Promise<ArrayBuffer> {
			const length = (end ?? size) - start;
			const obj = await bucket.get(key, { range: { offset: start, length } });
			if (!obj) throw new Error(`The object ${key} vanished while it was read.`);
			return obj.arrayBuffer();
		}
	};
}

/** The Parquet footer: columns and rows, or InvalidInput when the bytes are not a Parquet file. */
export async function inspectParquet(bucket: R2Bucket, key: string, size: number): Promise<InputInfo> {
	const { parquetMetadataAsync, parquetSchema } = await import('hyparquet');
	if (size < 12) throw badFile('parquet', `${size} bytes is too short to be a Parquet file`);
	let columns: string[];
	let rows: number;
	try {
		const meta = await parquetMetadataAsync(r2File(bucket, key, size));
		columns = parquetSchema(meta).children.map((c) => c.element.name);
		rows = Number(meta.num_rows);
	} catch (e) {
		throw badFile('parquet', `${(e as Error).message ?? e}`);
	}
	return { format: 'parquet', columns, rows, bytes: size, dataStart: 0, dataLine: 0 };
}

/** One chunk of records: each a row of column → value, and where the next chunk starts. */
export interface Chunk {
	rows: Record<string, unknown>[];
	/** The 1-based line of the file each row starts on (CSV), for messages; empty for Parquet. */
	lines: number[];
	nextByte: number;
	nextLine: number;
}

/**
 * Up to `max` CSV records from byte `offset` (a record boundary) as rows of text ('' is null), reading ranges of
 * about `guess` bytes and more where the records are longer than that.
 */
export async function readCsvChunk(
	bucket: R2Bucket,
	key: string,
	o: { size: number; columns: string[]; offset: number; line: number; max: number; guess: number }
): Promise<Chunk> {
	let buf = new Uint8Array(0);
	let read = o.offset;
	let want = Math.max(64 * 1024, o.guess);
	for (;;) {
		const length = Math.min(want, o.size - read);
		if (length > 0) {
			const obj = await bucket.get(key, { range: { offset: read, length } });
			if (!obj) throw new Error(`The object ${key} vanished while it was read.`);
			const more = new Uint8Array(await obj.arrayBuffer());
			const joined = new Uint8Array(buf.length + more.length);
			joined.set(buf);
			joined.set(more, buf.length);
			buf = joined;
			read += more.length;
		}
		const eof = read >= o.size;
		let scan;
		try {
			scan = scanRecords(buf, 0, { max: o.max, eof, firstLine: o.line });
		} catch (e) {
			throw csvError(e);
		}
		if (scan.records.length >= o.max || eof) {
			const rows = scan.records.map((r, k) => {
				if (r.length !== o.columns.length)
					throw badFile(
						'csv',
						`line ${scan.lines[k]} has ${r.length} fields; the header has ${o.columns.length}`,
						{
							line: scan.lines[k]
						}
					);
				const row: Record<string, unknown> = {};
				o.columns.forEach((c, j) => (row[c] = r[j] === '' ? null : r[j]));
				return row;
			});
			return { rows, lines: scan.lines, nextByte: o.offset + scan.end, nextLine: o.line + scan.linesRead };
		}
		want *= 2;
	}
}

/** A Parquet value as JSON: int64 as a number (text past 2^53), dates as ISO text, bytes as text. */
function jsonValue(v: unknown): unknown {
	if (typeof v === 'bigint')
		return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
	if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
	if (v instanceof Uint8Array) return new TextDecoder().decode(v);
	if (typeof v === 'number' && !Number.isFinite(v)) return null;
	if (Array.isArray(v)) return v.map(jsonValue);
	if (v !== null && typeof v === 'object')
		return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonValue(x)]));
	return v ?? null;
}

/** Rows [start, end) of a Parquet file, values made JSON-safe. */
export async function readParquetChunk(
	bucket: R2Bucket,
	key: string,
	o: { size: number; start: number; end: number }
): Promise<Chunk> {
	const { parquetReadObjects } = await import('hyparquet');
	let raw: Record<string, unknown>[];
	try {
		raw = await parquetReadObjects({ file: r2File(bucket, key, o.size), rowStart: o.start, rowEnd: o.end });
	} catch (e) {
		throw badFile('parquet', `rows ${o.start}–${o.end - 1} could not be read: ${(e as Error).message ?? e}`);
	}
	const rows = raw.map((r) => {
		const row: Record<string, unknown> = {};
		for (const k of Object.keys(r)) row[k] = jsonValue(r[k]);
		return row;
	});
	return { rows, lines: [], nextByte: 0, nextLine: 0 };
}
