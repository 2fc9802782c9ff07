import { env } from 'cloudflare:test';
import fc from 'fast-check';
import { keySchema } from '../../../src/lib/contract';

/**
 * What the fuzz files share: one seed per run, printed (`FUZZ_SEED=<seed> npx vitest run …` replays it; the
 * worker config passes it through as a binding), and text beyond ASCII.
 */
const fromShell = Number((env as { FUZZ_SEED?: string }).FUZZ_SEED || NaN);
export const SEED = Number.isInteger(fromShell) ? fromShell : Date.now() % 2 ** 31;

/** fast-check's options for one property: bounded, and seeded with SEED so a failure can be replayed. */
const announced = new Set<string>();
export function runs(numRuns: number, file: string): fc.Parameters<unknown> {
	if (!announced.has(file)) {
		announced.add(file);
		console.log(`${file}: fuzz seed ${SEED} (fast-check prints it again with the failing path)`);
	}
	return { numRuns, seed: SEED };
}

/** No lone surrogate: in a `u` regex a paired surrogate is one code point, so only a lone one matches. */
export const isWellFormed = (t: string) => !/[\ud800-\udfff]/u.test(t);

/** Text people write in names, keys and values: emoji, right-to-left scripts, combining marks, CJK. */
export const SAMPLES = [
	'🧪',
	'👩‍👩‍👧',
	'🇯🇵',
	'مرحبا',
	'שלום',
	'e\u0301',
	'a\u0308\u0332',
	'模型',
	'Ωμέγα',
	'ß',
	'\u200f',
	'ﬁ',
	'Ⅻ',
	'𝔘𝔫𝔦'
];

/** Well-formed Unicode (no lone surrogates): graphemes of any script mixed with the samples above. */
export const unicodeText = (maxLength = 24): fc.Arbitrary<string> =>
	fc
		.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 4 }), fc.constantFrom(...SAMPLES)), {
			maxLength: 6
		})
		.map((parts) => parts.join('').slice(0, maxLength))
		// slice() may cut a surrogate pair in half; those strings belong to loneSurrogateText.
		.filter(isWellFormed);

/** Non-empty, trimmed, well-formed text: a valid name. */
export const unicodeName = unicodeText(40)
	.map((t) => t.trim())
	.filter((t) => t.length > 0);

const KEY_CHARS = [...'aZ9_-. :/', ...'éßΩж模ק٣क𝔘'];
/** A valid metric, param or tag key (MLflow's rule with Unicode letters and digits), by the contract's own schema. */
export const unicodeKey = fc
	.string({ unit: fc.constantFrom(...KEY_CHARS), minLength: 1, maxLength: 20 })
	.filter((k) => keySchema.safeParse(k).success);

/**
 * Text holding a lone surrogate: JSON.stringify writes it as a `\ud800`-style escape, which JSON.parse accepts.
 * Wrapped, so that no report prints the raw text (the test pool's channel refuses text that is not UTF-8):
 * JSON.stringify and String() give the raw text, fast-check's report an escaped one.
 */
export class LoneText {
	constructor(readonly raw: string) {}
	toJSON() {
		return this.raw;
	}
	toString() {
		return this.raw;
	}
	[fc.toStringMethod]() {
		return `LoneText(${JSON.stringify(this.raw)})`;
	}
}
export const loneSurrogateText: fc.Arbitrary<LoneText> = fc
	.tuple(
		unicodeText(8),
		fc.oneof(fc.integer({ min: 0xd800, max: 0xdbff }), fc.integer({ min: 0xdc00, max: 0xdfff })),
		unicodeText(8)
	)
	.map(([a, s, b]) => `${a}${String.fromCharCode(s)}${b.replace(/^[\udc00-\udfff]/, '')}`)
	.filter((t) => !isWellFormed(t))
	.map((t) => new LoneText(t));

/** Numbers JSON can carry that break naive handling: 400 digits, past float range, negative zero, fractions. */
export const hugeNumberText = fc.oneof(
	fc.constant('1'.repeat(400)),
	fc.constant(`-${'9'.repeat(40)}`),
	fc.constant('1e400'),
	fc.constant('-0'),
	fc.constant('1.5'),
	fc.constant('9007199254740993')
);

/** Any JSON value, text in it beyond ASCII, nested up to `depth`. */
export const jsonish = (depth = 3): fc.Arbitrary<unknown> =>
	fc.letrec<{ v: unknown }>((tie) => ({
		v: fc.oneof(
			{ depthSize: 'small', maxDepth: depth },
			fc.constant(null),
			fc.boolean(),
			fc.double(),
			fc.integer(),
			unicodeText(),
			fc.array(tie('v'), { maxLength: 3 }),
			fc.dictionary(unicodeText(8), tie('v'), { maxKeys: 3 })
		)
	})).v;

/**
 * Awaits a property, rethrowing a failure with any lone surrogate in its report escaped: the test pool sends
 * reports as UTF-8 and fails the whole file on one it cannot encode, hiding which property failed.
 */
export async function check(property: Promise<void>): Promise<void> {
	try {
		await property;
	} catch (e) {
		const text =
			e instanceof Error ? `${e.message}\n${e.cause instanceof Error ? e.cause.message : ''}` : String(e);
		// eslint-disable-next-line preserve-caught-error -- the cause holds the raw text the pool cannot send
		throw new Error(text.replace(/[\ud800-\udfff]/gu, (c) => `\\u${c.charCodeAt(0).toString(16)}`));
	}
}
