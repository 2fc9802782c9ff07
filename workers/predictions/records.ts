import { sha256Hex } from '../auth/hash';
import type { PredictRequest, PredictionRecord, ScoringBody } from '../../src/lib/contract';

/**
 * What one scored request puts in the prediction log: a record per row with that row's inputs (or their hash)
 * and its prediction. Pure, so the slicing is tested without a runtime.
 */

/** Each row's inputs from Edgebook's own rows/columns body. */
export function rowsOfRequest(req: PredictRequest): Record<string, unknown>[] {
	if ('rows' in req) return req.rows;
	const cols = Object.entries(req.columns);
	const n = cols[0]?.[1].length ?? 0;
	return Array.from({ length: n }, (_, i) => Object.fromEntries(cols.map(([k, v]) => [k, v[i]])));
}

/** Each row's inputs from an MLflow body; a bare tensor is keyed by the graph's one input name. */
export function rowsOfScoring(body: ScoringBody, inputName: string): Record<string, unknown>[] {
	if (body.kind === 'records')
		return body.data.map((row) => Object.fromEntries(body.columns.map((c, j) => [c, row[j]])));
	if (body.kind === 'tensor') return body.value.map((v) => ({ [inputName]: v }));
	const entries = Object.entries(body.values);
	const n = entries[0]?.[1].length ?? 0;
	return Array.from({ length: n }, (_, i) => Object.fromEntries(entries.map(([k, v]) => [k, v[i]])));
}

/** Row i's prediction: the i-th record of a list, or each output's i-th slice of outputs by name. */
export function outputOfRow(predictions: unknown, i: number, rows: number): unknown {
	if (Array.isArray(predictions)) return predictions[i];
	if (typeof predictions === 'object' && predictions !== null)
		return Object.fromEntries(
			Object.entries(predictions).map(([k, v]) => [k, Array.isArray(v) && v.length === rows ? v[i] : v])
		);
	return predictions;
}

/**
 * UUIDv7s (RFC 9562): 48 bits of milliseconds, then a 12-bit counter that orders ids made in the same
 * millisecond (workerd's clock stands still within a request), then random bits. Sorting by id is then sorting by
 * time and, within one request, by row, which the log's reads rely on. The clock never runs backwards here: an
 * earlier `now` than the last one keeps the last one's time and counts on.
 */
export function idSource(): (now?: number) => string {
	let lastMs = 0;
	let counter = 0;
	const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
	return (now = Date.now()) => {
		if (now > lastMs) {
			lastMs = now;
			counter = 0;
		} else counter = (counter + 1) & 0xfff;
		const rand = crypto.getRandomValues(new Uint8Array(8));
		const ms = hex(lastMs, 12);
		const variant = hex((rand[0] & 0x3f) | 0x80, 2);
		const tail = Array.from(rand.subarray(1), (b) => hex(b, 2)).join('');
		return `${ms.slice(0, 8)}-${ms.slice(8)}-7${hex(counter, 3)}-${variant}${tail.slice(0, 2)}-${tail.slice(2)}`;
	};
}

/** The isolate's one source of prediction ids. */
export const predictionId = idSource();

export async function predictionRecords(o: {
	ids: string[];
	at: number;
	model: string;
	version: number;
	alias: string | null;
	inputs: Record<string, unknown>[];
	predictions: unknown;
	latencyMs: number;
	hashInputs: boolean;
	route: PredictionRecord['route'];
	/** For a shadow's rows: the ids of the rows the answer gave, in the same order. */
	shadowOf?: string[];
}): Promise<PredictionRecord[]> {
	const rows = o.ids.length;
	return Promise.all(
		o.ids.map(async (id, i) => ({
			id,
			at: o.at,
			model: o.model,
			version: o.version,
			alias: o.alias,
			...(o.hashInputs
				? { inputsHash: await sha256Hex(JSON.stringify(o.inputs[i])) }
				: { inputs: o.inputs[i] }),
			outputs: outputOfRow(o.predictions, i, rows),
			latencyMs: o.latencyMs,
			status: 'ok' as const,
			route: o.route,
			...(o.shadowOf ? { shadowOf: o.shadowOf[i] } : {})
		}))
	);
}
