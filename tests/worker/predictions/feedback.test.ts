import { beforeAll, describe, expect, it } from 'vitest';
import type { FeedbackResult, PerformanceWindow } from '../../../src/lib/contract';
import type { Preprocessing } from '../../../src/lib/ml/types';
import { settle } from '../helpers';
import { predictPath, register, sigmoid, upload } from '../inference/fixtures';
import { gemmModel } from '../inference/onnx-builder';
import { api, ok } from '../v1/fixtures';

/**
 * Labels that come back for logged predictions (late, partial, idempotent), joined on the ids the predict answer
 * gave, and live performance per hour: real on the labelled rows, estimated from the probabilities before.
 */

const CHURN: Preprocessing = {
	version: 1,
	features: [{ name: 'age', kind: 'numeric', mean: 30, std: 10, impute: 30 }],
	target: { name: 'churn', task: 'binary', classes: ['no', 'yes'] },
	width: 1
};
const PRICE: Preprocessing = {
	version: 1,
	features: [{ name: 'x', kind: 'numeric', mean: 0, std: 1, impute: 0 }],
	target: { name: 'price', task: 'regression', mean: 100, std: 10 },
	width: 1
} as unknown as Preprocessing;

const AGES = [10, 20, 30, 40, 50, 60];
/** P(yes) = σ(3·(age − 30)/10 + 0.5): predicted no, no, yes, yes, yes, yes. */
const P_YES = AGES.map((a) => sigmoid((3 * (a - 30)) / 10 + 0.5));
const TRUTH = ['no', 'yes', 'yes', 'no', 'yes', 'yes'];

let churnIds: string[];
let priceIds: string[];

async function predict(model: string, rows: Record<string, number>[]): Promise<string[]> {
	const res = await api(predictPath(model, 1), { method: 'POST', json: { dataframe_records: rows } });
	const text = await res.text();
	expect(res.status, text).toBe(200);
	await settle();
	return (JSON.parse(text) as { predictionIds: string[] }).predictionIds;
}

const feedback = (model: string, labels: unknown) =>
	api(`/api/v1/models/${model}/feedback`, { method: 'POST', json: { labels } });
const windows = async (model: string, query = '') =>
	(await ok<{ windows: PerformanceWindow[] }>(`/api/v1/models/${model}/performance${query}`)).windows;

beforeAll(async () => {
	await register('fb-churn', {
		sha: await upload(gemmModel({ weights: [[3]], bias: [0.5], head: 'sigmoid' })),
		prep: CHURN
	});
	await register('fb-price', {
		sha: await upload(gemmModel({ weights: [[2]], bias: [1], head: 'linear' })),
		prep: PRICE
	});
	churnIds = await predict(
		'fb-churn',
		AGES.map((age) => ({ age }))
	);
	priceIds = await predict('fb-price', [{ x: 0 }, { x: 1 }]);
}, 60_000);

