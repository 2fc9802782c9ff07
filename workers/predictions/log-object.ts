import { DurableObject } from 'cloudflare:workers';
import type {
	AlertEvent,
	AlertRule,
	AlertRuleInput,
	DriftWindow,
	FeatureDistribution,
	Feedback,
	FeedbackResult,
	PerformanceWindow,
	PredictionRecord,
	ReferenceSummary
} from '../../src/lib/contract';
import { DatasetProfile } from '../../src/lib/ml/profile';
import { judge } from '../monitoring/alert-rules';
import {
	createRule,
	deleteRule,
	deliverDue,
	hasRules,
	initAlerts,
	listEvents,
	listRules,
	recordFirings,
	rulesOf
} from '../monitoring/alert-store';
import { loadReference, type LoadedReference } from '../monitoring/reference';
import {
	addRequests,
	forgetRequests,
	initRequests,
	requestsIn,
	withRequests,
	type RequestTally
} from '../monitoring/requests';
import { openRetrain } from '../retrain/tasks';
import {
	HOUR_MS,
	driftWindows,
	featureDistribution,
	newWindow,
	referenceSummary,
	rowOf,
	windowStart,
	type StoredWindow
} from '../monitoring/windows';
import { outcomeOf } from './outcomes';
import { joinedOutcomes, labelledRows, recordLabels } from './labels';
import { performanceWindows } from './performance';

/**
 * One model's prediction log buffer (one instance per workspace and model: `logFor`). Predict requests append
 * their rows here from `waitUntil`, so the answer never waits on storage; rows wait in the object's SQLite
 * (durable: a restart loses none) and are written out as one NDJSON object in R2 per batch, indexed in D1
 * (`prediction_batches`), when `FLUSH_ROWS` have gathered or `FLUSH_MS` after the first of a batch (an alarm).
 * Why a Durable Object and batches (one R2 write per ~thousand rows instead of one D1 row per prediction):
 * docs/architecture.md, "The prediction log".
 */

export const FLUSH_ROWS = 1000;
export const FLUSH_MS = 10_000;
/** How long a prediction's outcome waits for its label (and counts in live performance). */
export const OUTCOME_RETENTION_MS = 30 * 24 * 3600 * 1000;
/** How long hourly drift windows are kept. */
export const WINDOW_RETENTION_MS = 90 * 24 * 3600 * 1000;
/** A version found without a reference is asked again after this long (one may be uploaded or synced meanwhile). */
const MISSING_REFERENCE_TTL_MS = 60_000;

export interface LogOwner {
	workspaceId: string;
	modelName: string;
}

/** The R2 key of a batch: by model and time, so a range read lists in order; the first id makes a retry idempotent. */
export const batchKey = (o: LogOwner, firstAt: number, firstId: string) =>
	`predictions/${o.workspaceId}/${encodeURIComponent(o.modelName)}/${String(firstAt).padStart(15, '0')}-${firstId}.ndjson`;

/** One request's rows as NDJSON, with what the buffer needs to know without parsing them. */
export interface LogChunk {
	ndjson: string;
	firstAt: number;
	lastAt: number;
	count: number;
	/** The first row's id: with its time, it names the batch the chunk opens (a retried flush overwrites it). */
	firstId: string;
}

export class PredictionLog extends DurableObject<Env & { WEBHOOK_RETRY_BASE_MS?: string }> {
	#ready = false;
	/** Hourly windows being written (and any read back since), by `version:start`; `#dirty` are not yet stored. */
	#windows = new Map<string, StoredWindow>();
	#dirty = new Set<string>();
	/** The highest chunk whose rows are in the windows; stored with them, so a restart replays only later chunks. */
	#applied = 0;
	#replayed = false;
	#inAlarm = false;
	#references = new Map<number, { loaded: LoadedReference; at: number }>();

