import { predictionLogPageSchema, type PredictionRecord } from '$lib/contract';

/**
 * A model's prediction log as a notebook table: every record the registry holds, one row each, flattened so SQL
 * reads it without JSON functions: `id, at (ms), time (ISO), model, version, alias, route, shadow_of, latency_ms`,
 * then `input_<name>` per input field and `output_<name>` per output field (a nested object's keys joined with
 * `_`, e.g. `output_probabilities_Adelie`; arrays stay JSON text). Written as NDJSON for the dataset loader.
 */

/** Pages a log reader is asked for at most, so a huge log cannot hang the tab: 200 × 10,000 rows. */
const MAX_PAGES = 200;
const PAGE = 10_000;

function flattenInto(out: Record<string, unknown>, prefix: string, value: unknown): void {
	if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
		for (const [k, v] of Object.entries(value)) flattenInto(out, `${prefix}_${k}`, v);
		return;
	}
	out[prefix] = Array.isArray(value) ? JSON.stringify(value) : value;
}

export function flattenRecord(r: PredictionRecord): Record<string, unknown> {
	const row: Record<string, unknown> = {
		id: r.id,
		at: r.at,
		time: new Date(r.at).toISOString(),
		model: r.model,
		version: r.version,
		alias: r.alias,
		route: r.route,
		shadow_of: r.shadowOf ?? null,
		latency_ms: r.latencyMs
	};
	if (r.inputsHash !== undefined) row.inputs_sha256 = r.inputsHash;
	for (const [k, v] of Object.entries(r.inputs ?? {})) flattenInto(row, `input_${k}`, v);
	if (r.outputs !== null && typeof r.outputs === 'object' && !Array.isArray(r.outputs))
		flattenInto(row, 'output', r.outputs);
	else row.output = Array.isArray(r.outputs) ? JSON.stringify(r.outputs) : r.outputs;
	return row;
}

/** Every record, oldest first, through the paged read API (`from` the last page's last time; ids dedupe). */
export async function readPredictionLog(
	get: (path: string) => Promise<unknown>,
	model: string
): Promise<PredictionRecord[]> {
	const seen = new Set<string>();
	const out: PredictionRecord[] = [];
	let from = 0;
	for (let page = 0; page < MAX_PAGES; page++) {
		const body = predictionLogPageSchema.parse(
			await get(`/api/v1/models/${encodeURIComponent(model)}/predictions?from=${from}&limit=${PAGE}`)
		);
		for (const r of body.predictions)
			if (!seen.has(r.id)) {
				seen.add(r.id);
				out.push(r);
			}
		if (!body.truncated || !body.predictions.length) return out;
		from = body.predictions.at(-1)!.at;
	}
	return out;
}

export function predictionLogFile(model: string, records: PredictionRecord[]): File {
	const text = records.map((r) => JSON.stringify(flattenRecord(r))).join('\n');
	const name = `predictions_${model.replace(/[^A-Za-z0-9]+/g, '_')}.ndjson`;
	return new File([text], name, { type: 'application/x-ndjson' });
}
