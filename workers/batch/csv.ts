/**
 * A CSV reader (RFC 4180: `,` between fields, `"` around a field that holds commas, quotes or line breaks, `""` for
 * a quote inside one; LF or CRLF between records) that works on bytes, so a file can be read in pieces: a record
 * ends only at a line break outside quotes, and the reader says where the last complete record ended, so the next
 * piece (an R2 range read, the next chunk of an upload) starts there. The separators are ASCII, which never occur
 * inside a multi-byte UTF-8 sequence, so a byte scan finds them without decoding. Blank lines are skipped. Pure: no
 * runtime imports, tested in Node (tests/batch/csv.test.ts).
 */

const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

export class CsvFormatError extends Error {
	constructor(
		message: string,
		/** The 1-based line of the file where the faulty record starts, when known. */
		readonly line?: number
	) {
		super(message);
		this.name = 'CsvFormatError';
	}
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function text(buf: Uint8Array, start: number, end: number, quoted: boolean): string {
	if (end - start < 48) {
		let s = '';
		for (let i = start; i < end; i++) {
			const b = buf[i];
			if (b >= 0x80) return decodeSlow(buf, start, end, quoted);
			s += String.fromCharCode(b);
		}
		return quoted ? s.replace(/""/g, '"') : s;
	}
	return decodeSlow(buf, start, end, quoted);
}

function decodeSlow(buf: Uint8Array, start: number, end: number, quoted: boolean): string {
	let s: string;
	try {
		s = decoder.decode(buf.subarray(start, end));
	} catch {
		throw new CsvFormatError('the file is not UTF-8 text');
	}
	return quoted ? s.replace(/""/g, '"') : s;
}

export interface Scan {
	/** The records found, each its fields as text (empty field: ''). */
	records: string[][];
	/** The 1-based line where each record starts. */
	lines: number[];
	/** The offset just past the last complete record (and its line break): where the next read starts. */
	end: number;
	/** Lines passed, counting from the start offset: add to the line the read started at. */
	linesRead: number;
}

/**
 * The complete records in `buf` from `from`, at most `max`. With `eof` false, a last record without its line
 * break is left for the next read (it may go on there); with `eof` true it counts. `firstLine` is the 1-based line
 * at `from`, for messages. A quote that opens and never closes at the end of the file is a CsvFormatError, as is a
 * quote inside an unquoted field or text after a closing quote.
 */
export function scanRecords(
	buf: Uint8Array,
	from: number,
	opts: { max?: number; eof: boolean; firstLine?: number; decode?: boolean }
): Scan {
	const max = opts.max ?? Infinity;
	const decode = opts.decode ?? true;
	const firstLine = opts.firstLine ?? 1;
	const records: string[][] = [];
	const lines: number[] = [];
	let line = firstLine;
	let end = from;
	let endLine = line;
	let i = from;
	const n = buf.length;
	outer: while (i < n && records.length < max) {
		const recordLine = line;
		// A blank line (LF or CRLF alone) is no record.
		if (buf[i] === LF || (buf[i] === CR && buf[i + 1] === LF)) {
			if (buf[i] === CR && i + 1 >= n && !opts.eof) break;
			i += buf[i] === CR ? 2 : 1;
			line++;
			end = i;
			endLine = line;
			continue;
		}
		const fields: string[] = [];
		let fieldCount = 0;
		for (;;) {
			// One field, starting at i.
			let value = '';
			if (buf[i] === QUOTE) {
				const start = i + 1;
				let j = start;
				let closed = -1;
				while (j < n) {
					const b = buf[j];
					if (b === QUOTE) {
						if (buf[j + 1] === QUOTE) {
							j += 2;
							continue;
						}
						if (j + 1 >= n && !opts.eof) break; // the next read decides whether `""` follows
						closed = j;
						break;
					}
					if (b === LF) line++;
					j++;
				}
				if (closed < 0) {
					if (opts.eof)
						throw new CsvFormatError(
							`a quoted field opened on line ${recordLine} is never closed`,
							recordLine
						);
					break outer;
				}
				if (decode) value = text(buf, start, closed, true);
				i = closed + 1;
				const after = buf[i];
				if (i < n && after !== COMMA && after !== LF && after !== CR)
					throw new CsvFormatError(
						`line ${line}: text after a closing quote (a quote inside a field must be doubled: "")`,
						recordLine
					);
			} else {
				const start = i;
				while (i < n) {
					const b = buf[i];
					if (b === COMMA || b === LF || b === CR) break;
					if (b === QUOTE)
						throw new CsvFormatError(
							`line ${line}: a quote inside an unquoted field (quote the whole field and double the quote: "")`,
							recordLine
						);
					i++;
				}
				// Unfinished (it may go on in the next read, mid-character even): decoded when it is complete.
				if (i >= n && !opts.eof) {
					break outer;
				}
				if (decode) value = text(buf, start, i, false);
			}
			if (decode) fields.push(value);
			fieldCount++;
			// After a field: a comma (another field), a line break (the record ends), or the end of the bytes.
			if (i >= n) {
				if (!opts.eof) {
					break outer;
				}
				break;
			}
			if (buf[i] === COMMA) {
				i++;
				if (i >= n) {
					if (!opts.eof) {
						break outer;
					}
					if (decode) fields.push('');
					fieldCount++;
					break;
				}
				continue;
			}
			if (buf[i] === CR) {
				if (i + 1 >= n && !opts.eof) {
					break outer;
				}
				i += buf[i + 1] === LF ? 2 : 1;
			} else i++; // LF
			line++;
			break;
		}
		records.push(decode ? fields : new Array<string>(fieldCount));
		lines.push(recordLine);
		end = i;
		endLine = line;
	}
	return { records, lines, end, linesRead: endLine - firstLine };
}

/** The header's column names: present, none blank, none twice. */
export function checkHeader(header: string[] | undefined): string[] {
	if (!header || header.length === 0) throw new CsvFormatError('the file is empty: no header line');
	const seen = new Set<string>();
	header.forEach((raw, i) => {
		const name = raw.trim();
		if (!name) throw new CsvFormatError(`the header's column ${i + 1} has no name`, 1);
		if (seen.has(name)) throw new CsvFormatError(`the header names the column "${name}" twice`, 1);
		seen.add(name);
	});
	return header.map((h) => h.trim());
}

/** The byte-order mark's length at the start of a UTF-8 file (3), or 0. */
export const bomLength = (buf: Uint8Array) => (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0);

/** What a CSV check found: its columns, rows, and where its data starts (after the BOM and the header). */
export interface CsvInfo {
	columns: string[];
	rows: number;
	bytes: number;
	dataStart: number;
	dataLine: number;
}

/**
 * Checks a CSV as its bytes pass (a stream's chunks, in order): UTF-8, a header with named, distinct columns, and
 * every record as wide as the header. `push` throws the first problem naming the line; `end`
 * answers the columns and the row count. Problems are CsvFormatErrors. Holds only the unfinished last record between chunks.
 */
export class CsvInspector {
	#rest: Uint8Array = new Uint8Array(0);
	#offset = 0; // file offset of #rest[0]
	#line = 1;
	#columns: string[] | null = null;
	#rows = 0;
	#dataStart = 0;
	#dataLine = 2;
	#utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
	#first = true;

