/**
 * Features and target → numbers a model can take, and back. Fit on the training rows only, so nothing about the
 * validation and test rows (their mean, their categories) leaks into the model: the metrics stay honest. The
 * fitted `Preprocessing` is plain data saved with the model, and the same `encode` runs later in the Worker for
 * edge predictions, which is why this takes a `Frame` (plain typed arrays) rather than an Arrow table.
 *
 * Numeric feature: (value − mean) / std with the training mean and population std; std 0 (constant feature) is
 * replaced by 1 so the feature encodes to 0 instead of NaN; missing values take the training mean, so encode to 0.
 * Categorical feature: one-hot over the training categories, most frequent first (ties by name), at most
 * MAX_CATEGORIES; the last slot takes the rest: rarer categories, values never seen in training, and null.
 * Target: class index for classification; (value − mean) / std for regression, undone by `decodeRegression`.
 */
import type { Transform } from '../contract/preprocessing';
import { range } from './random';
import { applyTransforms } from './transforms';
import type { ColumnData, Encoded, FeatureSpec, Frame, Preprocessing, TargetSpec, Task } from './types';

/** One-hot inputs per categorical feature, beyond which values share the unseen slot. */
export const MAX_CATEGORIES = 50;

export interface FitOptions {
	target: string;
	features: string[];
	task: Task;
	trainRows: Uint32Array;
	/** Applied to the frame first and saved with the model, so `encode` applies them wherever it runs. */
	transforms?: Transform[];
	/**
	 * Per categorical feature, how many of its most frequent training values keep a slot of their own (default
	 * MAX_CATEGORIES): the rest, and values never seen, share the last slot, at the edge as in the notebook.
	 */
	topK?: Record<string, number>;
}

/** Errors here are programming errors after `checkTrainingData` has passed; `name` carries a stable code. */
function codedError(name: string, message: string): Error {
	const error = new Error(message);
	error.name = name;
	return error;
}

function findColumn(frame: Frame, name: string): ColumnData | undefined {
	return frame.columns.find((c) => c.name === name);
}

function requireColumn(frame: Frame, name: string): ColumnData {
	const column = findColumn(frame, name);
	if (!column) throw codedError('MissingColumnError', `Column "${name}" is not in the table.`);
	return column;
}

/** Text labels of a class target: numbers print as JS does (1 → "1"), text is used as-is, missing is null. */
function labelOf(column: ColumnData, row: number): string | null {
	if (column.kind === 'categorical') return column.values[row];
	const v = column.values[row];
	return Number.isNaN(v) ? null : String(v);
}

/**
 * Class names in a fixed order: ascending by value (numerically for a numeric column, by UTF-16 code units for
 * text, never by locale, which varies between engines). Value order rather than frequency order means the
 * classes of the training rows line up with those of the whole column, so `labelTarget` indices can stratify the
 * split before anything is fit; it also makes the positive class of a binary target the larger one: 1 over 0,
 * "yes" over "no", "true" over "false".
 */
function orderedClasses(column: ColumnData, rows: Uint32Array): string[] {
	if (column.kind === 'numeric') {
		const seen = new Set<number>();
		const values = column.values;
		// Indexed loops over typed arrays throughout: a for-of iterator costs several times more per row at 1M rows.
		for (let i = 0; i < rows.length; i++) {
			const v = values[rows[i]];
			if (v === v) seen.add(v);
		}
		return [...seen].sort((a, b) => a - b).map(String);
	}
	const seen = new Set<string>();
	for (let i = 0; i < rows.length; i++) {
		const v = column.values[rows[i]];
		if (v !== null) seen.add(v);
	}
	return [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Class names of the whole column and each row's class index (−1 where missing), e.g. to stratify a split. */
export function labelTarget(column: ColumnData): { classes: string[]; labels: Int32Array } {
	const n = column.values.length;
	const classes = orderedClasses(column, range(n));
	const labels = new Int32Array(n);
	const indexOf = classIndex(classes, column);
	for (let r = 0; r < n; r++) labels[r] = indexOf(r) ?? -1;
	return { classes, labels };
}

/** Mean and population std of the non-NaN values at `rows`; an empty or constant column gets std 1. */
function moments(values: Float64Array, rows: Uint32Array): { mean: number; std: number } {
	let sum = 0;
	let count = 0;
	for (let i = 0; i < rows.length; i++) {
		const v = values[rows[i]];
		if (v !== v) continue; // NaN: missing
		sum += v;
		count++;
	}
	if (count === 0) return { mean: 0, std: 1 };
	const mean = sum / count;
	// Two passes: E[x²] − E[x]² cancels catastrophically for large values with a small spread.
	let squares = 0;
	for (let i = 0; i < rows.length; i++) {
		const d = values[rows[i]] - mean;
		if (d === d) squares += d * d;
	}
	const std = Math.sqrt(squares / count);
	return { mean, std: std > 0 ? std : 1 };
}

function fitFeature(column: ColumnData, rows: Uint32Array, topK = MAX_CATEGORIES): FeatureSpec {
	if (column.kind === 'numeric') {
		const { mean, std } = moments(column.values, rows);
		return { name: column.name, kind: 'numeric', mean, std, impute: mean };
	}
	const counts = new Map<string, number>();
	for (let i = 0; i < rows.length; i++) {
		const v = column.values[rows[i]];
		if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
	}
	const categories = [...counts]
		.sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))
		.slice(0, Math.min(topK, MAX_CATEGORIES))
		.map(([name]) => name);
	return { name: column.name, kind: 'categorical', categories };
}

