/**
 * SQL LIKE / ILIKE without a regular expression: `%` matches any run of characters, `_` exactly one, everything
 * else itself (there is no escape character, as in MLflow's filter). A regex built from the pattern backtracks
 * (`%a%a%a%a%a%a` against 60 `a`s took seconds); this matcher does bounded work by construction:
 *
 * - the pattern splits at `%` into segments; the first must match the start, the last the end, and each middle
 *   one is found leftmost-first after the previous (greedy is exact when `%` is the only variable-length
 *   wildcard: an earlier match never leaves less room for the segments after it);
 * - a middle segment is found by bit-parallel Shift-And over 32-bit words, `_` set in every character's mask,
 *   and the scans of successive segments cover disjoint stretches of the name.
 *
 * Steps (counted when a counter is given) are at most 2·W·(|name| + |pattern| + 1), W = ceil(longest segment / 32)
 * (at least 1): linear in the name for a pattern of bounded length (LIMITS.likePatternBytes). Characters are code points, so
 * `_` matches one character however it is encoded, as SQLite's GLOB does.
 */

export interface StepCounter {
	steps: number;
}

/** ASCII-only case folding: what SQLite's lower() does, so ILIKE means the same in memory and in SQL. */
export const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

const WILD = 0x5f; // '_'

function fixedAt(name: number[], at: number, seg: number[], n: StepCounter): boolean {
	for (let i = 0; i < seg.length; i++) {
		n.steps++;
		if (seg[i] !== WILD && seg[i] !== name[at + i]) return false;
	}
	return true;
}

/** Index just past the leftmost match of `seg` in name[from, to), or -1. */
function findAfter(name: number[], from: number, to: number, seg: number[], n: StepCounter): number {
	const m = seg.length;
	const words = Math.ceil(m / 32);
	const wild = new Uint32Array(words);
	const masks = new Map<number, Uint32Array>();
	for (let i = 0; i < m; i++) if (seg[i] === WILD) wild[i >> 5] |= 1 << (i & 31);
	for (let i = 0; i < m; i++) {
		n.steps += words;
		if (seg[i] === WILD) continue;
		let mask = masks.get(seg[i]);
		if (!mask) masks.set(seg[i], (mask = wild.slice()));
		mask[i >> 5] |= 1 << (i & 31);
	}
	const state = new Uint32Array(words);
	const top = (m - 1) >> 5;
	const topBit = 1 << ((m - 1) & 31);
	for (let p = from; p < to; p++) {
		n.steps += words;
		const mask = masks.get(name[p]) ?? wild;
		let carry = 1; // a match may start at every position
		for (let w = 0; w < words; w++) {
			const next = state[w] >>> 31;
			state[w] = ((state[w] << 1) | carry) & mask[w];
			carry = next;
		}
		if (state[top] & topBit) return p + 1;
	}
	return -1;
}

const codePoints = (s: string) => Array.from(s, (ch) => ch.codePointAt(0) as number);

/** Whether `value` matches the LIKE `pattern` as a whole; `n` counts steps for the bound above. */
export function like(value: string, pattern: string, n: StepCounter = { steps: 0 }): boolean {
	const name = codePoints(value);
	const segs = pattern.split('%').map(codePoints);
	n.steps += name.length + segs.length;
	const first = segs[0];
	if (segs.length === 1) return name.length === first.length && fixedAt(name, 0, first, n);
	const last = segs[segs.length - 1];
	const end = name.length - last.length;
	if (end < first.length || !fixedAt(name, 0, first, n) || !fixedAt(name, end, last, n)) return false;
	let at = first.length;
	for (let i = 1; i < segs.length - 1; i++) {
		if (!segs[i].length) continue;
		at = findAfter(name, at, end, segs[i], n);
		if (at < 0) return false;
	}
	return true;
}

export const ilike = (value: string, pattern: string, n?: StepCounter) =>
	like(asciiLower(value), asciiLower(pattern), n);
