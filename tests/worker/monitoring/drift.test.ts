import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../../src/lib/contract';
import { ks2samp, zTestProportions } from '../../../src/lib/ml/drift';
import { PREDICTION_FEATURE, histogramCounts, windowProfile } from '../../../src/lib/ml/profile';
import { PredictionLog } from '../../../workers/predictions/log-object';
import { logFor } from '../../../workers/predictions/log-store';
import { testEnv, type ErrorJson } from '../helpers';
import { api, ok } from '../v1/fixtures';
import { REF_ROWS, REF_TEST, draw, predict, predicted, reference, trainedVersion } from './fixtures';

/**
 * Drift from the prediction log (docs/architecture.md, "Monitoring"): each logged row goes into its version's hourly
 * window as it arrives, and GET …/drift compares windows with the version's reference profile using the test
 * Evidently's defaults choose, from the profiles alone.
 */

const drift = (model: string, query = '') => ok<DriftReport>(`/api/v1/models/${model}/drift${query}`);

let calm: Record<string, number>[];
let calmLabels: string[];
let shifted: Record<string, number>[];

beforeAll(async () => {
	await trainedVersion('mon-churn', reference());
	await trainedVersion('mon-churn', reference());
	calm = draw(150);
	calmLabels = await predict('mon-churn', 1, calm);
	shifted = draw(150, 25);
	await predict('mon-churn', 2, shifted);
}, 60_000);

