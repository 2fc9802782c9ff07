import type {
	AlertDelivery,
	AlertEvent,
	AlertRule,
	AlertRuleInput,
	AlertWebhookBody
} from '../../src/lib/contract';
import { alertRuleInputSchema } from '../../src/lib/contract';
import type { Firing } from './alert-rules';
import { MAX_ATTEMPTS, deliver, retryAt } from './webhook';

/**
 * A model's alert rules, their history and their webhook deliveries, in the model's log object's SQLite (the
 * windows they judge live there too, so firing is one object's decision and needs no lock). The webhook secret is
 * stored with its rule and never leaves except as a signature.
 */

type StoredRule = AlertRule & { secret: string | null };
type Sql = SqlStorage;

export function initAlerts(sql: Sql) {
	sql.exec(
		`CREATE TABLE IF NOT EXISTS alert_rules (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at INTEGER NOT NULL);
		 CREATE TABLE IF NOT EXISTS alert_events (id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, version INTEGER NOT NULL,
		   fired_at INTEGER NOT NULL, body TEXT NOT NULL, delivery TEXT NOT NULL);
		 CREATE INDEX IF NOT EXISTS alert_events_by_rule ON alert_events (rule_id, version, fired_at);
		 CREATE TABLE IF NOT EXISTS alert_deliveries (event_id TEXT NOT NULL, attempt INTEGER NOT NULL, at INTEGER NOT NULL,
		   status INTEGER, error TEXT, PRIMARY KEY (event_id, attempt));
		 CREATE TABLE IF NOT EXISTS alert_queue (event_id TEXT PRIMARY KEY, next_at INTEGER NOT NULL, attempts INTEGER NOT NULL);`
	);
}

const publicRule = ({ secret: _secret, ...rule }: StoredRule): AlertRule => rule;

export function createRule(sql: Sql, model: string, input: AlertRuleInput, now: number): AlertRule {
	const r = alertRuleInputSchema.parse(input);
	const rule: StoredRule = {
		...r,
		id: `al_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`,
		model,
		createdAt: now,
		webhook: r.webhook ? { url: r.webhook.url } : null,
		secret: r.webhook?.secret ?? null
	};
	sql.exec(
		'INSERT INTO alert_rules (id, body, created_at) VALUES (?, ?, ?)',
		rule.id,
		JSON.stringify(rule),
		now
	);
	return publicRule(rule);
}

function storedRules(sql: Sql): StoredRule[] {
	return sql
		.exec<{ body: string }>('SELECT body FROM alert_rules ORDER BY created_at, id')
		.toArray()
		.map((r) => JSON.parse(r.body) as StoredRule);
}

export const listRules = (sql: Sql): AlertRule[] => storedRules(sql).map(publicRule);

/** Deletes a rule; its history stays, and its queued deliveries stop. */
export function deleteRule(sql: Sql, id: string): boolean {
	const had = sql.exec('SELECT 1 FROM alert_rules WHERE id = ?', id).toArray().length > 0;
	sql.exec('DELETE FROM alert_rules WHERE id = ?', id);
	return had;
}

export const hasRules = (sql: Sql) => sql.exec('SELECT 1 FROM alert_rules LIMIT 1').toArray().length > 0;
export const rulesOf = storedRules;

/**
 * Records a rule's firings, each unless the same rule fired for the same version within its cooldown; queues the
 * webhook's first attempt. Answers the events recorded.
 */
export function recordFirings(
	sql: Sql,
	rule: StoredRule,
	firings: Firing[],
	window: { start: number; ms: number },
	now: number
): AlertEvent[] {
	const out: AlertEvent[] = [];
	for (const f of firings) {
		const last = sql
			.exec<{ at: number | null }>(
				'SELECT MAX(fired_at) AS at FROM alert_events WHERE rule_id = ? AND version = ?',
				rule.id,
				f.version
			)
			.one().at;
		if (last !== null && now - last < rule.cooldownMs) continue;
		const event: AlertEvent = {
			id: `ae_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`,
			ruleId: rule.id,
			ruleName: rule.name,
			kind: rule.kind,
			model: rule.model,
			version: f.version,
			windowStart: window.start,
			windowMs: window.ms,
			value: f.value,
			threshold: rule.threshold ?? null,
			message: f.message,
			firedAt: now,
			delivery: rule.webhook ? 'pending' : 'none',
			deliveries: []
		};
		const { delivery: _d, deliveries: _ds, ...body } = event;
		sql.exec(
			'INSERT INTO alert_events (id, rule_id, version, fired_at, body, delivery) VALUES (?, ?, ?, ?, ?, ?)',
			event.id,
			rule.id,
			f.version,
			now,
			JSON.stringify(body),
			event.delivery
		);
		if (rule.webhook)
			sql.exec('INSERT INTO alert_queue (event_id, next_at, attempts) VALUES (?, ?, 0)', event.id, now);
		out.push(event);
	}
	return out;
}

