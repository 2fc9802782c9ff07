/**
 * Input checks shared by the drift statistics. A monitoring job compares a stored reference with a live window;
 * a window that is empty after cleaning, or counts that are negative, must be refused by name rather than turned
 * into a NaN that silently reads as "no drift".
 */

/** Thrown for any input the drift kernel refuses; the message names the argument and what is wrong. */
export class DriftInputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'DriftInputError';
	}
}

/** A categorical value as it comes out of a table column; null/undefined are missing values. */
export type Category = string | number | boolean | null | undefined;

/** Category (or bin) counts as stored in a profile. */
export type Counts = ReadonlyMap<Category, number> | Readonly<Record<string, number>>;

/**
 * Evidently's cleaning of a column before any stattest (legacy/calculations/data_drift.py, get_one_column_drift):
 * `column.replace([-np.inf, np.inf], np.nan).dropna()`, then a ValueError if nothing is left. Here null/undefined
 * count as NaN. Returns a Float64Array of the finite values.
 */
export function finiteValues(xs: ArrayLike<number | null | undefined>, what: string): Float64Array {
	if (xs == null || typeof xs.length !== 'number') throw new DriftInputError(`${what} must be an array`);
	const out = new Float64Array(xs.length);
	let k = 0;
	for (let i = 0; i < xs.length; i++) {
		const x = xs[i];
		if (typeof x === 'number' && Number.isFinite(x)) out[k++] = x;
		else if (x != null && typeof x !== 'number')
			throw new DriftInputError(`${what} has a non-numeric value (${String(x)}) at index ${i}`);
	}
	if (k === 0) throw new DriftInputError(`${what} is empty (after dropping NaN and ±Infinity)`);
	return k === out.length ? out : out.slice(0, k);
}

/** As `finiteValues` for a categorical column: drops null, undefined, NaN and ±Infinity (pandas' dropna). */
export function presentCategories(xs: ArrayLike<Category>, what: string): Category[] {
	if (xs == null || typeof xs.length !== 'number') throw new DriftInputError(`${what} must be an array`);
	const out: Category[] = [];
	for (let i = 0; i < xs.length; i++) {
		const x = xs[i];
		if (x == null) continue;
		if (typeof x === 'number' && !Number.isFinite(x)) continue;
		out.push(x);
	}
	if (out.length === 0) throw new DriftInputError(`${what} is empty (after dropping missing values)`);
	return out;
}

/** Throws unless every entry of `xs` is a finite number ≥ 0. */
export function checkNonNegative(xs: ArrayLike<number>, what: string): void {
	if (xs == null || typeof xs.length !== 'number') throw new DriftInputError(`${what} must be an array`);
	for (let i = 0; i < xs.length; i++) {
		const x = xs[i];
		if (typeof x !== 'number' || !Number.isFinite(x) || x < 0)
			throw new DriftInputError(`${what} must hold finite numbers ≥ 0, got ${String(x)} at index ${i}`);
	}
}

/** Entries of a counts map/record, refusing negative or non-finite counts. */
export function countEntries(counts: Counts, what: string): [Category, number][] {
	if (counts == null || typeof counts !== 'object')
		throw new DriftInputError(`${what} must be a Map or a record`);
	const entries: [Category, number][] =
		counts instanceof Map ? [...counts.entries()] : Object.entries(counts as Record<string, number>);
	for (const [k, v] of entries) {
		if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
			throw new DriftInputError(
				`${what}: count of ${String(k)} must be a finite number ≥ 0, got ${String(v)}`
			);
	}
	return entries;
}
