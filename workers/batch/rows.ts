import type { Preprocessing } from '../../src/lib/ml/types';
import { rawInputs } from '../../src/lib/ml/transforms';

/**
 * A chunk's rows as the predict route takes them, and its result lines. A CSV cell is text: for a notebook-trained
 * model each column it reads is given the type training saw (a numeric feature's cell as a number when it is one,
 * a date part's source as epoch ms or ISO text, a categorical as text; empty is null), so the service's own checks
 * name a cell that is not a number exactly as they do for a JSON body. Parquet cells keep their types. Pure.
 */

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function asNumber(v: unknown): unknown {
	if (typeof v === 'string' && NUMBER.test(v)) return Number(v);
	return v;
}

export type Coerce = (row: Record<string, unknown>) => Record<string, unknown>;

/** How a chunk's rows are typed for the model: by its preprocessing, or every number-shaped text for a bare graph. */
export function coercer(prep: Preprocessing | null, fromCsv: boolean): Coerce {
	if (!fromCsv) return (row) => row;
	if (!prep)
		return (row) => {
			for (const k of Object.keys(row)) row[k] = asNumber(row[k]);
			return row;
		};
	const numeric = [...rawInputs(prep)].filter(([, kind]) => kind !== 'categorical').map(([name]) => name);
	return (row) => {
		for (const name of numeric) if (name in row) row[name] = asNumber(row[name]);
		return row;
	};
}

/** A prediction's fields as the prediction log's table flattens them: nested keys joined by `_`, arrays as JSON. */
export function flattenInto(out: Record<string, unknown>, prefix: string, value: unknown): void {
	if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
		for (const [k, v] of Object.entries(value)) flattenInto(out, `${prefix}_${k}`, v);
		return;
	}
	out[prefix] = Array.isArray(value) ? JSON.stringify(value) : value;
}

/** One result line: the row's index in the file, its columns, its prediction's fields. */
export function resultLine(row: number, input: Record<string, unknown>, prediction: unknown): string {
	const out: Record<string, unknown> = { row, ...input };
	flattenInto(out, 'output', prediction);
	return JSON.stringify(out);
}