describe('drift against the version’s reference', () => {
	it('a window of the reference distribution: SciPy’s ks_2samp and the Z-test on the same values, no drift', async () => {
		const r = await drift('mon-churn', '?version=1');
		expect(r.windowMs).toBe(3_600_000);
		expect(r.windows).toHaveLength(1);
		const [w] = r.windows;
		expect(w).toMatchObject({ version: 1, rows: 150, datasetDrift: false });
		expect(w.start % 3_600_000).toBe(0);
		expect(w.latencyP50).toBeGreaterThanOrEqual(0);
		expect(w.latencyP99).toBeGreaterThanOrEqual(w.latencyP50!);
		const by = Object.fromEntries(w.features.map((f) => [f.feature, f]));
		expect(Object.keys(by).sort()).toEqual([PREDICTION_FEATURE, 'age', 'income'].sort());
		// Both sketches hold every value (n ≤ k = 200): the test is SciPy's own on the values.
		const ages = calm.map((r) => r.age);
		expect(by.age).toMatchObject({ test: 'ks', threshold: 0.05, currentCount: 150, referenceCount: 180 });
		expect(by.age.score).toBeCloseTo(
			ks2samp(
				REF_ROWS.map((r) => r.age),
				ages
			).pvalue,
			9
		);
		expect(by.income.score).toBeCloseTo(
			ks2samp(
				REF_ROWS.map((r) => r.income),
				calm.map((r) => r.income)
			).pvalue,
			9
		);
		// The prediction: two classes, so Evidently's Z-test; its reference is the test split's 60 rows.
		expect(by[PREDICTION_FEATURE]).toMatchObject({ test: 'z', referenceCount: 60, currentCount: 150 });
		expect(by[PREDICTION_FEATURE].score).toBeCloseTo(
			zTestProportions(predicted(REF_TEST), calmLabels).pvalue,
			9
		);
		expect(r.references).toEqual([
			{
				version: 1,
				source: 'run',
				features: [
					{ feature: 'age', kind: 'numeric', rows: 180 },
					{ feature: 'income', kind: 'numeric', rows: 180 },
					{ feature: PREDICTION_FEATURE, kind: 'categorical', rows: 60 }
				]
			}
		]);
	});

	it('a shifted age drifts, with the prediction it drives; income does not; the dataset drifts (2 of 3 ≥ 0.5)', async () => {
		const [w] = (await drift('mon-churn', '?version=2')).windows;
		const by = Object.fromEntries(w.features.map((f) => [f.feature, f]));
		expect(by.age.drifted).toBe(true);
		expect(by.age.score!).toBeLessThan(1e-10);
		expect(by[PREDICTION_FEATURE].drifted).toBe(true);
		expect(by.income.drifted).toBe(false);
		expect(w).toMatchObject({ drifted: 2, datasetDrift: true });
		expect(w.share).toBeCloseTo(2 / 3, 12);
	});

	it('a feature’s reference and current distributions, aligned bin for bin (or class for class)', async () => {
		const r = await drift('mon-churn', '?version=1&feature=age');
		const d = r.distribution!;
		const window = windowProfile(reference());
		for (const row of calm) window.updateRow(row);
		const want = histogramCounts(reference().inputs.numeric('age'), window.numeric('age'));
		expect(d).toMatchObject({
			feature: 'age',
			version: 1,
			kind: 'numeric',
			reference: want.reference,
			current: want.current
		});
		if (want.kind !== 'numeric') throw new Error('age is numeric');
		expect(d.labels).toHaveLength(want.edges.length + 1);
		expect(d.labels[0]).toMatch(/^< /);
		expect(d.labels.at(-1)).toMatch(/^≥ /);
		expect(d.reference.reduce((a, b) => a + b, 0)).toBe(180);
		expect(d.current.reduce((a, b) => a + b, 0)).toBe(150);
		const p = (await drift('mon-churn', `?version=1&feature=${PREDICTION_FEATURE}`)).distribution!;
		expect(p.kind).toBe('categorical');
		const count = (xs: string[], c: string) => xs.filter((x) => x === c).length;
		expect(Object.fromEntries(p.labels.map((l, i) => [l, p.current[i]]))).toEqual(
			Object.fromEntries(
				['no', 'yes'].filter((c) => count(calmLabels, c)).map((c) => [c, count(calmLabels, c)])
			)
		);
		// The newest version in range by default; a feature the reference lacks has none.
		expect((await drift('mon-churn', '?feature=age')).distribution!.version).toBe(2);
		expect((await drift('mon-churn', '?feature=height')).distribution).toBeNull();
		expect((await drift('mon-churn')).distribution).toBeUndefined();
	});

	it('answers every version by default, per day when asked, and nothing outside the range', async () => {
		const all = await drift('mon-churn');
		expect(all.windows.map((w) => w.version)).toEqual([1, 2]);
		const day = await drift('mon-churn', '?window=day');
		expect(day.windowMs).toBe(86_400_000);
		expect(day.windows.map((w) => [w.version, w.rows])).toEqual([
			[1, 150],
			[2, 150]
		]);
		expect(day.windows[0].start % 86_400_000).toBe(0);
		const old = await drift('mon-churn', `?from=0&to=${Date.now() - 3 * 86_400_000}`);
		expect(old.windows).toEqual([]);
	});

	it('a version without a reference counts traffic and says what is missing, by name', async () => {
		const v = await trainedVersion('mon-bare', null);
		await predict('mon-bare', v, draw(5));
		const r = await drift('mon-bare');
		expect(r.windows).toMatchObject([{ version: v, rows: 5, features: [], drifted: 0, datasetDrift: false }]);
		expect(r.references[0].source).toBeNull();
		expect(r.references[0].missing).toMatch(
			/Version 1 of "mon-bare" has no reference profile: its run carries no reference-profile\.json/
		);
	});

	it('an uploaded reference serves a version whose run has none (windows from then on take its shape)', async () => {
		const v = await trainedVersion('mon-upload', null);
		const put = await ok<{ sha256: string; features: { feature: string }[] }>(
			`/api/v1/models/mon-upload/versions/${v}/reference`,
			{ method: 'PUT', json: reference().toJSON() }
		);
		expect(put.features.map((f) => f.feature)).toEqual(['age', 'income', PREDICTION_FEATURE]);
		await predict('mon-upload', v, calm);
		const r = await drift('mon-upload');
		expect(r.references[0].source).toBe('uploaded');
		expect(r.windows[0].features.find((f) => f.feature === 'age')!.score).toBeCloseTo(
			ks2samp(
				REF_ROWS.map((x) => x.age),
				calm.map((x) => x.age)
			).pvalue,
			9
		);
	});

	it('a restart loses no profiled row and counts none twice, before and after the batch is written out', async () => {
		const v = await trainedVersion('mon-restart', reference());
		await predict('mon-restart', v, draw(40));
		const stub = logFor(testEnv, { workspaceId: 'local', modelName: 'mon-restart' });
		const fresh = () =>
			runInDurableObject(stub, (_old: PredictionLog, state) =>
				new PredictionLog(state, testEnv).drift(0, Date.now() + 1000, 3_600_000, null)
			);
		// Buffered, not yet written out: a fresh object replays the chunks after the stored windows' mark.
		expect((await fresh()).windows[0].rows).toBe(40);
		await predict('mon-restart', v, draw(10));
		expect((await fresh()).windows[0].rows).toBe(50);
		// Written out (the alarm flushes and stores the windows with their mark): still 50, not 100.
		await runDurableObjectAlarm(stub);
		expect((await fresh()).windows[0].rows).toBe(50);
		expect((await drift('mon-restart')).windows[0].rows).toBe(50);
	});
});