	#init() {
		if (this.#ready) return;
		// One row per request, its rows as one NDJSON text: a 1,000-row request is one insert and one string over
		// RPC, not a thousand of each.
		this.ctx.storage.sql.exec(
			`CREATE TABLE IF NOT EXISTS pending_chunks (seq INTEGER PRIMARY KEY AUTOINCREMENT, first_at INTEGER NOT NULL,
			   last_at INTEGER NOT NULL, count INTEGER NOT NULL, first_id TEXT NOT NULL, body TEXT NOT NULL);
			 CREATE TABLE IF NOT EXISTS owner (k INTEGER PRIMARY KEY CHECK (k = 1), workspace_id TEXT, model_name TEXT);
			 CREATE TABLE IF NOT EXISTS outcomes (id TEXT PRIMARY KEY, at INTEGER NOT NULL, version INTEGER NOT NULL,
			   route TEXT NOT NULL, shadow_of TEXT, kind TEXT NOT NULL, predicted TEXT, probs TEXT, value REAL);
			 CREATE INDEX IF NOT EXISTS outcomes_by_time ON outcomes (at);
			 CREATE TABLE IF NOT EXISTS labels (id TEXT PRIMARY KEY, label_text TEXT, label_value REAL,
			   received_at INTEGER NOT NULL);
			 CREATE TABLE IF NOT EXISTS windows (version INTEGER NOT NULL, start INTEGER NOT NULL, profile TEXT NOT NULL,
			   PRIMARY KEY (version, start));
			 CREATE TABLE IF NOT EXISTS profiled (k INTEGER PRIMARY KEY CHECK (k = 1), seq INTEGER NOT NULL);`
		);
		initAlerts(this.ctx.storage.sql);
		initRequests(this.ctx.storage.sql);
		this.#ready = true;
	}

