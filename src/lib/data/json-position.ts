/**
 * Where JSON text first goes wrong. JSON.parse says so unevenly: V8 names an offset for some errors and only
 * an excerpt for others ("Unexpected token 'x', …"), Safari names neither. A user fixing a hand-edited file
 * needs a line and column, so on failure we walk the text once more with a small validator of our own.
 */

class Stop {
	constructor(readonly at: number) {}
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/** Offset of the first character that makes `text` invalid JSON (text.length for a premature end), or -1. */
export function jsonErrorOffset(text: string): number {
	let i = 0;
	const n = text.length;
	const fail = (): never => {
		throw new Stop(i);
	};
	const ws = () => {
		while (i < n && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
	};
	const expect = (c: string) => (text[i] === c ? i++ : fail());
	const string = () => {
		expect('"');
		for (;;) {
			if (i >= n || text[i] < ' ') fail();
			if (text[i] === '"') return void i++;
			if (text[i] === '\\') {
				ESCAPE.lastIndex = i;
				if (!ESCAPE.test(text)) fail();
				i = ESCAPE.lastIndex;
			} else i++;
		}
	};
	const sequence = (close: string, item: () => void) => {
		i++;
		ws();
		if (text[i] === close) return void i++;
		for (;;) {
			item();
			ws();
			if (text[i] === close) return void i++;
			expect(',');
			ws();
		}
	};
	const value = (): void => {
		ws();
		const c = text[i];
		if (c === '{') {
			sequence('}', () => {
				string();
				ws();
				expect(':');
				value();
			});
		} else if (c === '[') sequence(']', value);
		else if (c === '"') string();
		else if (c === '-' || (c >= '0' && c <= '9')) {
			NUMBER.lastIndex = i;
			if (!NUMBER.test(text)) fail();
			i = NUMBER.lastIndex;
		} else {
			const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
			if (!word) fail();
			i += word!.length;
		}
	};
	try {
		value();
		ws();
		if (i < n) fail();
		return -1;
	} catch (e) {
		if (e instanceof Stop) return e.at;
		return -1; // too deep for the stack: JSON.parse's own message will have to do
	}
}

/** 1-based line and column (UTF-16 units) of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
	let line = 1;
	let start = 0;
	for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
		line++;
		start = i + 1;
	}
	return { line, column: offset - start + 1 };
}

/** " at line 3, column 7" for invalid JSON, or "" when the validator finds nothing wrong. */
export function jsonErrorWhere(text: string): string {
	const at = jsonErrorOffset(text);
	if (at === -1) return '';
	const { line, column } = lineColumn(text, at);
	return ` at line ${line}, column ${column}`;
}
