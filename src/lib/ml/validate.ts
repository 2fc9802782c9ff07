/**
 * Is this table trainable as asked? One pass over the columns before anything is fit, so a train cell fails with
 * a sentence about the user's data ("Target "price" has 3 missing values…") instead of a NaN loss ten epochs in.
 *
 * Refusals carry a stable code (DATA_CHECK_CODES) and a message that names the column and the problem; the first
 * problem found is reported, in the order of the checks below. Row numbers in messages count from 1, as a person
 * reads a table. Softer problems (missing feature values, constant features, capped categories) are warnings.
 *
 * Missing target values are refused, not dropped: a train cell records which rows it trained on by the table it
 * read, and a silent drop would make that record false. The message says how many and offers the one-line SQL
 * filter, which keeps the choice visible in the notebook.
 */
import { labelTarget, MAX_CATEGORIES } from './preprocess';
import { fractionsProblem, splitSizes } from './split';
import { planSplit, type SplitStrategy } from './split-strategies';
import { testTableProblem } from './test-table';
import { MAX_NUMERIC_CLASSES, taskEvidence } from './task';
import type { ColumnData, DataCheck, DataCheckCode, DataWarning, Frame, SplitFractions, Task } from './types';

/** Fewer rows than this cannot give three meaningful splits. */
export const MIN_ROWS = 10;
/** A text feature with more distinct values than this, and than ID_LIKE_SHARE of its rows, looks like an id. */
export const ID_LIKE_MIN_DISTINCT = 1000;
export const ID_LIKE_SHARE = 0.5;

export interface CheckOptions {
	target: string;
	features: string[];
	/** The user's choice; inferred from the target (see task.ts) when absent. */
	task?: Task;
	fractions: SplitFractions;
	/** A split other than the default seeded random one (split-strategies.ts); `test` is a `table` split's frame. */
	split?: { strategy: SplitStrategy; column: string; seed: number; testTable?: string; test?: Frame };
}

const fail = (code: DataCheckCode, message: string, column?: string): DataCheck => ({
	ok: false,
	code,
	message,
	...(column === undefined ? {} : { column })
});

const plural = (n: number, word: string) =>
	`${n} ${n === 1 ? word : word.endsWith('s') ? `${word}es` : `${word}s`}`;
const list = (names: string[], max = 5) =>
	names
		.slice(0, max)
		.map((n) => `"${n}"`)
		.join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');

interface Scan {
	missing: number;
	firstMissing: number;
	infinite: number;
	firstInfinite: number;
	distinct: number;
}

/**
 * Missing and infinite counts, first rows (0-based), and distinct present values of one column. A numeric
 * column's distinct values are counted up to `numericLimit`: past it no decision or message changes, and a Set of
 * a million doubles per feature was 5 of the 6.5 s a 1M × 20 table spent being checked (bench:train).
 */
function scan(column: ColumnData, numericLimit: number): Scan {
	const s: Scan = { missing: 0, firstMissing: -1, infinite: 0, firstInfinite: -1, distinct: 0 };
	if (column.kind === 'categorical') {
		const seen = new Set<string>();
		const values = column.values;
		for (let r = 0; r < values.length; r++) {
			const v = values[r];
			if (v === null) {
				if (s.missing++ === 0) s.firstMissing = r;
			} else seen.add(v);
		}
		s.distinct = seen.size;
		return s;
	}
	const seen = new Set<number>();
	const values = column.values;
	for (let r = 0; r < values.length; r++) {
		const v = values[r];
		if (v !== v) {
			if (s.missing++ === 0) s.firstMissing = r;
			continue;
		}
		if ((v === Infinity || v === -Infinity) && s.infinite++ === 0) s.firstInfinite = r;
		if (seen.size < numericLimit) seen.add(v);
	}
	s.distinct = seen.size;
	return s;
}