	#owner(): LogOwner | null {
		const row = this.ctx.storage.sql
			.exec<{ workspace_id: string; model_name: string }>('SELECT * FROM owner')
			.toArray()[0];
		return row ? { workspaceId: row.workspace_id, modelName: row.model_name } : null;
	}

	/**
	 * Buffers one request's rows and adds them to their hourly windows; flushes at once past FLUSH_ROWS, else sets the
	 * batch's alarm. The chunk's insert and its rows' outcomes are one transaction, and the windows take the rows in
	 * the same synchronous step, so what is buffered and what is profiled never differ (docs/architecture.md,
	 * "Monitoring").
	 */
	async append(owner: LogOwner, chunk: LogChunk | null, requests: RequestTally[] = []): Promise<void> {
		this.#init();
		this.ctx.storage.sql.exec(
			'INSERT OR IGNORE INTO owner (k, workspace_id, model_name) VALUES (1, ?, ?)',
			owner.workspaceId,
			owner.modelName
		);
		if (!chunk) {
			addRequests(this.ctx.storage.sql, requests);
			// Errors alone write no batch, so no flush alarm would come: the rules are checked at one anyway.
			if (hasRules(this.ctx.storage.sql) && (await this.ctx.storage.getAlarm()) === null)
				await this.ctx.storage.setAlarm(Date.now() + FLUSH_MS);
			return;
		}
		const records = parseChunk(chunk.ndjson);
		await this.#replay(owner);
		await this.#referencesFor(owner, records);
		this.ctx.storage.transactionSync(() => {
			const { seq } = this.ctx.storage.sql
				.exec<{ seq: number }>(
					'INSERT INTO pending_chunks (first_at, last_at, count, first_id, body) VALUES (?, ?, ?, ?, ?) RETURNING seq',
					chunk.firstAt,
					chunk.lastAt,
					chunk.count,
					chunk.firstId,
					chunk.ndjson
				)
				.one();
			this.#keepOutcomes(records);
			this.#profile(records, seq);
			addRequests(this.ctx.storage.sql, requests);
		});
		const rows = this.ctx.storage.sql
			.exec<{ n: number }>('SELECT COALESCE(SUM(count), 0) AS n FROM pending_chunks')
			.one().n;
		if (rows >= FLUSH_ROWS) await this.flush();
		else if ((await this.ctx.storage.getAlarm()) === null)
			await this.ctx.storage.setAlarm(Date.now() + FLUSH_MS);
	}

	/** Each record into its version's window for its hour (read back, or new and shaped by the version's reference). */
	#profile(records: PredictionRecord[], seq: number) {
		for (const r of records) {
			const start = windowStart(r.at);
			const key = `${r.version}:${start}`;
			let w = this.#windows.get(key);
			if (!w) {
				const stored = this.ctx.storage.sql
					.exec<{ profile: string }>(
						'SELECT profile FROM windows WHERE version = ? AND start = ?',
						r.version,
						start
					)
					.toArray()[0];
				const profile = stored
					? DatasetProfile.fromJSON(JSON.parse(stored.profile))
					: newWindow(this.#references.get(r.version)?.loaded.reference ?? null, start);
				w = { version: r.version, start, profile };
				this.#windows.set(key, w);
			}
			w.profile.updateRow(rowOf(r));
			this.#dirty.add(key);
		}
		this.#applied = Math.max(this.#applied, seq);
	}

	/**
	 * Stores the windows changed since the last time with the chunk they include up to, in one transaction. Called
	 * before a flush deletes chunks, and before drift is read. Windows of past hours then leave memory.
	 */
	#storeWindows() {
		this.ctx.storage.transactionSync(() => {
			for (const key of this.#dirty) {
				const w = this.#windows.get(key)!;
				this.ctx.storage.sql.exec(
					'INSERT OR REPLACE INTO windows (version, start, profile) VALUES (?, ?, ?)',
					w.version,
					w.start,
					JSON.stringify(w.profile.toJSON())
				);
			}
			this.ctx.storage.sql.exec('INSERT OR REPLACE INTO profiled (k, seq) VALUES (1, ?)', this.#applied);
		});
		this.#dirty.clear();
		const current = windowStart(Date.now()) - HOUR_MS;
		for (const [key, w] of this.#windows) if (w.start < current) this.#windows.delete(key);
	}

	/**
	 * After a restart: the chunks buffered after the stored windows' last one go into the windows again, so rows
	 * profiled in memory but not yet stored are neither lost nor counted twice.
	 */
	async #replay(owner: LogOwner) {
		if (this.#replayed) return;
		const mark =
			this.ctx.storage.sql.exec<{ seq: number }>('SELECT seq FROM profiled').toArray()[0]?.seq ?? 0;
		const chunks = this.ctx.storage.sql
			.exec<{ seq: number; body: string }>(
				'SELECT seq, body FROM pending_chunks WHERE seq > ? ORDER BY seq',
				mark
			)
			.toArray();
		const parsed = chunks.map((c) => ({ seq: c.seq, records: parseChunk(c.body) }));
		await this.#referencesFor(
			owner,
			parsed.flatMap((c) => c.records)
		);
		if (this.#replayed) return;
		this.#applied = mark;
		for (const c of parsed) this.#profile(c.records, c.seq);
		this.#replayed = true;
	}

	/** The references of the records' versions, loaded once (a missing one is asked again after a minute). */
	async #referencesFor(owner: LogOwner, records: PredictionRecord[]) {
		const now = Date.now();
		const versions = new Set(records.map((r) => r.version));
		for (const version of versions) {
			const had = this.#references.get(version);
			if (had && (had.loaded.reference || now - had.at < MISSING_REFERENCE_TTL_MS)) continue;
			let loaded: LoadedReference;
			try {
				loaded = await loadReference(
					this.env.DB,
					this.env.ARTIFACTS,
					owner.workspaceId,
					owner.modelName,
					version
				);
			} catch (e) {
				// Storage trouble must not cost logged rows: the version's windows count traffic until it reads.
				loaded = {
					reference: null,
					missing: `The reference profile could not be read: ${(e as Error).message}`
				};
			}
			this.#references.set(version, { loaded, at: now });
		}
	}

	/** A reference was uploaded for `version`: the next window of it takes the new shape. */
	forgetReference(version: number): void {
		this.#references.delete(version);
	}

	/**
	 * Drift per window (`windowMs`: an hour or a day) and version over [from, to], against each version's reference,
	 * with the references' summaries (or why a version has none).
	 */
	async drift(
		from: number,
		to: number,
		windowMs: number,
		version: number | null,
		feature: string | null = null
	): Promise<{
		windows: DriftWindow[];
		references: ReferenceSummary[];
		distribution?: FeatureDistribution | null;
	}> {
		this.#init();
		const owner = this.#owner();
		if (!owner) return { windows: [], references: [] };
		await this.#replay(owner);
		this.#storeWindows();
		const rows = this.ctx.storage.sql
			.exec<{ version: number; start: number; profile: string }>(
				`SELECT version, start, profile FROM windows WHERE start >= ? AND start <= ?
				 AND (?3 IS NULL OR version = ?3) ORDER BY start`,
				windowStart(from),
				to,
				version
			)
			.toArray();
		const stored = rows.map((r) => ({
			version: r.version,
			start: r.start,
			profile: DatasetProfile.fromJSON(JSON.parse(r.profile))
		}));
		const versions = [...new Set(stored.map((w) => w.version))];
		await this.#referencesFor(
			owner,
			versions.map((v) => ({ version: v }) as PredictionRecord)
		);
		const references = new Map(versions.map((v) => [v, this.#references.get(v)!.loaded]));
		const out = {
			windows: withRequests(
				driftWindows(stored, windowMs, references),
				requestsIn(this.ctx.storage.sql, from, to, version),
				windowMs
			),
			references: versions.map((v) => referenceSummary(v, references.get(v)!))
		};
		if (feature === null) return out;
		const newest =
			version ?? stored.reduce<number | null>((m, w) => (m === null || w.version > m ? w.version : m), null);
		return {
			...out,
			distribution:
				newest === null
					? null
					: featureDistribution(stored, newest, feature, references.get(newest)?.reference ?? null)
		};
	}

	/**
	 * Rows not yet written out, as NDJSON lines, from the chunks that overlap a time range (the caller filters by
	 * row): the log reads them beside the batches so nothing is invisible.
	 */
	pending(from: number, to: number): string[] {
		this.#init();
		return this.ctx.storage.sql
			.exec<{ body: string }>(
				'SELECT body FROM pending_chunks WHERE last_at >= ? AND first_at <= ? ORDER BY seq',
				from,
				to
			)
			.toArray()
			.flatMap((r) => r.body.split('\n'));
	}

	/**
	 * Writes every pending chunk as one batch: R2 first, then the D1 index, then the chunks leave the buffer. A
	 * failure anywhere leaves them buffered and throws, so the alarm runs again (Durable Object alarms retry); the
	 * key is fixed by the batch's first row, so a retry overwrites rather than duplicates.
	 */
	async flush(): Promise<number> {
		this.#init();
		const owner = this.#owner();
		const chunks = this.ctx.storage.sql
			.exec<{
				seq: number;
				first_at: number;
				last_at: number;
				count: number;
				first_id: string;
				body: string;
			}>('SELECT * FROM pending_chunks ORDER BY seq')
			.toArray();
		if (!owner || chunks.length === 0) return 0;
		// After a restart the windows must hold the buffered rows before they are stored with a new mark.
		await this.#replay(owner);
		const count = chunks.reduce((n, c) => n + c.count, 0);
		const firstAt = Math.min(...chunks.map((c) => c.first_at));
		const lastAt = Math.max(...chunks.map((c) => c.last_at));
		const key = batchKey(owner, chunks[0].first_at, chunks[0].first_id);
		await this.env.ARTIFACTS.put(key, chunks.map((c) => c.body).join('\n') + '\n', {
			httpMetadata: { contentType: 'application/x-ndjson' }
		});
		await this.env.DB.prepare(
			`INSERT OR REPLACE INTO prediction_batches (workspace_id, model_name, object_key, first_at, last_at, count, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?)`
		)
			.bind(owner.workspaceId, owner.modelName, key, firstAt, lastAt, count, Date.now())
			.run();
		// The windows hold every buffered chunk's rows: stored before the chunks go, so a restart replays none twice.
		this.#storeWindows();
		// Only what was written leaves: chunks appended while R2 and D1 were written stay for the next batch.
		this.ctx.storage.sql.exec('DELETE FROM pending_chunks WHERE seq <= ?', chunks.at(-1)!.seq);
		return count;
	}

	async alarm(): Promise<void> {
		// While this runs, the alarm being handled may still read as set: a retry is scheduled regardless.
		this.#inAlarm = true;
		try {
			await this.#alarmWork();
		} finally {
			this.#inAlarm = false;
		}
	}

	async #alarmWork(): Promise<void> {
		await this.flush();
		this.#forgetOld(Date.now());
		if (hasRules(this.ctx.storage.sql)) await this.evaluateAlerts();
		else await this.#deliver(Date.now());
	}

	createAlertRule(model: string, input: AlertRuleInput): AlertRule {
		this.#init();
		return createRule(this.ctx.storage.sql, model, input, Date.now());
	}

	alertRules(): AlertRule[] {
		this.#init();
		return listRules(this.ctx.storage.sql);
	}

	deleteAlertRule(id: string): boolean {
		this.#init();
		return deleteRule(this.ctx.storage.sql, id);
	}

	alertEvents(limit: number): AlertEvent[] {
		this.#init();
		return listEvents(this.ctx.storage.sql, limit);
	}

	/**
	 * Checks every rule on the current window (hour or day) of each version: a rule fires at most once per cooldown
	 * per version, and its webhook gets its first attempt now. Runs after each flush (so under traffic every few
	 * seconds) and on demand. Answers the events fired now.
	 */
	async evaluateAlerts(now = Date.now()): Promise<AlertEvent[]> {
		this.#init();
		const sql = this.ctx.storage.sql;
		const rules = rulesOf(sql);
		const fired: AlertEvent[] = [];
		for (const windowMs of [...new Set(rules.map((r) => (r.window === 'day' ? 86_400_000 : HOUR_MS)))]) {
			const start = Math.floor(now / windowMs) * windowMs;
			const drift = (await this.drift(start, now, windowMs, null)).windows.filter((w) => w.start === start);
			const perf = this.performance(start, now, windowMs).filter((p) => p.start === start);
			for (const rule of rules.filter((r) => (r.window === 'day' ? 86_400_000 : HOUR_MS) === windowMs)) {
				const events = recordFirings(sql, rule, judge(rule, drift, perf), { start, ms: windowMs }, now);
				if (rule.retrain) for (const e of events) await this.#retrain(e);
				fired.push(...events);
			}
		}
		await this.#deliver(now);
		return fired;
	}

	/** A firing that asks for retraining opens the model's task (or joins the open one), named on the event. */
	async #retrain(event: AlertEvent) {
		const owner = this.#owner();
		if (!owner) return;
		try {
			const { task } = await openRetrain(this.env.DB, owner.workspaceId, owner.modelName, {
				trigger: 'alert',
				triggerRef: event.id,
				reason: event.message
			});
			event.retrainTaskId = task.id;
			const { delivery: _d, deliveries: _ds, ...body } = event;
			this.ctx.storage.sql.exec(
				'UPDATE alert_events SET body = ? WHERE id = ?',
				JSON.stringify(body),
				event.id
			);
		} catch (e) {
			// No champion to beat (or D1 trouble): the alert stands; retraining is asked again at the next firing.
			console.error('alert: opening a retraining task failed', e);
		}
	}

	/** Due webhook deliveries, then the alarm set for the next retry if one is queued. */
	async #deliver(now: number) {
		const base = Number(this.env.WEBHOOK_RETRY_BASE_MS ?? '');
		const next = await deliverDue(
			this.ctx.storage.sql,
			now,
			Number.isFinite(base) && base >= 0 ? base : 1000
		);
		if (next === null) return;
		const alarm = this.#inAlarm ? null : await this.ctx.storage.getAlarm();
		if (alarm === null || alarm > next) await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
	}

	/** Each row's outcome, for labels to join later, kept as the rows arrive. */
	#keepOutcomes(records: PredictionRecord[]) {
		for (const r of records) {
			const o = outcomeOf(r);
			this.ctx.storage.sql.exec(
				`INSERT OR IGNORE INTO outcomes (id, at, version, route, shadow_of, kind, predicted, probs, value)
				 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				o.id,
				o.at,
				o.version,
				o.route,
				o.shadowOf,
				o.kind,
				o.kind === 'class' ? o.predicted : null,
				o.kind === 'class' && o.probabilities ? JSON.stringify(o.probabilities) : null,
				o.kind === 'value' ? o.value : null
			);
		}
	}

	#forgetOld(now: number) {
		this.#init();
		const before = now - OUTCOME_RETENTION_MS;
		this.ctx.storage.transactionSync(() => {
			this.ctx.storage.sql.exec(
				'DELETE FROM labels WHERE id IN (SELECT id FROM outcomes WHERE at < ?)',
				before
			);
			this.ctx.storage.sql.exec('DELETE FROM outcomes WHERE at < ?', before);
			this.ctx.storage.sql.exec('DELETE FROM windows WHERE start < ?', now - WINDOW_RETENTION_MS);
			forgetRequests(this.ctx.storage.sql, now - WINDOW_RETENTION_MS);
		});
	}

	/** Labels for logged predictions (workers/predictions/labels.ts), in one transaction. */
	feedback(items: Feedback['labels'], now = Date.now()): FeedbackResult {
		this.#init();
		return this.ctx.storage.transactionSync(() =>
			recordLabels(this.ctx.storage.sql, items, now, OUTCOME_RETENTION_MS)
		);
	}

	/** The labels of answered (not shadow) predictions over [from, to], newest first: a retraining gate's hold-out. */
	labelled(from: number, to: number, limit: number): { id: string; label: string | number }[] {
		this.#init();
		return labelledRows(this.ctx.storage.sql, from, to, limit);
	}

	/** Live performance per window and version over [from, to]: answered rows, and shadows through their row's label. */
	performance(from: number, to: number, windowMs: number): PerformanceWindow[] {
		this.#init();
		return performanceWindows(joinedOutcomes(this.ctx.storage.sql, from, to), windowMs);
	}
}

function parseChunk(ndjson: string): PredictionRecord[] {
	return ndjson
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line) as PredictionRecord);
}
