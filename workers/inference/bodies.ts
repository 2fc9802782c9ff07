import {
	LIMITS,
	MLFLOW_FORMATS,
	ScoringBodyError,
	parseScoringBody,
	predictColumnsSchema,
	predictRowsSchema,
	scoringRows,
	type PredictRequest,
	type ScoringBody
} from '../../src/lib/contract';
import { InvalidInput, TooLarge } from '../domain/errors';
import { parseOrInvalid } from '../domain/parse';

/**
 * Predict bodies as the inference service reads them: MLflow's envelopes (any graph) and Edgebook's rows or
 * columns (a notebook-trained model, which also takes MLflow's table formats). A body over the batch limit is
 * TooLarge before any value is converted; a malformed one is InvalidInput naming the part at fault.
 */

export const tooLarge = (count: number) =>
	new TooLarge({
		message: `${count} rows is more than the ${LIMITS.predictRows} one request may score; send them in batches.`,
		details: { rows: count, limit: LIMITS.predictRows }
	});

/** MLflow's envelope read once; a malformed one is InvalidInput naming the part at fault. */
export function scoringBody(raw: unknown): ScoringBody {
	try {
		const body = parseScoringBody(raw);
		const count = scoringRows(body);
		if (count > LIMITS.predictRows) throw tooLarge(count);
		return body;
	} catch (e) {
		if (!(e instanceof ScoringBodyError)) throw e;
		throw new InvalidInput({ message: `Invalid body: ${e.message}`, details: { path: e.path } });
	}
}

const hasMlflowFormat = (raw: unknown) =>
	typeof raw === 'object' && raw !== null && MLFLOW_FORMATS.some((k) => k in raw);

/**
 * MLflow's formats for a notebook-trained model, whose graph takes encoded features: a table (dataframe_split,
 * dataframe_records, a list of records as instances/inputs) becomes rows, an object of columns becomes columns.
 */
function asRowsOrColumns(raw: unknown): unknown {
	const body = scoringBody(raw);
	if (body.kind === 'records')
		return { rows: body.data.map((row) => Object.fromEntries(body.columns.map((c, i) => [c, row[i]]))) };
	if (body.kind === 'named') return { columns: body.values };
	throw new InvalidInput({
		message: `Invalid body: this model takes raw feature records (its preprocessing runs here), not a bare tensor: send dataframe_split, dataframe_records, or ${body.format} as a list of records or an object of column → values.`,
		details: { path: body.format }
	});
}

/** The body as rows or columns; more than LIMITS.predictRows is TooLarge rather than a shape error. */
export function predictBody(body: unknown): PredictRequest {
	const raw = hasMlflowFormat(body) ? asRowsOrColumns(body) : body;
	const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
	const rows = isObject && 'rows' in raw ? raw.rows : undefined;
	const columns = isObject && 'columns' in raw ? raw.columns : undefined;
	const lengths = Array.isArray(rows)
		? [rows.length]
		: typeof columns === 'object' && columns !== null
			? Object.values(columns).map((col) => (Array.isArray(col) ? col.length : 0))
			: [];
	const count = Math.max(0, ...lengths);
	if (count > LIMITS.predictRows) throw tooLarge(count);
	if (rows === undefined && columns !== undefined) return parseOrInvalid(predictColumnsSchema, raw, 'body');
	return parseOrInvalid(predictRowsSchema, raw, 'body');
}
