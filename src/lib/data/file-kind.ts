/**
 * Checks on an uploaded file before DuckDB sees it, so the user reads "this Parquet file is truncated" rather
 * than an engine error about footers. Pure functions over bytes: the caller reads the head (a few KiB) or the
 * whole file as it sees fit.
 */

export { checkUtf8, type Utf8Check } from './utf8-check';
export { tableNameFromFile } from './table-name';

export const DATA_FORMATS = ['csv', 'tsv', 'parquet', 'json', 'ndjson', 'arrow'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

export type FileProblem =
	| 'empty'
	| 'unknown-extension'
	| 'compressed'
	| 'bad-magic'
	| 'not-json'
	| 'binary-text'
	| 'utf16'
	| 'truncated';

export type Checked<T> = ({ ok: true } & T) | { ok: false; code: FileProblem; message: string };

const EXTENSIONS: Record<string, DataFormat> = {
	csv: 'csv',
	tsv: 'tsv',
	tab: 'tsv',
	parquet: 'parquet',
	pq: 'parquet',
	json: 'json',
	jsonl: 'ndjson',
	ndjson: 'ndjson',
	arrow: 'arrow',
	arrows: 'arrow',
	ipc: 'arrow',
	feather: 'arrow'
};
const SUPPORTED = Object.keys(EXTENSIONS)
	.map((e) => `.${e}`)
	.join(', ');

const startsWith = (bytes: Uint8Array, magic: number[], at = 0) =>
	bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const PAR1 = ascii('PAR1');
const ARROW1 = ascii('ARROW1');
const CONTINUATION = [0xff, 0xff, 0xff, 0xff];
const GZIP = [0x1f, 0x8b];
const ZIP = ascii('PK\x03\x04');
const UTF8_BOM = [0xef, 0xbb, 0xbf];

const extensionOf = (fileName: string) => /\.([^./\\]+)$/.exec(fileName)?.[1].toLowerCase() ?? '';
const fail = (code: FileProblem, message: string) => ({ ok: false as const, code, message });

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/** Index of the first non-whitespace byte from `i`, or head.length. */
function skipSpace(head: Uint8Array, i: number): number {
	while (i < head.length && isSpace(head[i])) i++;
	return i;
}

/** Index just past the JSON value opening at `i` (an object or array), or -1 when the head ends first. */
function endOfValue(head: Uint8Array, i: number): number {
	let depth = 0;
	let inString = false;
	for (; i < head.length; i++) {
		const b = head[i];
		if (inString) {
			if (b === 0x5c) i++;
			else if (b === 0x22) inString = false;
		} else if (b === 0x22) inString = true;
		else if (b === 0x7b || b === 0x5b) depth++;
		else if ((b === 0x7d || b === 0x5d) && --depth === 0) return i + 1;
	}
	return -1;
}

/**
 * JSON text: `.json` holding an array is JSON; `.json` holding one object per line (a common export) is NDJSON,
 * told apart by a second `{` after the first object closes.
 */
function checkJson(
	fileName: string,
	format: 'json' | 'ndjson',
	head: Uint8Array
): Checked<{ format: DataFormat }> {
	const at = skipSpace(head, startsWith(head, UTF8_BOM) ? 3 : 0);
	const first = head[at];
	if (at === head.length) return fail('not-json', `${fileName} holds only whitespace`);
	if (first === 0x5b && format === 'json') return { ok: true, format };
	if (first !== 0x7b) {
		const wanted = format === 'json' ? '[ or {' : '{';
		const found = String.fromCharCode(first);
		return fail('not-json', `${fileName} should start with ${wanted}, but starts with “${found}”`);
	}
	if (format === 'ndjson') return { ok: true, format };
	const end = endOfValue(head, at);
	const next = end === -1 ? -1 : skipSpace(head, end);
	return { ok: true, format: next !== -1 && head[next] === 0x7b ? 'ndjson' : 'json' };
}

function checkText(fileName: string, format: DataFormat, head: Uint8Array): Checked<{ format: DataFormat }> {
	if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) {
		return fail('utf16', `${fileName} is saved as UTF-16; save it as UTF-8 and upload it again`);
	}
	if (head.subarray(0, 4096).includes(0)) {
		return fail('binary-text', `${fileName} contains binary data, not ${format.toUpperCase()} text`);
	}
	if (format === 'json' || format === 'ndjson') return checkJson(fileName, format, head);
	return { ok: true, format };
}

/** Decide the format from the extension, and check the first bytes agree with it. */
export function detectFormat(fileName: string, head: Uint8Array): Checked<{ format: DataFormat }> {
	if (head.length === 0) return fail('empty', `${fileName} is empty (0 bytes)`);
	if (startsWith(head, GZIP)) return fail('compressed', `${fileName} is gzip-compressed; unzip it first`);
	const ext = extensionOf(fileName);
	let format: DataFormat | undefined = EXTENSIONS[ext];
	if (!format) {
		// No known extension: the binary formats still announce themselves.
		if (startsWith(head, PAR1)) format = 'parquet';
		else if (startsWith(head, ARROW1) || startsWith(head, CONTINUATION)) format = 'arrow';
		else if (startsWith(head, ZIP))
			return fail('compressed', `${fileName} is a zip archive (or an Excel file); export it as CSV`);
		else {
			const what = ext ? `.${ext} files are not supported` : 'it has no extension';
			return fail('unknown-extension', `Cannot read ${fileName}: ${what}. Supported: ${SUPPORTED}`);
		}
	}
	switch (format) {
		case 'parquet':
			return startsWith(head, PAR1)
				? { ok: true, format }
				: fail('bad-magic', `${fileName} is not a Parquet file: it does not start with PAR1`);
		case 'arrow':
			return startsWith(head, ARROW1) || startsWith(head, CONTINUATION)
				? { ok: true, format }
				: fail('bad-magic', `${fileName} is not an Arrow IPC file or stream (Feather v1 is not supported)`);
		case 'csv':
		case 'tsv':
		case 'json':
		case 'ndjson':
			return checkText(fileName, format, head);
	}
}

/** A Parquet file's last 8 bytes are the footer length and PAR1; a cut-off download loses them. */
export function checkParquetFooter(bytes: Uint8Array, fileName = 'The Parquet file'): Checked<object> {
	const n = bytes.length;
	if (n < 12 || !startsWith(bytes, PAR1, n - 4)) {
		return fail('truncated', `${fileName} is truncated: it does not end with PAR1`);
	}
	const footer = new DataView(bytes.buffer, bytes.byteOffset + n - 8, 4).getUint32(0, true);
	if (footer > n - 12) {
		return fail('truncated', `${fileName} is damaged: its footer claims ${footer} bytes of a ${n}-byte file`);
	}
	return { ok: true };
}
