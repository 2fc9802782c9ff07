/**
 * Data-check warnings, and their summary for people: a wide table can raise the same warning for hundreds of
 * columns (146 constant pixels of MNIST), which as one line each buries the rest of the cell. Warnings of one
 * kind are grouped into one line with a count and a few names; the group keeps every item for the full list.
 */
import { MAX_CATEGORIES } from './preprocess';
import type { DataWarning } from './types';

type WarningKind = DataWarning['kind'];

/** One line of the cell's warnings (the run output's shape, src/lib/notebook/schema.ts). */
export type WarningLine = string | { text: string; items: string[] };

/** From this many warnings of one kind, they are one line. */
export const GROUP_FROM = 3;
/** Names shown in a group's line before "… and N more". */
export const GROUP_NAMES = 3;

/** The line's lead for `n` warnings of a kind that groups; null for kinds that never group. */
const lead: Record<WarningKind, ((n: number) => string) | null> = {
	target: null,
	'feature-all-missing': (n) => `${n} features are missing in every row (they add nothing)`,
	'feature-constant': (n) => `${n} features are constant (they add nothing)`,
	'feature-missing': (n) =>
		`${n} features have missing values (numbers take the training mean, text the unseen-category input)`,
	'feature-many-categories': (n) =>
		`${n} text features have more than ${MAX_CATEGORIES} distinct values (the rest share one input)`
};

function names(items: DataWarning[]): string {
	const shown = items.slice(0, GROUP_NAMES).map((w) => w.column ?? '?');
	const more = items.length - shown.length;
	return shown.join(', ') + (more > 0 ? ` … and ${more} more` : '');
}

/** Warnings in order of first appearance of each kind; a kind with GROUP_FROM or more becomes one group. */
export function summariseWarnings(warnings: DataWarning[]): WarningLine[] {
	const byKind = new Map<WarningKind, DataWarning[]>();
	for (const w of warnings) {
		const same = byKind.get(w.kind);
		if (same) same.push(w);
		else byKind.set(w.kind, [w]);
	}
	return [...byKind].flatMap(([kind, items]): WarningLine[] => {
		const say = lead[kind];
		if (!say || items.length < GROUP_FROM) return items.map((w) => w.message);
		return [{ text: `${say(items.length)}: ${names(items)}`, items: items.map((w) => w.message) }];
	});
}
