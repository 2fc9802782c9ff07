import type { DriftWindow } from '../../src/lib/contract';
import { windowStart, type ProfiledWindow } from './windows';

/**
 * Request counts per version and hour, every answer of the predict routes counted (docs/architecture.md,
 * "Monitoring"): the log holds only predictions, sampled, so the error rate cannot come from it. An isolate
 * tallies its answers while it gathers log rows and sends both in the same call to the model's log object, so
 * counting costs no call of its own; the counts are exact whatever the log's sample rate.
 */

/** One isolate's answers for one version and hour: `clientErrors` are 4xx, `serverErrors` 5xx. */
export interface RequestTally {
	version: number;
	start: number;
	requests: number;
	clientErrors: number;
	serverErrors: number;
}

type Sql = SqlStorage;

export function initRequests(sql: Sql) {
	sql.exec(
		`CREATE TABLE IF NOT EXISTS requests (version INTEGER NOT NULL, start INTEGER NOT NULL, requests INTEGER NOT NULL,
		   client_errors INTEGER NOT NULL, server_errors INTEGER NOT NULL, PRIMARY KEY (version, start))`
	);
}

export function addRequests(sql: Sql, tallies: RequestTally[]) {
	for (const t of tallies)
		sql.exec(
			`INSERT INTO requests (version, start, requests, client_errors, server_errors) VALUES (?, ?, ?, ?, ?)
			 ON CONFLICT (version, start) DO UPDATE SET requests = requests + excluded.requests,
			   client_errors = client_errors + excluded.client_errors, server_errors = server_errors + excluded.server_errors`,
			t.version,
			windowStart(t.start),
			t.requests,
			t.clientErrors,
			t.serverErrors
		);
}

export function forgetRequests(sql: Sql, before: number) {
	sql.exec('DELETE FROM requests WHERE start < ?', before);
}

/** The hourly counts over [from, to], optionally of one version. */
export function requestsIn(sql: Sql, from: number, to: number, version: number | null): RequestTally[] {
	return sql
		.exec<{ version: number; start: number; requests: number; client_errors: number; server_errors: number }>(
			`SELECT * FROM requests WHERE start >= ? AND start <= ? AND (?3 IS NULL OR version = ?3) ORDER BY start`,
			windowStart(from),
			to,
			version
		)
		.toArray()
		.map((r) => ({
			version: r.version,
			start: r.start,
			requests: r.requests,
			clientErrors: r.client_errors,
			serverErrors: r.server_errors
		}));
}

/**
 * The drift windows with each one's request counts and error rate added: a window with requests and no logged row
 * (every answer an error, or a sample rate of 0) appears with rows 0 and no drift result.
 */
export function withRequests(
	windows: ProfiledWindow[],
	tallies: RequestTally[],
	windowMs: number
): DriftWindow[] {
	const counts = new Map<string, Omit<RequestTally, 'version' | 'start'>>();
	for (const t of tallies) {
		const key = `${t.version}\n${Math.floor(t.start / windowMs) * windowMs}`;
		const c = counts.get(key) ?? { requests: 0, clientErrors: 0, serverErrors: 0 };
		c.requests += t.requests;
		c.clientErrors += t.clientErrors;
		c.serverErrors += t.serverErrors;
		counts.set(key, c);
	}
	const out = windows.map((w) => {
		const key = `${w.version}\n${w.start}`;
		const c = counts.get(key) ?? { requests: 0, clientErrors: 0, serverErrors: 0 };
		counts.delete(key);
		return { ...w, ...c, errorRate: rate(c) };
	});
	for (const [key, c] of counts) {
		const [version, start] = key.split('\n').map(Number);
		out.push({
			start,
			windowMs,
			version,
			rows: 0,
			latencyP50: null,
			latencyP99: null,
			features: [],
			drifted: 0,
			share: 0,
			datasetDrift: false,
			...c,
			errorRate: rate(c)
		});
	}
	return out.sort((a, b) => a.start - b.start || a.version - b.version);
}

const rate = (c: { requests: number; clientErrors: number; serverErrors: number }) =>
	c.requests ? (c.clientErrors + c.serverErrors) / c.requests : null;

/** Adds one answer to an isolate's tallies (keyed by version and hour). */
export function tally(into: Map<string, RequestTally>, version: number, at: number, status: number) {
	const start = windowStart(at);
	const key = `${version}:${start}`;
	const t = into.get(key) ?? { version, start, requests: 0, clientErrors: 0, serverErrors: 0 };
	t.requests++;
	if (status >= 500) t.serverErrors++;
	else if (status >= 400) t.clientErrors++;
	into.set(key, t);
}
