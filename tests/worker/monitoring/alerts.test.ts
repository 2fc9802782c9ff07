import { runDurableObjectAlarm } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent, AlertRule, AlertWebhookBody } from '../../../src/lib/contract';
import { logFor } from '../../../workers/predictions/log-store';
import { signature } from '../../../workers/monitoring/webhook';
import { settle, testEnv, type ErrorJson } from '../helpers';
import { api, ok } from '../v1/fixtures';
import { draw, predict, reference, trainedVersion } from './fixtures';

/**
 * Alert rules on a model's current window: drift share, one feature, metric floors on labelled rows, the estimated
 * accuracy, p99 latency; each fires once per cooldown, lands in the history, and is delivered to a webhook signed
 * with HMAC-SHA256 and retried (the receiver is tests/worker/webhook-receiver.ts).
 */

const SECRET = 'a-webhook-secret-of-some-length';
const stub = (model: string) => logFor(testEnv, { workspaceId: 'local', modelName: model });
const rule = (model: string, body: unknown) =>
	api(`/api/v1/models/${model}/alerts`, { method: 'POST', json: body });
const evaluate = async (model: string) =>
	(await ok<{ fired: AlertEvent[] }>(`/api/v1/models/${model}/alerts/evaluate`, { method: 'POST' })).fired;
const events = async (model: string) =>
	(await ok<{ events: AlertEvent[] }>(`/api/v1/models/${model}/alerts/events`)).events;
const received = async () =>
	(await (await fetch('http://webhook.test/_received')).json()) as {
		path: string;
		headers: Record<string, string>;
		body: string;
	}[];

let ids: string[];

/**
 * Runs the log object's alarm until the model's latest event's delivery settles. With retries due at once here, the
 * runtime may also fire the alarm by itself, so a fixed number of runs would race it; the attempts are what count.
 */
async function retriedUntil(model: string, state: AlertEvent['delivery']): Promise<AlertEvent> {
	for (let i = 0; i < 40; i++) {
		const [e] = await events(model);
		if (e.delivery === state) return e;
		await runDurableObjectAlarm(stub(model));
		await new Promise((r) => setTimeout(r, 25));
	}
	return (await events(model))[0];
}

beforeAll(async () => {
	await trainedVersion('al-churn', reference());
	// Ages 25 years older than the reference: age and the prediction drift, income does not.
	const rows = draw(120, 25);
	const res = await api('/api/v1/models/al-churn/versions/1/predict', {
		method: 'POST',
		json: { dataframe_records: rows }
	});
	ids = ((await res.json()) as { predictionIds: string[] }).predictionIds;
	await settle();
}, 60_000);

