/**
 * MLflow's scoring protocol (the body `mlflow models serve` takes at /invocations), as the edge predict routes
 * accept it beside Edgebook's own `rows`/`columns`: exactly one of `dataframe_split`, `dataframe_records`,
 * `instances` or `inputs`, and optional `params`. The envelope is read here, once, for every caller; what the
 * values must be (types, shapes) depends on the model and is checked by the kernel (src/lib/ml/tensors.ts).
 */

export const MLFLOW_FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;
export type MlflowFormat = (typeof MLFLOW_FORMATS)[number];
export type ScoringFormat = MlflowFormat | 'rows' | 'columns';

/** A table: column names and one array of values per row (dataframe_split, dataframe_records, `rows`). */
export interface ScoringRecords {
	kind: 'records';
	format: ScoringFormat;
	columns: string[];
	data: unknown[][];
}
/** One unnamed tensor (`inputs` or `instances` as a nested array): only a single-input model takes it. */
export interface ScoringTensor {
	kind: 'tensor';
	format: ScoringFormat;
	value: unknown[];
}
/** Values by input (or column) name: `inputs` as an object, `instances` as objects, `columns`. */
export interface ScoringNamed {
	kind: 'named';
	format: ScoringFormat;
	values: Record<string, unknown[]>;
}
export type ScoringBody = (ScoringRecords | ScoringTensor | ScoringNamed) & {
	params?: Record<string, unknown>;
};

/** A body that is not one of the accepted envelopes; `path` names the part at fault. */
export class ScoringBodyError extends Error {
	constructor(
		message: string,
		readonly path: string
	) {
		super(message);
		this.name = 'ScoringBodyError';
	}
}

const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

const ACCEPTED = `${MLFLOW_FORMATS.join(', ')} (MLflow) or rows, columns`;

function records(format: ScoringFormat, rows: unknown, path: string): ScoringRecords {
	if (!Array.isArray(rows)) throw new ScoringBodyError(`${path} must be an array of records.`, path);
	const columns: string[] = [];
	const seen = new Set<string>();
	rows.forEach((row, i) => {
		if (!isObject(row))
			throw new ScoringBodyError(`${path}[${i}] must be an object of column → value.`, `${path}.${i}`);
		for (const key of Object.keys(row))
			if (!seen.has(key)) {
				seen.add(key);
				columns.push(key);
			}
	});
	// A column a record leaves out is missing (null) in that row, as pandas reads records.
	const data = rows.map((row: Record<string, unknown>) => columns.map((c) => (c in row ? row[c] : null)));
	return { kind: 'records', format, columns, data };
}

function split(raw: unknown): ScoringRecords {
	const path = 'dataframe_split';
	if (!isObject(raw))
		throw new ScoringBodyError(`${path} must be an object with "columns" and "data".`, path);
	const { columns, data } = raw;
	if (!Array.isArray(data))
		throw new ScoringBodyError(`${path}.data must be an array of rows.`, `${path}.data`);
	if (columns !== undefined && (!Array.isArray(columns) || columns.some((c) => typeof c !== 'string')))
		throw new ScoringBodyError(`${path}.columns must be an array of column names.`, `${path}.columns`);
	if (columns && new Set(columns).size !== columns.length)
		throw new ScoringBodyError(`${path}.columns names a column twice.`, `${path}.columns`);
	const rows = data.map((row, i) => {
		// A one-column frame may be sent as a list of values, as pandas' orient="split" writes a Series.
		const values = Array.isArray(row) ? row : [row];
		if (columns && values.length !== columns.length)
			throw new ScoringBodyError(
				`${path}.data[${i}] has ${values.length} values but there are ${columns.length} columns.`,
				`${path}.data.${i}`
			);
		return values;
	});
	const width = rows[0]?.length ?? columns?.length ?? 0;
	const names = (columns as string[] | undefined) ?? Array.from({ length: width }, (_, i) => String(i));
	rows.forEach((r, i) => {
		if (r.length !== names.length)
			throw new ScoringBodyError(
				`${path}.data[${i}] has ${r.length} values but row 0 has ${names.length}.`,
				`${path}.data.${i}`
			);
	});
	return { kind: 'records', format: 'dataframe_split', columns: names, data: rows };
}

/** `instances`/`inputs`: a list of objects is one object per row; an object is one value per input name. */
function tensorish(format: 'instances' | 'inputs', raw: unknown): ScoringTensor | ScoringNamed {
	if (isObject(raw)) {
		const values: Record<string, unknown[]> = {};
		for (const [name, v] of Object.entries(raw)) {
			if (!Array.isArray(v))
				throw new ScoringBodyError(
					`${format}.${name} must be an array (one entry per row).`,
					`${format}.${name}`
				);
			values[name] = v;
		}
		return { kind: 'named', format, values };
	}
	if (!Array.isArray(raw))
		throw new ScoringBodyError(
			`${format} must be an array (one tensor) or an object of input name → array.`,
			format
		);
	if (raw.length > 0 && raw.every(isObject)) {
		// TF Serving's row format: each instance names its inputs; stacked here into one array per input.
		const values: Record<string, unknown[]> = {};
		const names = Object.keys(raw[0] as object);
		raw.forEach((inst, i) => {
			const keys = Object.keys(inst as object);
			if (keys.length !== names.length || keys.some((k) => !names.includes(k)))
				throw new ScoringBodyError(
					`${format}[${i}] names inputs ${keys.join(', ')} but ${format}[0] names ${names.join(', ')}.`,
					`${format}.${i}`
				);
			for (const k of names) (values[k] ??= []).push((inst as Record<string, unknown>)[k]);
		});
		return { kind: 'named', format, values };
	}
	return { kind: 'tensor', format, value: raw };
}

/** Reads the envelope of a predict body; throws ScoringBodyError naming what is wrong. */
export function parseScoringBody(raw: unknown): ScoringBody {
	if (!isObject(raw))
		throw new ScoringBodyError(`The body must be a JSON object with one of ${ACCEPTED}.`, '');
	const present = [...MLFLOW_FORMATS, 'rows', 'columns'].filter((k) => k in raw) as ScoringFormat[];
	if (present.length !== 1)
		throw new ScoringBodyError(
			present.length
				? `Send exactly one of ${ACCEPTED}; this body has ${present.join(' and ')}.`
				: `The body has none of ${ACCEPTED}.`,
			present[1] ?? ''
		);
	const known = new Set<string>([...present, 'params']);
	const extra = Object.keys(raw).filter((k) => !known.has(k));
	if (extra.length)
		throw new ScoringBodyError(
			`Unknown field ${extra.map((k) => `"${k}"`).join(', ')} beside ${present[0]}.`,
			extra[0]
		);
	const params = raw.params;
	if (params !== undefined && !isObject(params))
		throw new ScoringBodyError('params must be an object of name → value.', 'params');
	const format = present[0];
	const value = raw[format];
	const body: ScoringBody =
		format === 'dataframe_split'
			? split(value)
			: format === 'dataframe_records' || format === 'rows'
				? records(format, value, format)
				: format === 'columns'
					? tensorish('inputs', value)
					: tensorish(format, value);
	if (format === 'columns') body.format = 'columns';
	return params === undefined ? body : { ...body, params };
}

/** Rows in a body (the first dimension), for the batch limit before any value is converted. */
export function scoringRows(body: ScoringBody): number {
	if (body.kind === 'records') return body.data.length;
	if (body.kind === 'tensor') return body.value.length;
	return Math.max(0, ...Object.values(body.values).map((v) => v.length));
}
