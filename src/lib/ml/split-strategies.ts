/**
 * The split strategies of a train cell, as pure functions over a Frame (no DOM, no TF.js):
 *
 * - `random`: `split()` in split.ts, seeded, stratified by class for classification.
 * - `time`: rows sorted by a numeric, date or timestamp column (dates and timestamps reach a Frame as epoch ms);
 *   the earliest `train` share trains, the next `validation` share validates, the latest `test` share tests, so
 *   every train time ≤ every validation time ≤ every test time. Sizes come from `allocate`; a cut that falls inside
 *   a run of equal times moves to the nearer end of that run (to its start on a tie, so the run goes to the later
 *   split), or to the other end when the nearer one would leave a split empty, so equal times never straddle two
 *   splits. A missing time (NULL) is refused by name: it has no place in the order, and guessing one would leak.
 * - `group`: every distinct value of a column lands wholly in one split. Groups are taken in an order shuffled by
 *   mulberry32(seed) over the sorted distinct values (so the row order does not matter), each going to the split
 *   furthest below its share of rows; a split that asked for rows and got no group then takes the smallest group
 *   of a split holding two or more. NULL is one group of its own, as SQL's GROUP BY makes it. Fewer groups than
 *   non-empty splits is refused by name.
 * - `table`: a named table is the test set; the source table gives train + validation by the random rule, with the
 *   validation share of the source rows and no test share (`strategyFractions`).
 *
 * Expected failures are values with a DataCheck code (docs/architecture.md, Conventions), never throws.
 */
import { allocate, split } from './split';
import { mulberry32, shuffle } from './random';
import type { ColumnData, DataCheckCode, Frame, SplitFractions, Splits } from './types';

export const SPLIT_STRATEGIES = ['random', 'time', 'group', 'table'] as const;
export type SplitStrategy = (typeof SPLIT_STRATEGIES)[number];

export type SplitPlan =
	| {
			ok: true;
			splits: Splits;
			/** For people: which split, on what, with row counts ("time split on ts: 700 / 150 / 150 rows …"). */
			note: string;
	  }
	| { ok: false; code: DataCheckCode; message: string; column?: string };

type Failure = Extract<SplitPlan, { ok: false }>;
const PARTS = ['train', 'validation', 'test'] as const;

/** The shares a strategy splits the source table by: a `table` split tests on another table, so its test share is 0. */
export function strategyFractions(c: {
	split: SplitStrategy;
	validation: number;
	test: number;
}): SplitFractions {
	return c.split === 'table'
		? { train: 1 - c.validation, validation: c.validation, test: 0 }
		: { train: 1 - c.validation - c.test, validation: c.validation, test: c.test };
}

/** How a time column's values read in the note: dates and timestamps reach a Frame as epoch milliseconds. */
export type TimeFormat = 'number' | 'date' | 'timestamp';

function formatTime(v: number, as: TimeFormat = 'number'): string {
	if (as === 'number' || !Number.isFinite(v)) return Number.isInteger(v) ? String(v) : v.toPrecision(6);
	const iso = new Date(v).toISOString();
	return as === 'date' ? iso.slice(0, 10) : iso.replace('T', ' ').replace(/(\.000)?Z$/, '');
}
const counts = (s: Splits) => `${s.train.length} / ${s.validation.length} / ${s.test.length} rows`;

function sortedIds(ids: number[]): Uint32Array {
	return Uint32Array.from(ids).sort();
}

function findColumn(frame: Frame, name: string, what: string): ColumnData | Failure {
	if (!name)
		return { ok: false, code: 'split-column-missing', message: `Pick the column for the ${what} split.` };
	const column = frame.columns.find((c) => c.name === name);
	if (column) return column;
	return {
		ok: false,
		code: 'split-column-missing',
		message: `The ${what} split column "${name}" is not in the table.`,
		column: name
	};
}

