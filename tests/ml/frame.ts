import type { ColumnData, Frame } from '../../src/lib/ml/types';

/** A numeric column; `null` in the list stands for a missing value (NaN), as the data worker sends it. */
export const num = (name: string, values: (number | null)[]): ColumnData => ({
	name,
	kind: 'numeric',
	values: Float64Array.from(values, (v) => (v === null ? NaN : v))
});

export const cat = (name: string, values: (string | null)[]): ColumnData => ({
	name,
	kind: 'categorical',
	values
});

export const frame = (...columns: ColumnData[]): Frame => ({
	columns,
	rowCount: columns[0]?.values.length ?? 0
});

/** 0, 1, …, n − 1 mapped through `f`. */
export const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