describe('monitoring refuses bad input by name', () => {
	const bad = async (path: string, init: Parameters<typeof api>[1], status: number, message: RegExp) => {
		const res = await api(path, init);
		const body = (await res.json()) as ErrorJson;
		expect(res.status, JSON.stringify(body)).toBe(status);
		expect(body.error.message).toMatch(message);
	};
	const ref = () => reference().toJSON();

	it.each([
		['an unknown model', '/api/v1/models/nope/drift', 404, /No registered model named "nope"/],
		['from after to', '/api/v1/models/mon-churn/drift?from=10&to=5', 400, /from must not be after to/],
		[
			'a time that is not digits',
			'/api/v1/models/mon-churn/drift?from=yesterday',
			400,
			/milliseconds since the epoch/
		],
		['a window that is not hour or day', '/api/v1/models/mon-churn/drift?window=week', 400, /window/],
		[
			'a version that is not a number',
			'/api/v1/models/mon-churn/drift?version=one',
			400,
			/positive whole number/
		],
		['an unknown parameter', '/api/v1/models/mon-churn/drift?features=age', 400, /features/]
	])('GET drift with %s', async (_what, path, status, message) => {
		await bad(path, undefined, status, message);
	});

	it.each([
		['a version that does not exist', 'mon-churn', 9, () => ref(), 404, /has no version 9/],
		['a model that does not exist', 'nope', 1, () => ref(), 404, /No registered model named "nope"/],
		['not a profile', 'mon-churn', 1, () => ({ hello: 1 }), 400, /Not a reference profile/],
		[
			'another profile version',
			'mon-churn',
			1,
			() => ({ ...ref(), version: 2 }),
			400,
			/Not a reference profile/
		],
		[
			'a prediction profile holding inputs',
			'mon-churn',
			1,
			() => ({ ...ref(), prediction: ref().inputs }),
			400,
			/prediction profile holds only/
		],
		[
			'a feature whose rows disagree with the profile',
			'mon-churn',
			1,
			() => ({ ...ref(), inputs: { ...ref().inputs, rowCount: 7 } }),
			400,
			/counts 180 rows, the profile 7/
		],
		['an array', 'mon-churn', 1, () => [ref()], 400, /Not a reference profile/]
	])('PUT reference with %s', async (_what, model, version, body, status, message) => {
		await bad(
			`/api/v1/models/${model}/versions/${version}/reference`,
			{ method: 'PUT', json: body() },
			status,
			message
		);
	});

	it('PUT reference that is not JSON, or not JSON at all', async () => {
		await bad(
			'/api/v1/models/mon-churn/versions/1/reference',
			{ method: 'PUT', body: '{"version": 1,', headers: { 'content-type': 'application/json' } },
			400,
			/JSON/
		);
		await bad(
			'/api/v1/models/mon-churn/versions/1/reference',
			{ method: 'PUT', body: 'x', headers: { 'content-type': 'text/plain' } },
			415,
			/application\/json/
		);
		// A refused upload changed nothing: version 1 still reads its run's reference.
		expect((await drift('mon-churn', '?version=1')).references[0].source).toBe('run');
	});
});