/** A target's distinct values counted this far: enough for every message below ("has 1,000 or more classes"). */
const TARGET_DISTINCT_LIMIT = 1000;
/** A numeric feature is only asked whether it is constant. */
const FEATURE_DISTINCT_LIMIT = 2;

/** Check `frame` for training `target` from `features`; see the header for order and policy. */
export function checkTrainingData(frame: Frame, opts: CheckOptions): DataCheck {
	const problem = fractionsProblem(opts.fractions);
	if (problem) return fail('invalid-fractions', problem);
	const byName = new Map(frame.columns.map((c) => [c.name, c]));
	const targetColumn = byName.get(opts.target);
	if (!targetColumn)
		return fail(
			'target-missing',
			`Target column "${opts.target}" is not in the table (it has ${list([...byName.keys()], 10)}).`,
			opts.target
		);
	if (opts.features.length === 0)
		return fail('no-features', `Choose at least one feature to predict "${opts.target}" from.`);
	const duplicate = opts.features.find((f, i) => opts.features.indexOf(f) !== i);
	if (duplicate !== undefined)
		return fail('feature-duplicate', `Feature "${duplicate}" is listed twice.`, duplicate);
	if (opts.features.includes(opts.target))
		return fail(
			'feature-is-target',
			`"${opts.target}" is the target, so it cannot also be a feature.`,
			opts.target
		);
	const absent = opts.features.find((f) => !byName.has(f));
	if (absent !== undefined)
		return fail('feature-missing', `Feature column "${absent}" is not in the table.`, absent);
	const n = frame.rowCount;
	if (n < MIN_ROWS)
		return fail('too-few-rows', `The table has ${plural(n, 'row')}; training needs at least ${MIN_ROWS}.`);

	const t = scan(targetColumn, TARGET_DISTINCT_LIMIT);
	const name = opts.target;
	if (t.missing === n)
		return fail('target-all-null', `Target "${name}" has no values: every row is missing.`, name);
	if (t.missing > 0)
		return fail(
			'target-has-missing',
			`Target "${name}" is missing in ${plural(t.missing, 'row')} (first: row ${t.firstMissing + 1}); ` +
				`filter them out in SQL, e.g. WHERE "${name}" IS NOT NULL.`,
			name
		);
	if (t.infinite > 0)
		return fail(
			'target-not-finite',
			`Target "${name}" is infinite in ${plural(t.infinite, 'row')} (first: row ${t.firstInfinite + 1}).`,
			name
		);

	const evidence = taskEvidence(targetColumn);
	const task = opts.task ?? evidence.task;
	const warnings: DataWarning[] = [];
	const warn = (kind: DataWarning['kind'], message: string, column?: string) =>
		warnings.push({ kind, message, ...(column === undefined ? {} : { column }) });
	if (task === 'regression' && targetColumn.kind === 'categorical')
		return fail(
			'task-mismatch',
			`Target "${name}" is text, so it cannot be predicted by regression; choose binary or multiclass.`,
			name
		);
	if (t.distinct < 2)
		return fail(
			'target-constant',
			`Target "${name}" has a single value in every row: there is nothing to learn.`,
			name
		);
	if (task === 'binary' && t.distinct > 2)
		return fail(
			'task-mismatch',
			`Target "${name}" has ${t.distinct < TARGET_DISTINCT_LIMIT ? t.distinct : `${TARGET_DISTINCT_LIMIT.toLocaleString('en-US')} or more`} classes; binary needs 2, choose multiclass.`,
			name
		);
	if (task === 'regression' && t.distinct <= 2)
		warn('target', `Target "${name}" has only 2 values; regression will predict numbers between them.`, name);
	if (!opts.task && task === 'multiclass' && targetColumn.kind === 'numeric')
		warn(
			'target',
			`Target "${name}" has ${evidence.distinct} whole-number values (at most ${MAX_NUMERIC_CLASSES}), so it is ` +
				`treated as classes; choose regression to predict it as a number.`,
			name
		);

	let classCounts: number[] | undefined;
	if (task !== 'regression') {
		const { classes, labels } = labelTarget(targetColumn);
		classCounts = classes.map(() => 0);
		for (let r = 0; r < labels.length; r++) classCounts[labels[r]]++;
		const single = classes.filter((_, k) => classCounts![k] === 1);
		if (single.length > 0)
			return fail(
				'class-too-small',
				`Target "${name}" has ${plural(single.length, 'class')} with a single row (${list(single)}); every ` +
					`class needs at least 2 rows so the split can keep one in training.`,
				name
			);
		const pairs = classes.filter((_, k) => classCounts![k] === 2);
		if (pairs.length > 0)
			warn(
				'target',
				`Target "${name}" has classes with only 2 rows (${list(pairs)}); not every split will see them.`,
				name
			);
	}

	const strategy = opts.split?.strategy ?? 'random';
	if (opts.split && (strategy === 'time' || strategy === 'group')) {
		const plan = planSplit(frame, { ...opts.split, strategy, fractions: opts.fractions });
		if (!plan.ok) return fail(plan.code, plan.message, plan.column);
	} else {
		const sizes = splitSizes({ rows: n, fractions: opts.fractions, classCounts });
		for (const part of ['validation', 'test'] as const)
			if (opts.fractions[part] > 0 && sizes[part] === 0)
				return fail(
					'split-empty',
					`The ${part} split would be empty: ${plural(n, 'row')} across ${plural(classCounts?.length ?? 1, 'class')} ` +
						`are too few for fractions ${opts.fractions.train}/${opts.fractions.validation}/${opts.fractions.test}.`
				);
	}
	if (strategy === 'table') {
		const problem = testTableProblem({
			source: frame,
			test: opts.split?.test,
			name: opts.split?.testTable ?? '',
			columns: [...opts.features, opts.target],
			target: opts.target,
			classification: task !== 'regression'
		});
		if (problem) return fail('test-table-mismatch', problem);
	}

	for (const feature of opts.features) {
		const column = byName.get(feature)!;
		const f = scan(column, FEATURE_DISTINCT_LIMIT);
		if (f.infinite > 0)
			return fail(
				'feature-not-finite',
				`Feature "${feature}" is infinite in ${plural(f.infinite, 'row')} (first: row ${f.firstInfinite + 1}); ` +
					`replace those values in SQL (e.g. with NULL, which training fills with the mean).`,
				feature
			);
		const present = n - f.missing;
		if (
			column.kind === 'categorical' &&
			f.distinct > ID_LIKE_MIN_DISTINCT &&
			f.distinct > ID_LIKE_SHARE * present
		)
			return fail(
				'feature-id-like',
				`Feature "${feature}" has ${f.distinct} distinct values in ${present} rows: it looks like an identifier, ` +
					`which cannot generalise; leave it out or derive a coarser column.`,
				feature
			);
		if (f.missing === n)
			warn('feature-all-missing', `Feature "${feature}" is missing in every row; it adds nothing.`, feature);
		else if (f.distinct === 1 && f.missing === 0)
			warn('feature-constant', `Feature "${feature}" is constant; it adds nothing.`, feature);
		else if (f.missing > 0)
			warn(
				'feature-missing',
				`Feature "${feature}" is missing in ${plural(f.missing, 'row')}; ` +
					(column.kind === 'numeric'
						? 'they take the training mean.'
						: 'they share the input for unseen categories.'),
				feature
			);
		if (column.kind === 'categorical' && f.distinct > MAX_CATEGORIES)
			warn(
				'feature-many-categories',
				`Feature "${feature}" has ${f.distinct} distinct values; the ${MAX_CATEGORIES} most frequent in training ` +
					`get their own input, the rest share one.`,
				feature
			);
	}
	return { ok: true, task, warnings };
}
