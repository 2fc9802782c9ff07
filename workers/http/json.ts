import { LIMITS } from '../../src/lib/contract';

/** Why a body is not acceptable JSON; each door words it in its own API's error shape. */
export class JsonBodyError extends Error {
	/** The nesting limit, when that is what the body broke. */
	constructor(
		message: string,
		readonly depthLimit?: number
	) {
		super(message);
	}
}

/**
 * Parses a request body's JSON, refusing it first if it nests deeper than `maxDepth`: a body of a few KiB can nest
 * thousands deep, and what walks it later (validation, JSON.stringify, D1) may recurse past the stack. The scan is
 * one linear pass over the text that skips string contents, so it costs far less than the parse it protects.
 */
export function parseJson(text: string, maxDepth: number = LIMITS.jsonDepth): unknown {
	let depth = 0;
	for (let i = 0; i < text.length; i++) {
		const ch = text.charCodeAt(i);
		if (ch === 0x22) {
			// A string: jump to its closing quote, stepping over escapes. Unterminated strings are JSON.parse's to report.
			for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
		} else if (ch === 0x5b || ch === 0x7b) {
			if (++depth > maxDepth)
				throw new JsonBodyError(
					`The body nests deeper than ${maxDepth} levels (the limit on JSON nesting), at character ${i}.`,
					maxDepth
				);
		} else if (ch === 0x5d || ch === 0x7d) depth--;
	}
	try {
		return JSON.parse(text);
	} catch (e) {
		throw new JsonBodyError(`The body is not valid JSON: ${(e as Error).message}`);
	}
}