describe('labels and live performance', () => {
	it('before any label: predictions counted, performance unknown, accuracy estimated from the probabilities', async () => {
		const [w] = await windows('fb-churn');
		expect(w).toMatchObject({
			version: 1,
			predictions: 6,
			labelled: 0,
			task: 'classification',
			accuracy: null
		});
		const estimated = P_YES.reduce((a, p) => a + Math.max(p, 1 - p), 0) / 6;
		expect(w.estimatedAccuracy).toBeCloseTo(estimated, 6);
		expect(w.start % 3_600_000).toBe(0);
		expect(w.windowMs).toBe(3_600_000);
	});

	it('late and partial labels join their predictions; a retry changes nothing; a different label is refused', async () => {
		const first = await feedback(
			'fb-churn',
			churnIds.slice(0, 3).map((id, i) => ({ id, label: TRUTH[i] }))
		);
		expect(await first.json()).toEqual({ accepted: 3, unchanged: 0, refused: [] });
		// Half-way: accuracy on the three labelled rows (no ✓, no ✗ (yes), yes ✓).
		expect((await windows('fb-churn'))[0]).toMatchObject({ labelled: 3, accuracy: 2 / 3 });
		const retry = (await (
			await feedback('fb-churn', [
				{ id: churnIds[0], label: 'no' },
				{ id: churnIds[1], label: 'no' },
				...churnIds.slice(3).map((id, i) => ({ id, label: TRUTH[i + 3] }))
			])
		).json()) as FeedbackResult;
		expect(retry.accepted).toBe(3);
		expect(retry.unchanged).toBe(1);
		expect(retry.refused).toEqual([
			{ id: churnIds[1], reason: 'Already labelled "yes"; the first label stands.' }
		]);
	});

	it('with every label in, the window has the evaluate cell’s accuracy, macro F1 and AUC', async () => {
		const [w] = await windows('fb-churn');
		// Predicted no, no, yes, yes, yes, yes against no, yes, yes, no, yes, yes: 4 of 6 right. F1: yes 3/4
		// (precision 3/4, recall 3/4), no 1/2 (1/2, 1/2): macro 0.625. AUC: the negatives (ages 10, 40) are below
		// 4 and 2 of the 4 positives: 6/8.
		expect(w).toMatchObject({ predictions: 6, labelled: 6 });
		expect(w.accuracy).toBeCloseTo(4 / 6, 12);
		expect(w.macroF1).toBeCloseTo(0.625, 12);
		expect(w.auc).toBeCloseTo(0.75, 12);
	});

	it('a regressor’s labels give MAE and RMSE', async () => {
		// Predicted 100 + 10·(2x + 1): 110 and 130; true 112 and 125: errors 2 and −5.
		const res = await feedback('fb-price', [
			{ id: priceIds[0], label: 112 },
			{ id: priceIds[1], label: 125 }
		]);
		expect(res.status).toBe(200);
		const [w] = await windows('fb-price');
		expect(w).toMatchObject({ task: 'regression', labelled: 2, estimatedAccuracy: null });
		expect(w.mae).toBeCloseTo(3.5, 9);
		expect(w.rmse).toBeCloseTo(Math.sqrt(14.5), 9);
	});

	it.each([
		[
			'an unknown id',
			'fb-churn',
			{ id: '0190aaaa-0000-7000-8000-000000000000', label: 'no' },
			/No logged prediction of this model has this id/
		],
		["another model's prediction id", 'fb-price', 'churn0', /No logged prediction of this model/],
		[
			'a class the model does not have',
			'fb-churn',
			'churn:maybe',
			/"maybe" is not one of the model's classes: "no", "yes"/
		],
		['a fraction for a classifier', 'fb-churn', 'churn:2.5', /A classifier's label is a class name; got 2.5/],
		['text for a regressor', 'fb-price', 'price:"112"', /A regressor's label is a finite number; got "112"/]
	])('%s is refused with its reason, and nothing else changes', async (_what, model, item, reason) => {
		const label =
			typeof item === 'string'
				? item === 'churn0'
					? { id: churnIds[0], label: 120 }
					: item.startsWith('churn:')
						? { id: churnIds[0], label: item === 'churn:2.5' ? 2.5 : 'maybe' }
						: { id: priceIds[0], label: '112' }
				: item;
		const before = await windows(model);
		const res = await feedback(model, [label]);
		expect(res.status).toBe(400);
		const body = (await res.json()) as {
			error: { message: string; details: { refused: { reason: string }[] } };
		};
		expect(body.error.message).toMatch(/^None of the 1 label was stored: /);
		expect(body.error.details.refused[0].reason).toMatch(reason);
		expect(await windows(model)).toEqual(before);
	});

	it('a bad body or query is a 400 naming what is wrong; an unknown model is a 404', async () => {
		const CASES: [string, Promise<Response>, number, RegExp][] = [
			['no labels', feedback('fb-churn', []), 400, /labels/],
			['a label without an id', feedback('fb-churn', [{ label: 'no' }]), 400, /id/],
			['a null label', feedback('fb-churn', [{ id: churnIds[0], label: null }]), 400, /label/],
			[
				'an extra key',
				feedback('fb-churn', [{ id: churnIds[0], label: 'no', weight: 1 }]),
				400,
				/weight|unrecognized/i
			],
			[
				'10,001 labels',
				feedback(
					'fb-churn',
					Array.from({ length: 10_001 }, (_, i) => ({ id: `x${i}`, label: 'no' }))
				),
				400,
				/labels/
			],
			['an unknown model', feedback('nope', [{ id: churnIds[0], label: 'no' }]), 404, /nope/],
			[
				'from after to',
				api('/api/v1/models/fb-churn/performance?from=10&to=5'),
				400,
				/from must not be after to/
			],
			[
				'a window that is not hour or day',
				api('/api/v1/models/fb-churn/performance?window=week'),
				400,
				/window/
			]
		];
		const wrong: string[] = [];
		for (const [what, call, status, says] of CASES) {
			const res = await call;
			const text = await res.text();
			if (res.status !== status || !says.test(text)) wrong.push(`${what}: ${res.status} ${text}`);
		}
		expect(wrong).toEqual([]);
	});

	it('a window with no traffic has no row; a range before any prediction answers none', async () => {
		expect(await windows('fb-churn', '?from=0&to=1000')).toEqual([]);
	});
});
