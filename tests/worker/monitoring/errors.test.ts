import { describe, expect, it } from 'vitest';
import type { AlertEvent, DriftReport } from '../../../src/lib/contract';
import { tally, withRequests, type RequestTally } from '../../../workers/monitoring/requests';
import { settle } from '../helpers';
import { api, ok } from '../v1/fixtures';
import { draw, predict, reference, trainedVersion } from './fixtures';

/**
 * The error rate: every answer of the predict routes counted per version and window, refused (4xx) and failed (5xx)
 * apart, whatever the log's sample rate, and an error_rate rule firing on it.
 */

const post = (model: string, path: string, body: BodyInit, type = 'application/json') =>
	api(`/api/v1/models/${model}${path}`, { method: 'POST', body, headers: { 'content-type': type } });

const drift = (model: string) => ok<DriftReport>(`/api/v1/models/${model}/drift`);

describe('requests and errors per window', () => {
	it('counts answered, refused and failed requests for the version that gave them', async () => {
		await trainedVersion('er-churn', reference());
		await predict('er-churn', 1, draw(5));
		await predict('er-churn', 1, draw(3));
		// Refused after the version is known: each is its version's 4xx.
		const refused = [
			await post('er-churn', '/versions/1/predict', '{"dataframe_records": ['),
			await post('er-churn', '/versions/1/predict', JSON.stringify({ dataframe_records: [{ age: 'old' }] })),
			await post('er-churn', '/versions/1/predict', JSON.stringify({ rows: 'none' }))
		];
		expect(refused.map((r) => r.status)).toEqual([400, 400, 400]);
		// An unknown version, or an alias the model does not have, is no version's: not counted.
		expect((await post('er-churn', '/versions/9/predict', '{}')).status).toBe(404);
		expect((await post('er-churn', '/predict', '{}')).status).toBe(404);
		await settle();
		const [w] = (await drift('er-churn')).windows;
		expect(w).toMatchObject({ version: 1, rows: 8, requests: 5, clientErrors: 3, serverErrors: 0 });
		expect(w.errorRate).toBeCloseTo(3 / 5, 12);
	}, 60_000);

	it('counts every request when the log samples none: a window with requests and no rows', async () => {
		await trainedVersion('er-quiet', reference());
		await ok('/api/v1/models/er-quiet/tags/edgebook.log.sample_rate', {
			method: 'PUT',
			json: { value: '0' }
		});
		for (let i = 0; i < 3; i++) {
			const r = await post('er-quiet', '/versions/1/predict', JSON.stringify({ dataframe_records: draw(2) }));
			expect(r.status).toBe(200);
		}
		expect((await post('er-quiet', '/versions/1/predict', 'not json')).status).toBe(400);
		await settle();
		const { windows } = await drift('er-quiet');
		expect(windows).toHaveLength(1);
		expect(windows[0]).toMatchObject({
			version: 1,
			rows: 0,
			requests: 4,
			clientErrors: 1,
			serverErrors: 0,
			errorRate: 0.25,
			features: []
		});
	});

	it('an error_rate rule fires over its level, quiet at it; the 5xx-only rule stays quiet on refusals', async () => {
		await trainedVersion('er-alert', reference());
		await predict('er-alert', 1, draw(2));
		for (let i = 0; i < 3; i++) await post('er-alert', '/versions/1/predict', '[[[');
		await settle();
		const rule = (body: object) =>
			ok(`/api/v1/models/er-alert/alerts`, {
				method: 'POST',
				json: { kind: 'error_rate', cooldownMs: 0, minRows: 4, ...body },
				status: 201
			});
		await rule({ name: 'over', threshold: 0.5 });
		await rule({ name: 'at level', threshold: 0.75 });
		await rule({ name: 'server only', threshold: 0, errors: 'server' });
		await rule({ name: 'too few', threshold: 0, minRows: 5 });
		const { fired } = await ok<{ fired: AlertEvent[] }>('/api/v1/models/er-alert/alerts/evaluate', {
			method: 'POST'
		});
		expect(fired.map((e) => e.ruleName)).toEqual(['over']);
		expect(fired[0].value).toBe(0.75);
		expect(fired[0].message).toBe('v1: 75.0% errors (3 of 4 requests: 3 refused, 0 failed) is over 50.0%.');
	});

	it('refuses error_rate rules that cannot be judged, naming the field', async () => {
		const bad = [
			[{ name: 'x', kind: 'error_rate' }, /threshold: a error_rate rule needs a threshold/],
			[{ name: 'x', kind: 'error_rate', threshold: 1.5 }, /a error_rate threshold is a share from 0 to 1/],
			[{ name: 'x', kind: 'error_rate', threshold: 0.1, errors: 'all' }, /errors/],
			[
				{ name: 'x', kind: 'latency_p99', threshold: 10, errors: 'server' },
				/only an error_rate rule counts errors/
			]
		] as const;
		await trainedVersion('er-bad', reference());
		for (const [body, message] of bad) {
			const res = await api('/api/v1/models/er-bad/alerts', { method: 'POST', json: body });
			const text = await res.text();
			expect(res.status, text).toBe(400);
			expect(text).toMatch(message);
		}
		expect((await ok<{ rules: unknown[] }>('/api/v1/models/er-bad/alerts')).rules).toEqual([]);
	});
});

describe('tallies (pure)', () => {
	it('classes 5xx as failed and 4xx as refused, and merges hours into days per version', () => {
		const H = 3_600_000;
		const into = new Map<string, RequestTally>();
		for (const [version, at, status] of [
			[1, 10, 200],
			[1, 20, 503],
			[1, H + 5, 500],
			[1, H + 6, 413],
			[2, 30, 200]
		])
			tally(into, version, at, status);
		const tallies = [...into.values()];
		expect(tallies).toEqual([
			{ version: 1, start: 0, requests: 2, clientErrors: 0, serverErrors: 1 },
			{ version: 1, start: H, requests: 2, clientErrors: 1, serverErrors: 1 },
			{ version: 2, start: 0, requests: 1, clientErrors: 0, serverErrors: 0 }
		]);
		const days = withRequests([], tallies, 24 * H);
		expect(
			days.map((w) => [w.version, w.start, w.requests, w.clientErrors, w.serverErrors, w.errorRate])
		).toEqual([
			[1, 0, 4, 1, 2, 0.75],
			[2, 0, 1, 0, 0, 0]
		]);
	});
});
