import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { envelope, experiment } from '../registry-helpers';
import { seedMlflow, type MlflowSeed } from '../routes/mlflow-seed';
import { seed, type Seeded } from '../v1/fixtures';
import { check, loneSurrogateText, runs, unicodeKey, type LoneText } from './arbitraries';
import { expectRefused } from './refuse';

/**
 * Text with a lone surrogate (a `\ud800`-style escape JSON.parse accepts) cannot be stored as sent: D1 keeps
 * UTF-8, where it became U+FFFD. Before this fix every door accepted it and stored other text than was sent
 * (found by this fuzz; no section of issue 8 owned it). Now each refuses it, naming the field, and writes nothing.
 */

let s: Seeded;
let m: MlflowSeed;
beforeAll(async () => {
	s = await seed();
	m = await seedMlflow('lone');
});

type Case = [string, string, (text: LoneText, key: string) => unknown];
const CASES: Case[] = [
	['POST', '/api/v1/experiments', (t) => ({ name: t.raw })],
	['POST', '/api/v1/runs', (t, k) => ({ experimentId: s.experimentId, params: { [k]: t } })],
	['POST', '/api/v1/runs', (t) => ({ experimentId: s.experimentId, tags: { [t.raw]: 'v' } })],
	['POST', '/api/v1/runs/run_1/log-batch', (t) => ({ tags: [{ key: 'k', value: t }] })],
	['PATCH', '/api/v1/models/classifier', (t) => ({ description: t })],
	['PUT', '/api/v1/models/classifier/tags/k', (t) => ({ value: t })],
	[
		'POST',
		'/api/v1/sync/push',
		(t) => ({ clientId: 'c1', mutations: [envelope(1, experiment(t.raw, 'exp_lone'))] })
	],
	['POST', '/api/2.0/mlflow/experiments/create', (t) => ({ name: t.raw })],
	['POST', '/api/2.0/mlflow/runs/set-tag', (t, k) => ({ run_id: m.runId, key: k, value: t })],
	['POST', '/api/2.0/mlflow/runs/log-parameter', (t, k) => ({ run_id: m.runId, key: k, value: t })],
	['PATCH', '/api/2.0/mlflow/registered-models/update', (t) => ({ name: m.model, description: t })],
	['POST', '/api/2.0/mlflow/registered-models/set-tag', (t, k) => ({ name: m.model, key: k, value: t })],
	// An unknown field MLflow would ignore: the body as a whole is not well-formed text.
	['POST', '/api/2.0/mlflow/runs/set-tag', (t, k) => ({ run_id: m.runId, key: k, value: 'v', [t.raw]: 1 })]
];

describe('lone surrogates are refused at every door, naming where', { timeout: 60_000 }, () => {
	it.each(CASES.map((c, i) => [`${c[0]} ${c[1]} #${i}`, c] as const))(
		'%s',
		async (_, [method, path, body]) => {
			void s;
			await check(
				fc.assert(
					fc.asyncProperty(loneSurrogateText, unicodeKey, async (text, key) => {
						const message = await expectRefused(
							path,
							{ method, json: body(text, key), token: 'test-admin-token' },
							`lone surrogate in ${JSON.stringify(text)}`
						);
						expect(message).toMatch(/lone UTF-16 surrogate/);
					}),
					runs(5, 'lone-surrogates')
				)
			);
		}
	);
});