	/** The first problem found, kept: a stream that errors with it may hand its consumer another error. */
	failure: unknown = null;

	push(chunk: Uint8Array, eof = false): void {
		if (this.failure) throw this.failure;
		try {
			this.#push(chunk, eof);
		} catch (e) {
			this.failure = e;
			throw e;
		}
	}

	#push(chunk: Uint8Array, eof: boolean): void {
		try {
			this.#utf8.decode(chunk, { stream: !eof });
		} catch {
			throw new CsvFormatError(
				`the file is not UTF-8 text (near byte ${this.#offset + this.#rest.length}); a Parquet file is sent as application/vnd.apache.parquet`
			);
		}
		let buf = chunk;
		if (this.#rest.length) {
			buf = new Uint8Array(this.#rest.length + chunk.length);
			buf.set(this.#rest);
			buf.set(chunk, this.#rest.length);
		}
		let from = 0;
		if (this.#first) {
			if (buf.length < 3 && !eof) {
				this.#rest = buf;
				return;
			}
			from = bomLength(buf);
			this.#first = false;
		}
		if (!this.#columns) {
			const head = scanRecords(buf, from, { max: 1, eof, firstLine: this.#line });
			if (!head.records.length) {
				if (eof) throw new CsvFormatError('the file is empty: no header line');
				this.#rest = buf.slice(from);
				this.#offset += from;
				return;
			}
			this.#columns = checkHeader(head.records[0]);
			this.#line += head.linesRead;
			from = head.end;
			this.#dataStart = this.#offset + from;
			this.#dataLine = this.#line;
		}
		const width = this.#columns.length;
		const scan = scanRecords(buf, from, { eof, firstLine: this.#line, decode: false });
		scan.records.forEach((r, k) => {
			if (r.length !== width)
				throw new CsvFormatError(
					`row ${this.#rows + k} (line ${scan.lines[k]}) has ${r.length} field${r.length === 1 ? '' : 's'}; the header has ${width}`,
					scan.lines[k]
				);
		});
		this.#rows += scan.records.length;
		this.#line += scan.linesRead;
		this.#offset += scan.end;
		this.#rest = buf.slice(scan.end);
	}

	end(bytes: number): CsvInfo {
		this.push(new Uint8Array(0), true);
		return {
			columns: this.#columns ?? [],
			rows: this.#rows,
			bytes,
			dataStart: this.#dataStart,
			dataLine: this.#dataLine
		};
	}
}
