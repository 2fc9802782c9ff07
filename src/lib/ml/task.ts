/**
 * Which kind of model a target column calls for, guessed from its values so a train cell can start with no
 * choices made. The guess is shown and can be overridden; `checkTrainingData` refuses overrides the data cannot
 * support (regression on text).
 *
 * The rule, over non-missing values (null, NaN):
 *   - text (categorical column): at most 2 distinct values → binary, more → multiclass (0 or 1 distinct
 *     values say binary only so there is an answer: validation then refuses the constant or empty target);
 *   - numbers with at most 2 distinct values → binary (0/1, 1/2, -1/1, even 0.5/1.5: two values are labels);
 *   - whole numbers with at most 20 distinct values that are also at most 5% of the rows → multiclass
 *     (star ratings, digit labels, cylinder counts in a few hundred rows);
 *   - anything else → regression (fractions, or many distinct whole numbers such as counts and prices).
 * The 5% bound keeps a small table of integers (30 rows of ages) a regression: a class needs many examples.
 */
import type { ColumnData, Task } from './types';

/** Numeric targets with more distinct whole values than this are treated as quantities, not labels. */
export const MAX_NUMERIC_CLASSES = 20;
/** …and so are those whose distinct values exceed this share of the non-missing rows. */
export const MAX_NUMERIC_CLASS_SHARE = 0.05;

export interface TaskEvidence {
	task: Task;
	/** Distinct non-missing values, counted up to MAX_NUMERIC_CLASSES + 1 for numbers (more does not matter). */
	distinct: number;
	/** Non-missing values. */
	present: number;
	/** Whether every present value is a (finite) whole number; always false for text. */
	integers: boolean;
}

/** The task the column suggests; see the rule above. */
export function inferTask(column: ColumnData): Task {
	return taskEvidence(column).task;
}

/** `inferTask` with the counts behind it, so a caller can explain the guess ("3 whole values in 400 rows"). */
export function taskEvidence(column: ColumnData): TaskEvidence {
	if (column.kind === 'categorical') {
		const seen = new Set<string>();
		let present = 0;
		for (const v of column.values) {
			if (v === null) continue;
			present++;
			seen.add(v);
		}
		const task = seen.size <= 2 ? 'binary' : 'multiclass';
		return { task, distinct: seen.size, present, integers: false };
	}

	const seen = new Set<number>();
	let present = 0;
	let integers = true;
	const values = column.values;
	for (let r = 0; r < values.length; r++) {
		const v = values[r];
		if (v !== v) continue; // NaN: missing
		present++;
		if (!Number.isInteger(v)) integers = false;
		// Past the class limit the exact count cannot change the answer, so stop growing the set (1M floats).
		if (seen.size <= MAX_NUMERIC_CLASSES) seen.add(v);
	}
	const distinct = seen.size;
	let task: Task;
	if (distinct <= 2) task = 'binary';
	else if (integers && distinct <= MAX_NUMERIC_CLASSES && distinct <= MAX_NUMERIC_CLASS_SHARE * present)
		task = 'multiclass';
	else task = 'regression';
	return { task, distinct, present, integers };
}