describe('alert rules fire on the current window', () => {
	it('a drift-share rule fires once, names the drifted features, and keeps quiet through its cooldown', async () => {
		const r = await ok<AlertRule>('/api/v1/models/al-churn/alerts', {
			method: 'POST',
			json: { name: 'inputs moved', kind: 'drift_share', threshold: 0.5 },
			status: 201
		});
		expect(r).toMatchObject({
			kind: 'drift_share',
			threshold: 0.5,
			window: 'hour',
			cooldownMs: 3_600_000,
			minRows: 30,
			webhook: null
		});
		const fired = await evaluate('al-churn');
		expect(fired).toHaveLength(1);
		expect(fired[0]).toMatchObject({
			ruleId: r.id,
			version: 1,
			kind: 'drift_share',
			delivery: 'none',
			threshold: 0.5
		});
		expect(fired[0].value).toBeCloseTo(2 / 3, 12);
		expect(fired[0].message).toBe(
			'v1: 2 of 3 features drifted (66.7%, the rule\'s level 50.0%): "age", the prediction.'
		);
		expect(fired[0].windowStart % 3_600_000).toBe(0);
		// Within the cooldown nothing fires again, however often it is checked.
		expect(await evaluate('al-churn')).toEqual([]);
		expect((await events('al-churn')).map((e) => e.id)).toEqual([fired[0].id]);
	});

	it('a feature rule fires on its feature only; a rule on a version that had no traffic stays quiet', async () => {
		await rule('al-churn', { name: 'income', kind: 'feature_drift', feature: 'income', cooldownMs: 0 });
		await rule('al-churn', { name: 'age', kind: 'feature_drift', feature: 'age', cooldownMs: 0 });
		await rule('al-churn', {
			name: 'age v2',
			kind: 'feature_drift',
			feature: 'age',
			version: 2,
			cooldownMs: 0
		});
		const fired = await evaluate('al-churn');
		expect(fired.map((e) => e.ruleName)).toEqual(['age']);
		expect(fired[0].message).toMatch(
			/^v1: "age" drifted \(ks [0-9.e-]+, threshold 0\.05; 120 values against 180\)\.$/
		);
	});

	it('the estimated accuracy before labels, then the real accuracy once labels come', async () => {
		await rule('al-churn', { name: 'estimate', kind: 'estimated_floor', threshold: 0.999, cooldownMs: 0 });
		const before = await evaluate('al-churn');
		expect(before.map((e) => e.ruleName)).toContain('estimate');
		await rule('al-churn', {
			name: 'accuracy',
			kind: 'metric_floor',
			metric: 'accuracy',
			threshold: 0.9,
			cooldownMs: 0
		});
		expect((await evaluate('al-churn')).map((e) => e.ruleName)).not.toContain('accuracy');
		// Labels: the model says "yes" for everyone older than 40 (all of them now); half are really "no".
		const labels = ids.map((id, i) => ({ id, label: i % 2 ? 'yes' : 'no' }));
		expect(
			(
				await ok<{ accepted: number }>('/api/v1/models/al-churn/feedback', {
					method: 'POST',
					json: { labels }
				})
			).accepted
		).toBe(120);
		const after = (await evaluate('al-churn')).find((e) => e.ruleName === 'accuracy')!;
		expect(after.value).toBeCloseTo(0.5, 1);
		expect(after.message).toMatch(/^v1: accuracy 0\.\d+ is under 0\.9 on 120 labelled predictions\.$/);
	});

	it('p99 latency at its level is quiet, over it fires; a window under minRows is not judged', async () => {
		const [w] = (await ok<{ windows: { latencyP99: number }[] }>('/api/v1/models/al-churn/drift')).windows;
		expect(w.latencyP99).toBeGreaterThan(0);
		await rule('al-churn', { name: 'at level', kind: 'latency_p99', threshold: w.latencyP99, cooldownMs: 0 });
		await rule('al-churn', {
			name: 'under',
			kind: 'latency_p99',
			threshold: w.latencyP99 / 2,
			cooldownMs: 0
		});
		await rule('al-churn', {
			name: 'few rows',
			kind: 'drift_share',
			threshold: 0,
			cooldownMs: 0,
			minRows: 1000
		});
		const fired = await evaluate('al-churn');
		const names = fired.map((e) => e.ruleName);
		expect(names).not.toContain('at level');
		expect(names).not.toContain('few rows');
		expect(fired.find((e) => e.ruleName === 'under')!.value).toBe(w.latencyP99);
	});
});

describe('webhooks', () => {
	it('a delivered alert is signed: HMAC-SHA256 over "<t>.<body>" with the rule’s secret', async () => {
		await trainedVersion('al-hook', reference());
		await predict('al-hook', 1, draw(40, 25));
		await rule('al-hook', {
			name: 'hooked',
			kind: 'feature_drift',
			feature: 'age',
			minRows: 10,
			webhook: { url: 'http://webhook.test/ok', secret: SECRET }
		});
		const [fired] = await evaluate('al-hook');
		const [got] = (await received()).filter((r) => r.path === '/ok');
		const body = JSON.parse(got.body) as AlertWebhookBody;
		expect(body).toMatchObject({
			type: 'alert.fired',
			event: { id: fired.id, ruleName: 'hooked', model: 'al-hook' }
		});
		expect(got.headers['x-edgebook-event']).toBe(fired.id);
		const t = Number(/^t=(\d+),/.exec(got.headers['x-edgebook-signature'])![1]);
		expect(got.headers['x-edgebook-signature']).toBe(await signature(SECRET, t, got.body));
		expect(got.headers['x-edgebook-signature']).not.toBe(
			await signature('another-secret-entirely', t, got.body)
		);
		const [e] = await events('al-hook');
		expect(e).toMatchObject({
			delivery: 'delivered',
			deliveries: [{ attempt: 1, status: 200, error: null }]
		});
		// The secret is never read back.
		const rules = await ok<{ rules: AlertRule[] }>('/api/v1/models/al-hook/alerts');
		expect(JSON.stringify(rules)).not.toContain(SECRET);
		expect(rules.rules[0].webhook).toEqual({ url: 'http://webhook.test/ok' });
	});

	it('an endpoint that fails twice is retried on the object’s alarm and then delivered', async () => {
		await trainedVersion('al-flaky', reference());
		await predict('al-flaky', 1, draw(40, 25));
		await rule('al-flaky', {
			name: 'flaky',
			kind: 'feature_drift',
			feature: 'age',
			minRows: 10,
			webhook: { url: 'http://webhook.test/flaky/2', secret: SECRET }
		});
		const [fired] = await evaluate('al-flaky');
		// The first attempt is made as it fires; the retries (due at once here) may already be under way.
		expect(fired.delivery).toBe('pending');
		const e = await retriedUntil('al-flaky', 'delivered');
		expect(e.delivery).toBe('delivered');
		expect(e.deliveries.map((d) => d.status)).toEqual([500, 500, 200]);
		expect(e.deliveries[0].error).toBe('the endpoint answered 500');
	});

	it('an endpoint that is down is tried four times, then recorded as failed; the alert stays in the history', async () => {
		await trainedVersion('al-down', reference());
		await predict('al-down', 1, draw(40, 25));
		await rule('al-down', {
			name: 'down',
			kind: 'feature_drift',
			feature: 'age',
			minRows: 10,
			webhook: { url: 'http://webhook.test/down', secret: SECRET }
		});
		await evaluate('al-down');
		const e = await retriedUntil('al-down', 'failed');
		expect(e.delivery, JSON.stringify(e)).toBe('failed');
		expect(e.deliveries.map((d) => d.status)).toEqual([503, 503, 503, 503]);
		expect((await received()).filter((r) => r.path === '/down')).toHaveLength(4);
	});
});

