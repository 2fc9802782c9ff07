import { tokenize } from './sql-lexer';

/**
 * Turning DuckDB's error text into something the editor can point at. DuckDB 1.4.3 renders a position as
 *
 *     LINE 3: ..., id + 38 AS col_38, nope FROM penguins
 *                                     ^
 *
 * where the line is cut to ~120 columns around the error (`...` marks a cut), and the caret is indented by
 * *render width*: graphemes, CJK and emoji count 2, tabs and other control characters 0. Fixtures captured
 * from the real engine live in tests/data/duckdb-error.test.ts.
 */

export interface SqlPosition {
	/** 1-based line; \n, \r\n and \r each end a line, as in DuckDB and CodeMirror. */
	line: number;
	/** 1-based column in UTF-16 code units (JavaScript string indices, CodeMirror positions). */
	column: number;
	/** 0-based offset into the text. */
	offset: number;
}

const LINE_BREAK = /\r\n|\r|\n/g;

function lineStarts(text: string): number[] {
	const starts = [0];
	for (const m of text.matchAll(LINE_BREAK)) starts.push(m.index + m[0].length);
	return starts;
}

/** Line and column of an offset, so a caller can map a position in wrapped SQL back to the cell's source. */
export function positionAt(text: string, offset: number): SqlPosition {
	const starts = lineStarts(text);
	let line = 0;
	while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
	return { line: line + 1, column: offset - starts[line] + 1, offset };
}

function lineText(text: string, starts: number[], n: number): string | null {
	if (n < 1 || n > starts.length) return null;
	const end = n < starts.length ? starts[n] : text.length;
	return text.slice(starts[n - 1], end).replace(/\r?\n$|\r$/, '');
}

const WIDE =
	/[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]|\p{Emoji_Presentation}/u;

/** utf8proc's width of a grapheme's first code point, which is what DuckDB sums for the caret. */
function renderWidth(grapheme: string): number {
	const cp = grapheme.codePointAt(0) ?? 0;
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || /^\p{M}/u.test(grapheme)) return 0;
	return WIDE.test(grapheme) ? 2 : 1;
}

function graphemes(text: string): { segment: string; index: number }[] {
	if (typeof Intl.Segmenter === 'function') {
		return [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)];
	}
	// Code points are the best fallback where Segmenter is missing (Firefox before 125).
	const out: { segment: string; index: number }[] = [];
	let index = 0;
	for (const segment of text) {
		out.push({ segment, index });
		index += segment.length;
	}
	return out;
}

/** Index in `snippet` of the first visible grapheme at render width `width`. */
function indexAtWidth(snippet: string, width: number): number {
	let acc = 0;
	for (const { segment, index } of graphemes(snippet)) {
		const w = renderWidth(segment);
		if (acc >= width && w > 0) return index;
		acc += w;
	}
	return snippet.length;
}

interface Pointer {
	line: number;
	snippet: string;
	width: number;
}

const POINTER = /^LINE (\d+): (.*)\n( *)\^/m;

function parsePointer(message: string): Pointer[] {
	const m = POINTER.exec(message);
	if (!m) return [];
	const line = Number(m[1]);
	const width = m[3].length - `LINE ${m[1]}: `.length;
	const raw = { line, snippet: m[2], width };
	const head = m[2].startsWith('...');
	const snippet = m[2].slice(head ? 3 : 0, m[2].endsWith('...') ? -3 : undefined);
	// A line that really starts or ends with "..." is not cut: keep the raw reading as a fallback.
	return snippet === m[2] ? [raw] : [{ line, snippet, width: width - (head ? 3 : 0) }, raw];
}

/** Offset in `text` of the pointer, or -1 when line `line` of `text` does not hold the snippet. */
function resolve(text: string, p: Pointer): number {
	const starts = lineStarts(text);
	const content = lineText(text, starts, p.line);
	const at = content === null ? -1 : content.indexOf(p.snippet);
	if (at === -1) return -1;
	return starts[p.line - 1] + at + indexAtWidth(p.snippet, p.width);
}

/**
 * Where in `sentSql` a DuckDB error points, or null when the message carries no position.
 *
 * When `sentSql` holds several statements, DuckDB 1.4.3 renders binder and catalog errors against the failing
 * statement's own text (from just after the previous `;`) but with an offset counted from the start of the
 * whole query; the offset inside that rendering is therefore the true offset. Parser errors are rendered
 * against the whole query. Sending one statement at a time avoids the question altogether.
 */