/**
 * Sends every queued delivery that is due, once each: a 2xx is delivered, a failure is retried later (MAX_ATTEMPTS in
 * all, spaced by `retryBaseMs` × 5^n), then recorded as failed. Answers when the next queued one is due, or null.
 */
export async function deliverDue(sql: Sql, now: number, retryBaseMs: number): Promise<number | null> {
	const due = sql
		.exec<{ event_id: string; attempts: number }>(
			'SELECT event_id, attempts FROM alert_queue WHERE next_at <= ? ORDER BY next_at',
			now
		)
		.toArray();
	const rules = new Map(storedRules(sql).map((r) => [r.id, r]));
	for (const q of due) {
		const row = sql
			.exec<{ rule_id: string; body: string }>(
				'SELECT rule_id, body FROM alert_events WHERE id = ?',
				q.event_id
			)
			.toArray()[0];
		const rule = row ? rules.get(row.rule_id) : undefined;
		const attempt = q.attempts + 1;
		if (!row || !rule?.webhook || !rule.secret) {
			sql.exec('DELETE FROM alert_queue WHERE event_id = ?', q.event_id);
			if (row) {
				sql.exec("UPDATE alert_events SET delivery = 'failed' WHERE id = ?", q.event_id);
				sql.exec(
					'INSERT INTO alert_deliveries (event_id, attempt, at, status, error) VALUES (?, ?, ?, NULL, ?)',
					q.event_id,
					attempt,
					now,
					'the rule was deleted before delivery'
				);
			}
			continue;
		}
		const payload: AlertWebhookBody = { type: 'alert.fired', event: JSON.parse(row.body) };
		const res = await deliver(rule.webhook.url, rule.secret, q.event_id, JSON.stringify(payload), now);
		sql.exec(
			'INSERT INTO alert_deliveries (event_id, attempt, at, status, error) VALUES (?, ?, ?, ?, ?)',
			q.event_id,
			attempt,
			now,
			res.status,
			res.error
		);
		if (res.ok || attempt >= MAX_ATTEMPTS) {
			sql.exec('DELETE FROM alert_queue WHERE event_id = ?', q.event_id);
			sql.exec(
				'UPDATE alert_events SET delivery = ? WHERE id = ?',
				res.ok ? 'delivered' : 'failed',
				q.event_id
			);
		} else
			sql.exec(
				'UPDATE alert_queue SET attempts = ?, next_at = ? WHERE event_id = ?',
				attempt,
				retryAt(now, attempt, retryBaseMs),
				q.event_id
			);
	}
	return sql.exec<{ at: number | null }>('SELECT MIN(next_at) AS at FROM alert_queue').one().at;
}

export function listEvents(sql: Sql, limit: number): AlertEvent[] {
	const rows = sql
		.exec<{ id: string; body: string; delivery: AlertEvent['delivery'] }>(
			'SELECT id, body, delivery FROM alert_events ORDER BY fired_at DESC, id LIMIT ?',
			limit
		)
		.toArray();
	return rows.map((r) => ({
		...(JSON.parse(r.body) as Omit<AlertEvent, 'delivery' | 'deliveries'>),
		delivery: r.delivery,
		deliveries: sql
			.exec<{ attempt: number; at: number; status: number | null; error: string | null }>(
				'SELECT attempt, at, status, error FROM alert_deliveries WHERE event_id = ? ORDER BY attempt',
				r.id
			)
			.toArray()
			.map((d): AlertDelivery => ({ ...d }))
	}));
}