describe('alert rules refuse bad input by name', () => {
	const bad = async (body: unknown, message: RegExp, status = 400, model = 'al-churn') => {
		const res = await rule(model, body);
		const json = (await res.json()) as ErrorJson;
		expect(res.status, JSON.stringify(json)).toBe(status);
		expect(json.error.message).toMatch(message);
	};
	it.each([
		['no name', { kind: 'drift_share', threshold: 0.5 }, /name/],
		['an unknown kind', { name: 'x', kind: 'error_budget', threshold: 1 }, /kind/],
		['a share rule without a threshold', { name: 'x', kind: 'drift_share' }, /needs a threshold/],
		['a share over 1', { name: 'x', kind: 'drift_share', threshold: 1.5 }, /share from 0 to 1/],
		['a feature rule without its feature', { name: 'x', kind: 'feature_drift' }, /names its feature/],
		[
			'a floor on an error metric',
			{ name: 'x', kind: 'metric_floor', metric: 'mae', threshold: 0.5 },
			/accuracy, macroF1, auc/
		],
		[
			'a ceiling on accuracy',
			{ name: 'x', kind: 'metric_ceiling', metric: 'accuracy', threshold: 2 },
			/mae, rmse/
		],
		['a negative latency', { name: 'x', kind: 'latency_p99', threshold: -5 }, /not negative/],
		['a threshold that is text', { name: 'x', kind: 'latency_p99', threshold: '100' }, /threshold/],
		[
			'a webhook that is not http',
			{ name: 'x', kind: 'latency_p99', threshold: 5, webhook: { url: 'ftp://x', secret: SECRET } },
			/http or https/
		],
		[
			'a short webhook secret',
			{ name: 'x', kind: 'latency_p99', threshold: 5, webhook: { url: 'https://x.test', secret: 'short' } },
			/16 characters/
		],
		['an unknown field', { name: 'x', kind: 'latency_p99', threshold: 5, severity: 'high' }, /severity/],
		[
			'a cooldown over 30 days',
			{ name: 'x', kind: 'latency_p99', threshold: 5, cooldownMs: 31 * 86_400_000 },
			/cooldownMs/
		]
	])('%s', async (_what, body, message) => {
		const before = await ok<{ rules: AlertRule[] }>('/api/v1/models/al-churn/alerts');
		await bad(body, message);
		expect(await ok<{ rules: AlertRule[] }>('/api/v1/models/al-churn/alerts')).toEqual(before);
	});

	it('an unknown model, an unknown or malformed rule id, a bad limit', async () => {
		await bad(
			{ name: 'x', kind: 'latency_p99', threshold: 5 },
			/No registered model named "nope"/,
			404,
			'nope'
		);
		const gone = await api('/api/v1/models/al-churn/alerts/al_00000000000000000000', { method: 'DELETE' });
		expect(gone.status).toBe(404);
		expect(((await gone.json()) as ErrorJson).error.message).toMatch(/has no alert rule al_0+/);
		const malformed = await api('/api/v1/models/al-churn/alerts/123', { method: 'DELETE' });
		expect(malformed.status).toBe(400);
		const limit = await api('/api/v1/models/al-churn/alerts/events?limit=0');
		expect(limit.status).toBe(400);
	});

	it('a deleted rule stops firing; its history stays', async () => {
		const r = await ok<AlertRule>('/api/v1/models/al-churn/alerts', {
			method: 'POST',
			json: { name: 'temporary', kind: 'feature_drift', feature: 'age', cooldownMs: 0 },
			status: 201
		});
		expect((await evaluate('al-churn')).map((e) => e.ruleId)).toContain(r.id);
		await ok(`/api/v1/models/al-churn/alerts/${r.id}`, { method: 'DELETE' });
		expect((await evaluate('al-churn')).map((e) => e.ruleId)).not.toContain(r.id);
		expect((await events('al-churn')).some((e) => e.ruleId === r.id)).toBe(true);
	});
});
