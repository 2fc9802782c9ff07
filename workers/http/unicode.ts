/**
 * JSON may carry half of a UTF-16 surrogate pair as a `\ud800`-style escape; JSON.parse accepts it, but text
 * stored in D1 is UTF-8, where it has no encoding, so it would be stored as U+FFFD: not what was sent. Bodies
 * are checked once, where they are parsed, so every door refuses such text the same way.
 */

/** In a `u` regex a whole pair is one code point, so this matches only a lone surrogate. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * The dotted path of the first string or key holding a lone surrogate in a parsed JSON value ('' for the value
 * itself), or null when all its text is well-formed. Iterative: a body may be nested deeper than the stack.
 */
export function loneSurrogatePath(value: unknown): string | null {
	const stack: [unknown, string][] = [[value, '']];
	const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));
	while (stack.length) {
		const [v, path] = stack.pop()!;
		if (typeof v === 'string') {
			if (LONE_SURROGATE.test(v)) return path;
		} else if (Array.isArray(v)) {
			v.forEach((item, i) => stack.push([item, join(path, i)]));
		} else if (v !== null && typeof v === 'object') {
			for (const [key, item] of Object.entries(v)) {
				if (LONE_SURROGATE.test(key)) return join(path, key);
				stack.push([item, join(path, key)]);
			}
		}
	}
	return null;
}

/** The refusal's wording, shared by both dialects; the path is quoted as JSON, so its own lone half is escaped. */
export const loneSurrogateMessage = (path: string) =>
	`${path ? JSON.stringify(path) : 'The body'} holds a lone UTF-16 surrogate (half of a \\uD83D\\uDE00-style pair), which is not text that can be stored as sent.`;