/** Fit the encoding on `trainRows`; throws MissingColumnError / ColumnKindError on data `checkTrainingData` refuses. */
export function fitPreprocessing(raw: Frame, opts: FitOptions): Preprocessing {
	const frame = applyTransforms(opts.transforms, raw);
	const features = opts.features.map((name) =>
		fitFeature(requireColumn(frame, name), opts.trainRows, opts.topK?.[name])
	);
	const column = requireColumn(frame, opts.target);
	let target: TargetSpec;
	if (opts.task === 'regression') {
		if (column.kind !== 'numeric')
			throw codedError('ColumnKindError', `Regression needs a numeric target; "${opts.target}" is text.`);
		target = { name: opts.target, task: 'regression', ...moments(column.values, opts.trainRows) };
	} else {
		target = { name: opts.target, task: opts.task, classes: orderedClasses(column, opts.trainRows) };
	}
	const width = features.reduce((w, f) => w + (f.kind === 'numeric' ? 1 : f.categories.length + 1), 0);
	return {
		version: 1,
		...(opts.transforms?.length ? { transforms: opts.transforms } : {}),
		features,
		target,
		width
	};
}

/** Input names in encoded order, e.g. ["bill_length", "island=Biscoe", …, "island=(other)"], for signatures. */
export function encodedColumnNames(prep: Preprocessing): string[] {
	return prep.features.flatMap((f) =>
		f.kind === 'numeric' ? [f.name] : [...f.categories.map((c) => `${f.name}=${c}`), `${f.name}=(other)`]
	);
}

/**
 * Encode `rows` (default: all) of `frame`. y is NaN for a missing target value and for every row of a frame
 * without the target column (rows to predict). A class label outside `prep.target.classes` throws
 * UnseenClassError: it has no index, and dropping it silently would bias the metrics.
 */
export function encode(prep: Preprocessing, raw: Frame, rows: Uint32Array = range(raw.rowCount)): Encoded {
	// The model's own transforms first: recomputed from the raw columns, so a frame that has them already is fine.
	const frame = applyTransforms(prep.transforms, raw);
	const n = rows.length;
	const width = prep.width;
	const x = new Float32Array(n * width);
	let offset = 0;
	for (const spec of prep.features) {
		const column = requireColumn(frame, spec.name);
		if (column.kind !== spec.kind)
			throw codedError(
				'ColumnKindError',
				`Feature "${spec.name}" was ${spec.kind} in training, now ${column.kind}.`
			);
		if (spec.kind === 'numeric') {
			const values = column.values as Float64Array;
			const { mean, std } = spec;
			const imputed = (spec.impute - mean) / std;
			for (let i = 0, at = offset; i < n; i++, at += width) {
				const v = values[rows[i]];
				x[at] = v === v ? (v - mean) / std : imputed;
			}
			offset += 1;
		} else {
			const values = column.values as (string | null)[];
			const slot = new Map(spec.categories.map((c, i) => [c, i]));
			const other = spec.categories.length;
			for (let i = 0; i < n; i++) {
				const v = values[rows[i]];
				x[i * width + offset + (v === null ? other : (slot.get(v) ?? other))] = 1;
			}
			offset += other + 1;
		}
	}
	return { x, y: encodeTarget(prep.target, findColumn(frame, prep.target.name), rows), rows: n, width };
}

function encodeTarget(spec: TargetSpec, column: ColumnData | undefined, rows: Uint32Array): Float32Array {
	const y = new Float32Array(rows.length).fill(NaN);
	if (!column) return y;
	if (spec.task === 'regression') {
		if (column.kind !== 'numeric')
			throw codedError('ColumnKindError', `Regression target "${spec.name}" is text in this table.`);
		for (let i = 0; i < rows.length; i++) y[i] = (column.values[rows[i]] - spec.mean) / spec.std;
		return y;
	}
	const indexOf = classIndex(spec.classes, column);
	for (let i = 0; i < rows.length; i++) {
		const k = indexOf(rows[i]);
		if (k === null) continue;
		if (k === undefined)
			throw codedError(
				'UnseenClassError',
				`Target "${spec.name}" has class "${labelOf(column, rows[i])}" at row ${rows[i] + 1}, which training never saw.`
			);
		y[i] = k;
	}
	return y;
}

/**
 * Row → class index (null where the label is missing, undefined for a class not in `classes`). A numeric column is
 * looked up by number, not by its text: `String(v)` for every one of a million rows was most of encoding's time,
 * and a class name of a numeric column is `String(v)`, which `Number` reads back to the same v.
 */
function classIndex(classes: string[], column: ColumnData): (row: number) => number | null | undefined {
	if (column.kind === 'categorical') {
		const index = new Map(classes.map((c, i) => [c, i]));
		const values = column.values;
		return (row) => {
			const v = values[row];
			return v === null ? null : index.get(v);
		};
	}
	const index = new Map(classes.map((c, i) => [Number(c), i]));
	const values = column.values;
	return (row) => {
		const v = values[row];
		return v !== v ? null : index.get(v);
	};
}

/** Standardised regression outputs back to the target's units. */
export function decodeRegression(prep: Preprocessing, y: ArrayLike<number>): Float64Array {
	const target = prep.target;
	if (target.task !== 'regression')
		throw new TypeError(`Target "${target.name}" is ${target.task}, not regression.`);
	const out = new Float64Array(y.length);
	for (let i = 0; i < y.length; i++) out[i] = y[i] * target.std + target.mean;
	return out;
}
