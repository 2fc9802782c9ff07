import type { PredictionRecord } from '../../src/lib/contract';
import { tally, type RequestTally } from '../monitoring/requests';
import type { LogChunk, LogOwner, PredictionLog } from './log-object';

/**
 * The prediction log's two ends for the rest of the Worker: `appendLog` (called from `waitUntil` after an answer)
 * and `readLog` (a time range: the D1 index names the R2 batches to read, and the model's buffer adds the rows not
 * yet written out).
 */

export interface LogEnv {
	DB: D1Database;
	ARTIFACTS: R2Bucket;
	PREDICTION_LOG: DurableObjectNamespace<PredictionLog>;
}

export const logFor = (env: Pick<LogEnv, 'PREDICTION_LOG'>, o: LogOwner) =>
	env.PREDICTION_LOG.get(env.PREDICTION_LOG.idFromName(`${o.workspaceId}\n${o.modelName}`));

/**
 * The most characters of NDJSON one stored chunk holds: a Durable Object's SQLite refuses a value over 2 MB
 * (SQLITE_TOOBIG), and a gathering of many wide requests passes that easily (20 requests of 1,000 rows did, and
 * every one of their rows was lost). 256 Ki characters are at most 768 KiB of UTF-8.
 */
export const MAX_CHUNK_CHARS = 256 * 1024;

/** The records as NDJSON pieces of at most MAX_CHUNK_CHARS (a single longer record goes alone). */
export function chunksOf(records: PredictionRecord[]): LogChunk[] {
	const out: LogChunk[] = [];
	let lines: string[] = [];
	let rows: PredictionRecord[] = [];
	let size = 0;
	const close = () => {
		if (!rows.length) return;
		out.push({
			ndjson: lines.join('\n'),
			firstAt: Math.min(...rows.map((r) => r.at)),
			lastAt: Math.max(...rows.map((r) => r.at)),
			count: rows.length,
			firstId: rows[0].id
		});
		[lines, rows, size] = [[], [], 0];
	};
	for (const r of records) {
		const line = JSON.stringify(r);
		if (rows.length && size + line.length + 1 > MAX_CHUNK_CHARS) close();
		lines.push(line);
		rows.push(r);
		size += line.length + 1;
	}
	close();
	return out;
}

export async function appendLog(
	env: Pick<LogEnv, 'PREDICTION_LOG'>,
	o: LogOwner,
	records: PredictionRecord[],
	requests: RequestTally[] = []
) {
	if (!records.length && !requests.length) return;
	// One NDJSON text per piece: one structured clone and one insert in the buffer, whatever the rows.
	const chunks = chunksOf(records);
	const log = logFor(env, o);
	if (!chunks.length) return log.append(o, null, requests);
	for (let i = 0; i < chunks.length; i++) await log.append(o, chunks[i], i === 0 ? requests : []);
}

/**
 * How long an isolate gathers rows for one model before they go to its Durable Object in one call. At 25 ms the
 * calls cost 13–21% of requests/s at 1–8 connections under wrangler dev; at 250 ms the log costs 0.5% of a
 * 1-row prediction's p50 (bench:serving). The rows wait in the isolate, kept alive by waitUntil.
 */
export const GATHER_MS = 250;

interface Gathering {
	rows: PredictionRecord[];
	requests: Map<string, RequestTally>;
}

const gathering = new Map<string, Gathering>();

/**
 * The model's open gathering in this isolate: rows and request counts wait GATHER_MS and then go to its Durable
 * Object in one call, so under concurrency many requests share one call instead of each making its own. The first
 * request of a window schedules the send with its `waitUntil` (which keeps the isolate until it is done); the
 * others only add to it.
 */
function gatheringFor(
	env: Pick<LogEnv, 'PREDICTION_LOG'>,
	o: LogOwner,
	waitUntil: (work: Promise<unknown>) => void
): Gathering {
	const key = `${o.workspaceId}\n${o.modelName}`;
	const open = gathering.get(key);
	if (open) return open;
	const g: Gathering = { rows: [], requests: new Map() };
	gathering.set(key, g);
	const send = new Promise((resolve) => setTimeout(resolve, GATHER_MS)).then(() => {
		// Closed before the call: rows arriving while it runs open the next window.
		gathering.delete(key);
		return appendLog(env, o, g.rows, [...g.requests.values()]);
	});
	waitUntil(send.catch((e) => console.error('prediction log: append failed', e)));
	return g;
}

/** Logged rows, gathered for the model's log (see gatheringFor). */
export function gatherLog(
	env: Pick<LogEnv, 'PREDICTION_LOG'>,
	o: LogOwner,
	records: PredictionRecord[],
	waitUntil: (work: Promise<unknown>) => void
): void {
	if (!records.length) return;
	gatheringFor(env, o, waitUntil).rows.push(...records);
}

/** One answer of a predict route (its status) counted for the version that gave it (see gatheringFor). */
export function countRequest(
	env: Pick<LogEnv, 'PREDICTION_LOG'>,
	o: LogOwner,
	answer: { version: number; status: number; at: number },
	waitUntil: (work: Promise<unknown>) => void
): void {
	tally(gatheringFor(env, o, waitUntil).requests, answer.version, answer.at, answer.status);
}

/** Batches read for one page at most: a range wider than this is answered in pages (`truncated`). */
const MAX_BATCHES = 50;

export async function readLog(
	env: LogEnv,
	o: LogOwner,
	range: { from: number; to: number; limit: number }
): Promise<{ predictions: PredictionRecord[]; truncated: boolean }> {
	const { results } = await env.DB.prepare(
		`SELECT object_key FROM prediction_batches WHERE workspace_id = ? AND model_name = ? AND last_at >= ? AND first_at <= ?
		 ORDER BY first_at, object_key LIMIT ?`
	)
		.bind(o.workspaceId, o.modelName, range.from, range.to, MAX_BATCHES + 1)
		.all<{ object_key: string }>();
	const byId = new Map<string, PredictionRecord>();
	for (const { object_key } of results.slice(0, MAX_BATCHES)) {
		const obj = await env.ARTIFACTS.get(object_key);
		if (!obj) continue;
		for (const line of (await obj.text()).split('\n')) {
			if (!line) continue;
			const r = JSON.parse(line) as PredictionRecord;
			if (r.at >= range.from && r.at <= range.to) byId.set(r.id, r);
		}
	}
	// A row being written out can be in a batch and still buffered for an instant: one copy by id.
	for (const line of await logFor(env, o).pending(range.from, range.to)) {
		if (!line) continue;
		const r = JSON.parse(line) as PredictionRecord;
		if (r.at >= range.from && r.at <= range.to) byId.set(r.id, r);
	}
	const all = [...byId.values()].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	return {
		predictions: all.slice(0, range.limit),
		truncated: all.length > range.limit || results.length > MAX_BATCHES
	};
}
