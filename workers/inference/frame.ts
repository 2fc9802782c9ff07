import type { Scalar, PredictRequest } from '../../src/lib/contract';
import type { ColumnData, Frame, Preprocessing } from '../../src/lib/ml/types';
import { epochMsOf, rawInputs } from '../../src/lib/ml/transforms';
import { InvalidInput } from '../domain/errors';

/**
 * A predict body → the `Frame` that the app's own `encode` takes, one column per feature of the spec. Values are
 * read as training read them: null is missing (numeric: imputed; categorical: the unseen slot), text outside the
 * training categories takes the unseen slot, a number or boolean for a categorical feature is its text ("3",
 * "true"). What cannot be encoded is InvalidInput naming the column and row: a feature absent from the body (or from a
 * row: send null for a missing value), or text or a boolean where a number was trained. Other keys are ignored.
 */

type Issue = { path: string; message: string };

const MAX_ISSUES = 20;

function cellsOf(body: PredictRequest, name: string, issues: Issue[]): (Scalar | undefined)[] | null {
	if ('columns' in body) {
		if (Object.hasOwn(body.columns, name)) return body.columns[name];
		issues.push({ path: `columns.${name}`, message: `the model needs the column "${name}"` });
		return null;
	}
	return body.rows.map((row, i) => {
		if (Object.hasOwn(row, name)) return row[name];
		if (issues.length < MAX_ISSUES)
			issues.push({ path: `rows.${i}.${name}`, message: `the model needs "${name}" (null if missing)` });
		return undefined;
	});
}

function numeric(name: string, cells: (Scalar | undefined)[], path: (i: number) => string, issues: Issue[]) {
	const values = new Float64Array(cells.length);
	cells.forEach((v, i) => {
		if (typeof v === 'number') values[i] = v;
		else if (v === null || v === undefined) values[i] = NaN;
		else {
			values[i] = NaN;
			if (issues.length < MAX_ISSUES)
				issues.push({ path: path(i), message: `"${name}" is numeric; got ${JSON.stringify(v)}` });
		}
	});
	return values;
}

/** Epoch ms from a number or ISO-8601 text, for a date part's source; anything else is an issue. */
function temporal(name: string, cells: (Scalar | undefined)[], path: (i: number) => string, issues: Issue[]) {
	const values = new Float64Array(cells.length);
	cells.forEach((v, i) => {
		const ms = typeof v === 'number' ? v : typeof v === 'string' ? epochMsOf(v) : NaN;
		values[i] = ms;
		if (v !== null && v !== undefined && Number.isNaN(ms) && issues.length < MAX_ISSUES)
			issues.push({
				path: path(i),
				message: `"${name}" is a date or time (ISO-8601 text or epoch milliseconds); got ${JSON.stringify(v)}`
			});
	});
	return values;
}

export function toFrame(prep: Preprocessing, body: PredictRequest): Frame {
	const rowCount = 'rows' in body ? body.rows.length : Object.values(body.columns)[0].length;
	const issues: Issue[] = [];
	const columns: ColumnData[] = [];
	for (const [name, kind] of rawInputs(prep)) {
		const cells = cellsOf(body, name, issues);
		if (!cells) continue;
		const path = (i: number) => ('rows' in body ? `rows.${i}.${name}` : `columns.${name}.${i}`);
		columns.push(
			kind === 'numeric'
				? { name, kind: 'numeric', values: numeric(name, cells, path, issues) }
				: kind === 'temporal'
					? { name, kind: 'numeric', values: temporal(name, cells, path, issues) }
					: {
							name,
							kind: 'categorical',
							values: cells.map((v) => (v === null || v === undefined ? null : String(v)))
						}
		);
	}
	if (issues.length) {
		const first = issues[0];
		throw new InvalidInput({
			message: `Invalid body: ${first.path}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
			details: { issues }
		});
	}
	return { columns, rowCount };
}