/** See the header: sort by time, cut by shares, keep equal times together. */
export function timeSplit(
	frame: Frame,
	opts: { column: string; fractions: SplitFractions; timeFormat?: TimeFormat }
): SplitPlan {
	const column = findColumn(frame, opts.column, 'time');
	if ('ok' in column) return column;
	const name = column.name;
	if (column.kind !== 'numeric')
		return {
			ok: false,
			code: 'split-column-not-orderable',
			message: `Time split column "${name}" is text; it needs a number, date or timestamp column (cast it in SQL).`,
			column: name
		};
	const t = column.values;
	const n = frame.rowCount;
	let missing = 0;
	let first = -1;
	for (let r = 0; r < n; r++) if (Number.isNaN(t[r]) && missing++ === 0) first = r;
	if (missing > 0)
		return {
			ok: false,
			code: 'split-column-has-missing',
			message:
				`Time split column "${name}" is missing in ${missing} row${missing === 1 ? '' : 's'} (first: row ${first + 1}); ` +
				`a row without a time has no place in the order: filter them out in SQL, e.g. WHERE "${name}" IS NOT NULL.`,
			column: name
		};
	// Ties in time keep row order, so the same table always sorts the same way.
	const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => t[a] - t[b] || a - b);
	const [a, b] = allocate(n, opts.fractions);
	const wants = PARTS.map((p) => opts.fractions[p] > 0);
	const value = (i: number) => t[order[i]];
	/**
	 * Move `cut` off a run of equal times. An end is fine when lo < end < hi: `lo` is the cut before (0 for
	 * train), `hi` is n when the split after must keep a row, n + 1 when it may be empty.
	 */
	const snap = (cut: number, lo: number, hi: number) => {
		if (cut <= 0 || cut >= n || value(cut - 1) !== value(cut)) return cut;
		let start = cut;
		while (start > 0 && value(start - 1) === value(cut)) start--;
		let end = cut;
		while (end < n && value(end) === value(cut)) end++;
		const nearer = cut - start <= end - cut ? start : end;
		const other = nearer === start ? end : start;
		const fine = (c: number) => c > lo && c < hi;
		return fine(nearer) || !fine(other) ? nearer : other;
	};
	const cut1 = snap(a, 0, wants[2] || wants[1] ? n : n + 1);
	const cut2 = Math.max(cut1, snap(a + b, cut1, wants[2] ? n : n + 1));
	const splits: Splits = {
		train: sortedIds(order.slice(0, cut1)),
		validation: sortedIds(order.slice(cut1, cut2)),
		test: sortedIds(order.slice(cut2))
	};
	const empty = PARTS.find((p, i) => (i === 0 || wants[i]) && splits[p].length === 0);
	if (empty)
		return {
			ok: false,
			code: 'split-empty',
			message:
				`The ${empty} split would be empty: "${name}" has too few distinct times to cut ${n} rows ` +
				`${opts.fractions.train}/${opts.fractions.validation}/${opts.fractions.test} without splitting equal times.`,
			column: name
		};
	const show = (v: number) => formatTime(v, opts.timeFormat);
	const bounds = [0, cut1, cut2, n];
	const ranges = PARTS.flatMap((p, i) =>
		bounds[i + 1] > bounds[i] ? [`${p} ${show(value(bounds[i]))}…${show(value(bounds[i + 1] - 1))}`] : []
	);
	return {
		ok: true,
		splits,
		note: `time split on ${name}: ${counts(splits)} (${ranges.join(', ')})`
	};
}

type Key = string | number | null;

function groupKeys(column: ColumnData): Key[] {
	return column.kind === 'numeric'
		? Array.from(column.values, (v) => (Number.isNaN(v) ? null : v))
		: column.values;
}

/** Ascending, NULL last: an order of the distinct values that does not depend on the row order. */
function compareKeys(a: Key, b: Key): number {
	if (a === b) return 0;
	if (a === null) return 1;
	if (b === null) return -1;
	return a < b ? -1 : 1;
}

