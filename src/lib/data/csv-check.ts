/**
 * A strict structural check of CSV/TSV bytes before DuckDB reads them. DuckDB's sniffer is forgiving: a ragged
 * file or a broken quote can "succeed" as one wide text column. Users want to hear which line is wrong instead,
 * so the delimiter is chosen here and every record is checked against the header's field count (RFC 4180).
 */

export type CsvCheck =
	| { ok: true; delimiter: string; columns: number; records: number }
	| {
			ok: false;
			code: 'RaggedRows' | 'UnterminatedQuote' | 'BadQuote' | 'LineTooLong';
			message: string;
			line: number;
	  };

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const CANDIDATES = [0x2c, 0x3b, 0x09, 0x7c]; // , ; tab |

/** The most frequent candidate outside quotes on the header line; a comma when the header has none. */
export function sniffDelimiter(bytes: Uint8Array): number {
	const counts = new Map<number, number>(CANDIDATES.map((c) => [c, 0]));
	let quoted = false;
	for (let i = 0; i < bytes.length; i++) {
		const b = bytes[i];
		if (b === QUOTE) quoted = !quoted;
		else if (!quoted && (b === LF || b === CR)) break;
		else if (!quoted && counts.has(b)) counts.set(b, counts.get(b)! + 1);
	}
	let best = 0x2c;
	for (const [c, n] of counts) if (n > (counts.get(best) ?? 0)) best = c;
	return best;
}

export function checkCsv(bytes: Uint8Array, opts: { delimiter?: number; maxLineBytes: number }): CsvCheck {
	const delim = opts.delimiter ?? sniffDelimiter(bytes);
	let line = 1;
	let lineStart = 0;
	let fields = 1;
	let columns = -1;
	let records = 0;
	let recordLine = 1;
	let fieldStart = true;
	let quoted = false;
	let quoteLine = 0;
	const n = bytes.length;
	const endRecord = (): CsvCheck | null => {
		const blank = fields === 1 && fieldStart;
		if (!blank) {
			if (columns === -1) columns = fields;
			else if (fields !== columns) {
				return {
					ok: false,
					code: 'RaggedRows',
					line: recordLine,
					message: `line ${recordLine} has ${fields} field${fields === 1 ? '' : 's'}, but the header has ${columns}.`
				};
			}
			records++;
		}
		fields = 1;
		fieldStart = true;
		return null;
	};
	for (let i = 0; i < n; i++) {
		const b = bytes[i];
		if (quoted) {
			if (b === QUOTE) {
				if (bytes[i + 1] === QUOTE) i++;
				else {
					quoted = false;
					const next = bytes[i + 1];
					if (i + 1 < n && next !== delim && next !== LF && next !== CR) {
						return {
							ok: false,
							code: 'BadQuote',
							line,
							message: `line ${line}, column ${i + 2 - lineStart}: a closing quote must be followed by the delimiter or the end of the line.`
						};
					}
				}
			} else if (b === LF) {
				line++;
				lineStart = i + 1;
			}
			continue;
		}
		if (b === QUOTE && fieldStart) {
			quoted = true;
			quoteLine = line;
			fieldStart = false;
		} else if (b === delim) {
			fields++;
			fieldStart = true;
		} else if (b === LF || b === CR) {
			if (i - lineStart > opts.maxLineBytes) return lineTooLong(line, i - lineStart, opts.maxLineBytes);
			const err = endRecord();
			if (err) return err;
			if (b === CR && bytes[i + 1] === LF) i++;
			line++;
			lineStart = i + 1;
			recordLine = line;
		} else {
			fieldStart = false;
		}
	}
	if (quoted) {
		return {
			ok: false,
			code: 'UnterminatedQuote',
			line: quoteLine,
			message: `the quoted field that starts on line ${quoteLine} is never closed.`
		};
	}
	if (n - lineStart > opts.maxLineBytes) return lineTooLong(line, n - lineStart, opts.maxLineBytes);
	const err = endRecord();
	if (err) return err;
	return { ok: true, delimiter: String.fromCharCode(delim), columns: Math.max(columns, 0), records };
}

function lineTooLong(line: number, bytes: number, max: number): CsvCheck {
	const mb = (x: number) => `${(x / (1 << 20)).toFixed(1)} MB`;
	return {
		ok: false,
		code: 'LineTooLong',
		line,
		message: `line ${line} is ${mb(bytes)} long; lines may be at most ${mb(max)}. Is this really a CSV file?`
	};
}

/**
 * The line on which record `index` starts (record 0 is the header), counted as checkCsv counts: blank lines
 * are no records and a quoted field may span lines. Used to name the line of a value found after loading.
 */
export function lineOfRecord(bytes: Uint8Array, delimiter: number, index: number): number {
	let line = 1;
	let start = 1;
	let record = 0;
	let blank = true;
	let fieldStart = true;
	let quoted = false;
	for (let i = 0; i < bytes.length; i++) {
		const b = bytes[i];
		if (quoted) {
			if (b === QUOTE && bytes[i + 1] === QUOTE) i++;
			else if (b === QUOTE) quoted = false;
			else if (b === LF) line++;
			continue;
		}
		if (b === LF || b === CR) {
			if (!blank) {
				if (record === index) return start;
				record++;
			}
			if (b === CR && bytes[i + 1] === LF) i++;
			line++;
			start = line;
			blank = true;
			fieldStart = true;
			continue;
		}
		if (b === QUOTE && fieldStart) quoted = true;
		fieldStart = b === delimiter;
		blank = false;
	}
	return start;
}
