import { beforeAll, describe, expect, it } from 'vitest';
import type { PredictResponse } from '../../../src/lib/contract';
import type { Preprocessing } from '../../../src/lib/ml/types';
import type { ErrorJson } from '../helpers';
import { api } from '../v1/fixtures';
import { predictPath, register, sigmoid, upload } from './fixtures';
import { gemmModel } from './onnx-builder';

/**
 * A model whose preprocessing declares transforms (a date part, a clip) and top-K categories: the edge takes the
 * raw record — a timestamp as text or epoch ms, an unclipped delay, an airport outside the top K — and encodes it
 * exactly as the notebook did. Expected logits are computed here from the weights.
 */

const PREP: Preprocessing = {
	version: 1,
	transforms: [
		{ op: 'datepart', column: 'dep_time', as: 'dep_hour', part: 'hour' },
		{ op: 'clip', column: 'delay', as: 'delay_c', min: -60, max: 180 }
	],
	features: [
		{ name: 'dep_hour', kind: 'numeric', mean: 12, std: 6, impute: 12 },
		{ name: 'delay_c', kind: 'numeric', mean: 0, std: 60, impute: 0 },
		// The top 2 airports kept by the notebook; every other one (and "other" itself) shares the last slot.
		{ name: 'origin', kind: 'categorical', categories: ['SEA', 'PDX'] }
	],
	target: { name: 'late', task: 'binary', classes: ['no', 'yes'] },
	width: 5
};
const W = [[1], [2], [0.5], [-0.5], [3]];

function expected(hour: number, delay: number, slot: 0 | 1 | 2) {
	const x = [(hour - 12) / 6, Math.min(180, Math.max(-60, delay)) / 60, 0, 0, 0];
	x[2 + slot] = 1;
	return sigmoid(x.reduce((s, v, i) => s + v * W[i][0], 0));
}

const post = (json: unknown) => api(predictPath('late', 1), { method: 'POST', json });

beforeAll(async () => {
	await register('late', {
		sha: await upload(gemmModel({ weights: W, bias: [0], head: 'sigmoid' })),
		prep: PREP
	});
}, 60_000);

describe('declared transforms at the edge', () => {
	it('raw records: a timestamp as text or epoch ms, a delay past the clip, an airport outside the top K', async () => {
		const rows = [
			{ dep_time: '2024-01-05T06:30:00', delay: 500, origin: 'SAN' },
			{ dep_time: Date.UTC(2024, 0, 5, 18, 5), delay: -20, origin: 'PDX' },
			{ dep_time: '2024-01-05 23:10:00+00:00', delay: null, origin: 'SEA' }
		];
		const res = await post({ dataframe_records: rows });
		const body = (await res.json()) as PredictResponse;
		expect(res.status, JSON.stringify(body)).toBe(200);
		const yes = body.predictions.map((p) => ('probabilities' in p ? p.probabilities.yes : NaN));
		[expected(6, 180, 2), expected(18, -20, 1), expected(23, 0, 0)].forEach((p, i) =>
			expect(yes[i]).toBeCloseTo(p, 5)
		);
	});

	it('a timestamp that is not one, or a missing source column, is a 400 naming it', async () => {
		const bad = await post({ rows: [{ dep_time: 'yesterday', delay: 1, origin: 'SEA' }] });
		expect(bad.status).toBe(400);
		expect((await bad.json<ErrorJson>()).error.message).toBe(
			'Invalid body: rows.0.dep_time: "dep_time" is a date or time (ISO-8601 text or epoch milliseconds); got "yesterday"'
		);
		const missing = await post({ rows: [{ dep_hour: 6, delay: 1, origin: 'SEA' }] });
		expect(missing.status).toBe(400);
		expect((await missing.json<ErrorJson>()).error.message).toMatch(
			/rows\.0\.dep_time: the model needs "dep_time"/
		);
	});
});