/** See the header: whole groups, shuffled by the seed, each to the split furthest below its share. */
export function groupSplit(
	frame: Frame,
	opts: { column: string; seed: number; fractions: SplitFractions }
): SplitPlan {
	const column = findColumn(frame, opts.column, 'group');
	if ('ok' in column) return column;
	const name = column.name;
	const byKey = new Map<Key, number[]>();
	groupKeys(column).forEach((k, r) => {
		const rows = byKey.get(k);
		if (rows) rows.push(r);
		else byKey.set(k, [r]);
	});
	const wanted = PARTS.filter((p) => opts.fractions[p] > 0);
	if (byKey.size < wanted.length)
		return {
			ok: false,
			code: 'split-too-few-groups',
			message:
				`Group split column "${name}" has ${byKey.size} distinct value${byKey.size === 1 ? '' : 's'}; ` +
				`splitting ${wanted.join(', ')} needs at least ${wanted.length}, one per split.`,
			column: name
		};
	const keys = [...byKey.keys()].sort(compareKeys);
	const order = shuffle(
		Uint32Array.from(keys, (_, i) => i),
		mulberry32(opts.seed)
	);
	const n = frame.rowCount;
	const quota = PARTS.map((p) => n * opts.fractions[p]);
	const rows = [0, 0, 0];
	const members: number[][] = [[], [], []];
	for (const g of order) {
		// Furthest below its share; ties go to the earlier split (train first).
		let to = 0;
		for (const i of [1, 2]) if (quota[i] - rows[i] > quota[to] - rows[to]) to = i;
		members[to].push(g);
		rows[to] += byKey.get(keys[g])!.length;
	}
	const size = (g: number) => byKey.get(keys[g])!.length;
	for (const i of [0, 1, 2]) {
		if ((i > 0 && opts.fractions[PARTS[i]] === 0) || members[i].length > 0) continue;
		// Pigeonhole: with at least as many groups as wanted splits, some split holds two or more.
		const donor = [0, 1, 2]
			.filter((j) => members[j].length > 1)
			.reduce((best, j) => (rows[j] > rows[best] ? j : best));
		const smallest = members[donor].reduce((s, g) => (size(g) < size(s) ? g : s));
		members[donor] = members[donor].filter((g) => g !== smallest);
		members[i].push(smallest);
		rows[donor] -= size(smallest);
		rows[i] += size(smallest);
	}
	const ids = (i: number) => sortedIds(members[i].flatMap((g) => byKey.get(keys[g])!));
	const splits: Splits = { train: ids(0), validation: ids(1), test: ids(2) };
	const groups = members.map((m) => m.length).join(' / ');
	return { ok: true, splits, note: `group split on ${name}: ${counts(splits)}, ${groups} groups` };
}

/** The split a train cell asks for, over the source frame; `testRows` is the named test table's size. */
export function planSplit(
	frame: Frame,
	opts: {
		strategy: SplitStrategy;
		column: string;
		testTable?: string;
		testRows?: number;
		seed: number;
		fractions: SplitFractions;
		stratify?: Int32Array;
		timeFormat?: TimeFormat;
	}
): SplitPlan {
	switch (opts.strategy) {
		case 'time':
			return timeSplit(frame, opts);
		case 'group':
			return groupSplit(frame, opts);
		case 'random':
		case 'table': {
			const s = split({
				rows: frame.rowCount,
				seed: opts.seed,
				fractions: opts.fractions,
				stratify: opts.stratify
			});
			const kind = opts.stratify ? 'stratified random split' : 'random split';
			if (opts.strategy === 'random') return { ok: true, splits: s, note: `${kind}: ${counts(s)}` };
			const test = opts.testRows ?? 0;
			return {
				ok: true,
				splits: s,
				note:
					`test table ${opts.testTable ?? ''}, train / validation by ${kind}: ` +
					`${s.train.length} / ${s.validation.length} / ${test} rows`
			};
		}
	}
}
