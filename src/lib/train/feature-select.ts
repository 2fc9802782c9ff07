/**
 * Which columns a train cell learns from: all but the target (the default), the columns a glob pattern matches,
 * or a picked list. Pure, so the form can show live what a pattern matches and the trainer applies the very same
 * rule to the table it reads.
 *
 * Patterns are globs, not regular expressions: `*` is any run of characters, `?` one character, and commas
 * separate alternatives (`p*, age`). Matched by a small two-pointer matcher, never a RegExp built from user input
 * (as docs/architecture.md, "Search", asks of every user pattern), so no pattern can take long or throw.
 */
import type { TrainConfig } from '$lib/notebook/schema';

export type FeatureMode = 'all' | 'pattern' | 'pick';

export const FEATURE_MODES: { value: FeatureMode; label: string }[] = [
	{ value: 'all', label: 'all but the target' },
	{ value: 'pattern', label: 'pattern' },
	{ value: 'pick', label: 'pick' }
];

export const PATTERN_HELP = 'glob: * any characters, ? one, commas separate (e.g. p*, age)';

/** Characters a user may expect from regex or shell globs that this glob does not give a meaning to. */
const UNSUPPORTED = ['[', ']', '{', '}', '(', ')', '|', '\\', '^', '$', '+'];

/** The mode a config means; notebooks from before the mode existed stored only the list (empty = all). */
export function featureMode(c: Pick<TrainConfig, 'features' | 'featureMode'>): FeatureMode {
	return c.featureMode ?? (c.features.length ? 'pick' : 'all');
}

/** Does `name` match one glob (no commas)? Linear in practice: the classic backtrack-to-last-star walk. */
export function globMatch(glob: string, name: string): boolean {
	let g = 0;
	let n = 0;
	let star = -1;
	let mark = 0;
	while (n < name.length) {
		if (g < glob.length && (glob[g] === '?' || glob[g] === name[n])) {
			g++;
			n++;
		} else if (g < glob.length && glob[g] === '*') {
			star = g++;
			mark = n;
		} else if (star >= 0) {
			g = star + 1;
			n = ++mark;
		} else return false;
	}
	while (g < glob.length && glob[g] === '*') g++;
	return g === glob.length;
}

export type PatternResult = { ok: true; matched: string[] } | { ok: false; message: string };

/** The columns of `columns` (in table order) that a comma-separated glob list matches, or why it cannot. */
export function matchPattern(pattern: string, columns: string[]): PatternResult {
	const globs = pattern
		.split(',')
		.map((p) => p.trim())
		.filter(Boolean);
	if (globs.length === 0) return { ok: false, message: `The feature pattern is empty; write e.g. "p*".` };
	for (const glob of globs) {
		const bad = UNSUPPORTED.find((ch) => glob.includes(ch));
		if (bad !== undefined)
			return {
				ok: false,
				message: `Feature pattern "${pattern}" uses "${bad}", which a glob does not have: use * (any characters) and ? (one).`
			};
	}
	const matched = columns.filter((c) => globs.some((g) => globMatch(g, c)));
	if (matched.length === 0)
		return {
			ok: false,
			message: `Feature pattern "${pattern}" matches none of the ${columns.length} feature columns (${preview(columns)}).`
		};
	return { ok: true, matched };
}

function preview(names: string[], max = 4): string {
	return names.slice(0, max).join(', ') + (names.length > max ? ', …' : '');
}

export type FeatureSelection =
	{ ok: true; features: string[]; mode: FeatureMode; describe: string } | { ok: false; message: string };

/**
 * The features a config selects from a table's `columns`. The target is never a feature: a pattern that also
 * matches it leaves it out. A picked list is returned as stored; the data checks name any column it lacks.
 */
export function selectFeatures(
	c: Pick<TrainConfig, 'features' | 'featureMode' | 'featurePattern' | 'target'>,
	columns: string[]
): FeatureSelection {
	const mode = featureMode(c);
	const others = columns.filter((n) => n !== c.target);
	switch (mode) {
		case 'all':
			return { ok: true, features: others, mode, describe: 'all but the target' };
		case 'pattern': {
			const r = matchPattern(c.featurePattern ?? '', others);
			if (!r.ok) return r;
			return { ok: true, features: r.matched, mode, describe: `pattern ${c.featurePattern}` };
		}
		case 'pick':
			return { ok: true, features: c.features, mode, describe: 'picked' };
	}
}