export function locateError(raw: string, sentSql: string): SqlPosition | null {
	const exact = jsonErrorPosition(raw, sentSql);
	if (exact) return exact;
	const message = plainDuckDBMessage(raw);
	const pointers = parsePointer(message);
	if (pointers.length === 0) {
		if (!/syntax error at end of input/.test(message)) return null;
		const code = tokenize(sentSql).filter((t) => t.kind !== 'comment');
		return code.length ? positionAt(sentSql, code[code.length - 1].end) : null;
	}
	const bounds = tokenize(sentSql)
		.filter((t) => t.kind === 'semicolon')
		.map((t) => t.end);
	if (!message.startsWith('Parser Error')) {
		for (let k = 0; k < bounds.length; k++) {
			const next = k + 1 < bounds.length ? bounds[k + 1] - 1 : sentSql.length;
			for (const p of pointers) {
				const offset = resolve(sentSql.slice(bounds[k], next), p);
				if (offset >= bounds[k] && offset < next) return positionAt(sentSql, offset);
			}
		}
	}
	for (const p of pointers) {
		const offset = resolve(sentSql, p);
		if (offset !== -1) return positionAt(sentSql, offset);
	}
	return null;
}

export interface FriendlyError {
	/** A stable code: `ParserError`, `BinderError`, `CatalogError`, `ConversionError`, `InvalidInputError`… */
	name: string;
	/** The first line, without the `Binder Error:` prefix. */
	message: string;
	/** Any further lines before the position snippet (`Did you mean "penguins"?`, candidate bindings). */
	detail: string;
}

const pascal = (word: string) =>
	word.length <= 4 && word === word.toUpperCase()
		? word
		: word[0].toUpperCase() + word.slice(1).toLowerCase();

interface JsonError {
	exception_type: string;
	exception_message: string;
	position?: string;
}

/**
 * DuckDB-WASM in the browser reports errors as JSON (`{"exception_type":"Parser","exception_message":…,
 * "position":"46"}`), the node build as text (`Parser Error: …`). Both are read here.
 */
function parseJsonError(raw: string): JsonError | null {
	if (!raw.trimStart().startsWith('{')) return null;
	try {
		const parsed = JSON.parse(raw) as Partial<JsonError>;
		return typeof parsed.exception_type === 'string' && typeof parsed.exception_message === 'string'
			? (parsed as JsonError)
			: null;
	} catch {
		return null;
	}
}

/** The text form of any DuckDB error message, so one parser serves both builds. */
export function plainDuckDBMessage(raw: string): string {
	const json = parseJsonError(raw);
	return json ? `${json.exception_type} Error: ${json.exception_message}` : raw;
}

/** UTF-16 index of a UTF-8 byte offset (DuckDB's `position` counts bytes). */
function indexOfByte(text: string, byteOffset: number): number {
	const encoder = new TextEncoder();
	let bytes = 0;
	for (let i = 0; i < text.length; i++) {
		if (bytes >= byteOffset) return i;
		const cp = text.codePointAt(i) ?? 0;
		bytes += encoder.encode(String.fromCodePoint(cp)).length;
		if (cp > 0xffff) i++;
	}
	return text.length;
}

/** The exact position DuckDB gave in its JSON error, when it gave one. */
export function jsonErrorPosition(raw: string, sentSql: string): SqlPosition | null {
	const position = parseJsonError(raw)?.position;
	if (position === undefined || !/^\d+$/.test(position)) return null;
	return positionAt(sentSql, indexOfByte(sentSql, Number(position)));
}

export function friendlyDuckDBError(raw: string): FriendlyError {
	const message = plainDuckDBMessage(raw);
	const body = message.replace(/\n+LINE \d+: [\s\S]*$/, '').trim();
	const typed = /^([A-Za-z][A-Za-z ]*?) Error: ([\s\S]*)$/.exec(body);
	const name = typed ? typed[1].split(' ').map(pascal).join('') + 'Error' : 'DuckDBError';
	const [first, ...rest] = (typed ? typed[2] : body).split('\n');
	return { name, message: first.trim(), detail: rest.join('\n').trim() };
}
