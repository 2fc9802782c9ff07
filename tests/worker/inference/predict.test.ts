import { beforeAll, describe, expect, it } from 'vitest';
import { forgetServing } from '../../../workers/inference/serving-cache';
import { LIMITS, predictResponseSchema, type PredictResponse } from '../../../src/lib/contract';
import type { Preprocessing } from '../../../src/lib/ml/types';
import { testEnv, type ErrorJson } from '../helpers';
import { otherWorkspaceToken } from '../registry-helpers';
import { api, ok } from '../v1/fixtures';
import { predictPath, register, sigmoid, softmax, upload } from './fixtures';
import { gemmModel } from './onnx-builder';

/**
 * Predictions through the routes, against outputs computed by hand from the weights below. ORT loads on the first
 * prediction of this file (seconds), hence the long first timeout.
 */

// bill: (v − 40) / 5; island: one-hot Biscoe, Dream, (other). Logits = x · W.
const PENGUINS: Preprocessing = {
	version: 1,
	features: [
		{ name: 'bill', kind: 'numeric', mean: 40, std: 5, impute: 40 },
		{ name: 'island', kind: 'categorical', categories: ['Biscoe', 'Dream'] }
	],
	target: { name: 'species', task: 'multiclass', classes: ['Adelie', 'Chinstrap', 'Gentoo'] },
	width: 4
};
const PENGUIN_W = [
	[1, 0, -1],
	[0, 0, 2],
	[0, 3, 0],
	[1, 0, 0]
];

const CHURN: Preprocessing = {
	version: 1,
	features: [{ name: 'age', kind: 'numeric', mean: 30, std: 10, impute: 30 }],
	target: { name: 'churn', task: 'binary', classes: ['no', 'yes'] },
	width: 1
};

const PRICE: Preprocessing = {
	version: 1,
	features: [
		{ name: 'x', kind: 'numeric', mean: 0, std: 1, impute: 0 },
		{ name: 'c', kind: 'categorical', categories: ['a'] }
	],
	target: { name: 'price', task: 'regression', mean: 100, std: 10 },
	width: 3
};

async function predictOk(path: string, json: unknown, token?: string): Promise<PredictResponse> {
	const body = await ok<unknown>(path, { method: 'POST', json, token });
	return predictResponseSchema.parse(body);
}

const localToken = (scopes: string[]) => otherWorkspaceToken('local', scopes);

let penguinSha: string;

beforeAll(async () => {
	penguinSha = await upload(gemmModel({ weights: PENGUIN_W, bias: [0, 0, 0], head: 'softmax' }));
	await register('penguins', { sha: penguinSha, prep: PENGUINS });
	await ok('/api/v1/models/penguins/aliases/champion', { method: 'PUT', json: { version: 1 } });
	const churnSha = await upload(gemmModel({ weights: [[2]], bias: [0.5], head: 'sigmoid' }));
	await register('churn', { sha: churnSha, prep: CHURN });
	const priceSha = await upload(gemmModel({ weights: [[0.5], [1], [-1]], bias: [0], head: 'linear' }));
	await register('price', { sha: priceSha, prep: PRICE });
	// The first prediction loads ORT: outside any one test's timeout.
	await predictOk(predictPath('churn', 1), { rows: [{ age: 30 }] });
}, 60_000);

const PENGUIN_ROWS = [
	{ bill: 50, island: 'Dream' }, // x = [2, 0, 1, 0] → logits [2, 3, -2]
	{ bill: 35, island: 'Biscoe' }, // x = [-1, 1, 0, 0] → logits [-1, 0, 3]
	{ bill: null, island: 'Torgersen' }, // imputed, unseen island → x = [0, 0, 0, 1] → logits [1, 0, 0]
	{ bill: 40, island: null, species: 'ignored' } // missing island is the (other) slot too
];
const PENGUIN_EXPECTED = [
	{ label: 'Chinstrap', probs: softmax([2, 3, -2]) },
	{ label: 'Gentoo', probs: softmax([-1, 0, 3]) },
	{ label: 'Adelie', probs: softmax([1, 0, 0]) },
	{ label: 'Adelie', probs: softmax([1, 0, 0]) }
];

function expectPenguins(res: PredictResponse) {
	expect(res).toMatchObject({ model: 'penguins', version: 1, task: 'multiclass' });
	expect(res.predictions).toHaveLength(PENGUIN_EXPECTED.length);
	res.predictions.forEach((p, i) => {
		const { label, probs } = PENGUIN_EXPECTED[i];
		expect(p).toMatchObject({ label });
		const got = (p as { probabilities: Record<string, number> }).probabilities;
		expect(Object.keys(got)).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
		probs.forEach((q, k) => expect(Object.values(got)[k]).toBeCloseTo(q, 6));
	});
}

describe('predict', () => {
	it('multiclass softmax: labels and probabilities as computed by hand from the weights', async () => {
		expectPenguins(await predictOk(predictPath('penguins', 1), { rows: PENGUIN_ROWS }));
	});

	it('the same rows as columns give the same answer', async () => {
		const columns = { bill: PENGUIN_ROWS.map((r) => r.bill), island: PENGUIN_ROWS.map((r) => r.island) };
		expectPenguins(await predictOk(predictPath('penguins', 1), { columns }));
	});

	it('an alias predicts with the version it points at', async () => {
		expectPenguins(
			await predictOk('/api/v1/models/penguins/aliases/champion/predict', { rows: PENGUIN_ROWS })
		);
	});

	it('binary sigmoid head: P(second class), label by the larger probability', async () => {
		const res = await predictOk(predictPath('churn', 1), { columns: { age: [40, 10] } });
		const p1 = sigmoid(2 * 1 + 0.5);
		const p2 = sigmoid(2 * -2 + 0.5);
		expect(res.task).toBe('binary');
		expect(res.predictions[0]).toMatchObject({ label: 'yes' });
		expect(res.predictions[1]).toMatchObject({ label: 'no' });
		const probs = res.predictions.map((p) => (p as { probabilities: Record<string, number> }).probabilities);
		expect(probs[0].yes).toBeCloseTo(p1, 6);
		expect(probs[0].no).toBeCloseTo(1 - p1, 6);
		expect(probs[1].yes).toBeCloseTo(p2, 6);
	});

	it('regression: the standardised output is de-standardised with the target mean and std', async () => {
		const res = await predictOk(predictPath('price', 1), {
			rows: [
				{ x: 2, c: 'a' }, // 0.5·2 + 1 = 2 → 100 + 10·2
				{ x: -2, c: 'zz' }, // −1 − 1 = −2 → 80
				{ x: null, c: 7 } // a number for a categorical feature is its text "7": unseen → −1 → 90
			]
		});
		expect(res.task).toBe('regression');
		expect(res.predictions.map((p) => (p as { value: number }).value)).toEqual([
			expect.closeTo(120, 5),
			expect.closeTo(80, 5),
			expect.closeTo(90, 5)
		]);
	});

	it('keeps one session per artifact across requests (loaded once per isolate)', async () => {
		const { sessions } = await import('../../../workers/inference/run');
		expect(sessions.has(penguinSha)).toBe(true);
		const before = sessions.size;
		await predictOk(predictPath('penguins', 1), { rows: PENGUIN_ROWS.slice(0, 1) });
		expect(sessions.size).toBe(before);
	});
});

describe('ORT through the shim', () => {
	it('runs a graph single-threaded without a proxy worker: [1, 2] · W + b', async () => {
		const { ortForWorkerd } = await import('../../../workers/inference/ort-shim');
		const ort = await ortForWorkerd();
		const bytes = gemmModel({ weights: [[1], [10]], bias: [0.5], head: 'linear' });
		const session = await ort.InferenceSession.create(bytes);
		const out = await session.run({ features: new ort.Tensor('float32', Float32Array.of(1, 2), [1, 2]) });
		expect(out.output.dims).toEqual([1, 1]);
		expect(Array.from(out.output.data as Float32Array)).toEqual([21.5]);
		expect([ort.env.wasm.numThreads, ort.env.wasm.proxy]).toEqual([1, false]);
		await session.release();
	});
});

describe('predict: who may call it', () => {
	it('a predict-only token predicts; a read-only token is refused (403 naming the scope)', async () => {
		const predictOnly = await localToken(['predict']);
		expectPenguins(await predictOk(predictPath('penguins', 1), { rows: PENGUIN_ROWS }, predictOnly));
		const read = await localToken(['read', 'write']);
		const res = await api(predictPath('penguins', 1), {
			method: 'POST',
			json: { rows: PENGUIN_ROWS },
			token: read
		});
		expect(res.status).toBe(403);
		expect((await res.json<ErrorJson>()).error.message).toMatch(/"predict" scope/);
	});

	it("another workspace's token cannot see the model (404), nor serve our artifact by its hash (409)", async () => {
		const other = await otherWorkspaceToken('other-ws', ['admin']);
		const res = await api(predictPath('penguins', 1), {
			method: 'POST',
			json: { rows: PENGUIN_ROWS },
			token: other
		});
		expect(res.status).toBe(404);
		// Knowing the hash is not enough: the registry refuses a version naming bytes this workspace never uploaded.
		const v = await api('/api/v1/models', { method: 'POST', json: { name: 'penguins' }, token: other });
		expect(v.status).toBe(201);
		const steal = await api('/api/v1/models/penguins/versions', {
			method: 'POST',
			json: { artifactSha256: penguinSha, signature: { preprocessing: PENGUINS } },
			token: other
		});
		expect(steal.status).toBe(404);
	});
});

describe('predict: bad input', () => {
	const tooMany = Array.from({ length: LIMITS.predictRows + 1 }, () => ({ bill: 40, island: 'Dream' }));
	it.each([
		{ name: 'no rows', body: { rows: [] }, status: 400, match: /at least one row/ },
		{ name: 'too many rows', body: { rows: tooMany }, status: 413, match: /batches/ },
		{
			name: 'too many rows as columns',
			body: { columns: { bill: tooMany.map(() => 1), island: tooMany.map(() => 'a') } },
			status: 413,
			match: /batches/
		},
		{ name: 'missing column', body: { rows: [{ island: 'Dream' }] }, status: 400, match: /rows\.0\.bill/ },
		{
			name: 'missing column (columns)',
			body: { columns: { island: ['Dream'] } },
			status: 400,
			match: /"bill"/
		},
		{
			name: 'wrong type',
			body: { rows: [{ bill: 'long', island: 'Dream' }] },
			status: 400,
			match: /numeric/
		},
		{
			name: 'columns of unequal length',
			body: { columns: { bill: [1, 2], island: ['a'] } },
			status: 400,
			match: /same number/
		},
		{
			name: 'a nested value',
			body: { rows: [{ bill: [1], island: 'a' }] },
			status: 400,
			match: /rows\.0\.bill/
		},
		{ name: 'neither rows nor columns', body: {}, status: 400, match: /rows/ },
		{ name: 'not JSON', body: 'not json{', status: 400, match: /not valid JSON/ },
		{
			name: 'nested past the limit',
			body: `{"rows":${'['.repeat(6000)}${']'.repeat(6000)}}`,
			status: 400,
			match: /deeper than 64 levels/
		}
	])('$name → $status', async ({ body, status, match }) => {
		const res = await api(predictPath('penguins', 1), {
			method: 'POST',
			...(typeof body === 'string'
				? { body, headers: { 'content-type': 'application/json' } }
				: { json: body })
		});
		const err = await res.json<ErrorJson>();
		expect(res.status, JSON.stringify(err)).toBe(status);
		expect(err.error.message).toMatch(match);
	});

	it.each([
		{ name: 'unknown model', path: predictPath('nope', 1), status: 404 },
		{ name: 'unknown version', path: predictPath('penguins', 99), status: 404 },
		{ name: 'unknown alias', path: '/api/v1/models/penguins/aliases/nope/predict', status: 404 },
		{ name: 'bad version', path: predictPath('penguins', '1.5'), status: 400 }
	])('$name → $status', async ({ path, status }) => {
		const res = await api(path, { method: 'POST', json: { rows: PENGUIN_ROWS } });
		expect(res.status).toBe(status);
	});

	it('a version without an ONNX artifact is 409 saying what to do', async () => {
		const noArtifact = await register('unfinished', { sha: null, prep: PENGUINS });
		const res = await api(predictPath('unfinished', noArtifact), {
			method: 'POST',
			json: { rows: PENGUIN_ROWS }
		});
		expect(res.status).toBe(409);
		expect((await res.json<ErrorJson>()).error).toMatchObject({
			code: 'not_servable',
			message: expect.stringMatching(/no ONNX artifact.*PUT \/api\/v1\/blobs/)
		});
	});

	it('a version without a preprocessing signature serves its graph as is: raw feature text is a 400 naming the input', async () => {
		const raw = await register('unfinished', { sha: penguinSha, prep: null });
		const res = await api(predictPath('unfinished', raw), { method: 'POST', json: { rows: PENGUIN_ROWS } });
		expect(res.status).toBe(400);
		expect((await res.json<ErrorJson>()).error.message).toMatch(
			/^rows\[0\]\[\d+\] is ".*": a float32 input takes numbers\.$/
		);
	});

	it('a version whose bytes this workspace no longer holds (blob_refs) is 409, even with the session cached', async () => {
		const bytes = gemmModel({ weights: [[3]], bias: [0.5], head: 'sigmoid' });
		const sha = await upload(bytes);
		const v = await register('orphan', { sha, prep: CHURN });
		await predictOk(predictPath('orphan', v), { rows: [{ age: 1 }] });
		await testEnv.DB.prepare('DELETE FROM blob_refs WHERE workspace_id = ? AND sha256 = ?')
			.bind('local', sha)
			.run();
		// Changed behind the write path (nothing in the app deletes a ref): seen once the isolate's one-second
		// serving cache lets go of the version, which this does at once.
		forgetServing();
		const res = await api(predictPath('orphan', v), { method: 'POST', json: { rows: [{ age: 1 }] } });
		expect(res.status).toBe(409);
		expect((await res.json<ErrorJson>()).error.message).toMatch(/never uploaded/);
	});

	it('an artifact that is not ONNX, or a graph of the wrong width, is 422', async () => {
		const notOnnx = await register('broken', {
			sha: await upload(new TextEncoder().encode('tfjs weights, not onnx')),
			prep: PENGUINS
		});
		const narrow = await register('broken', {
			sha: await upload(gemmModel({ weights: [[1, 0, 0]], bias: [0, 0, 0], head: 'softmax' })),
			prep: PENGUINS
		});
		for (const v of [notOnnx, narrow]) {
			const res = await api(predictPath('broken', v), { method: 'POST', json: { rows: PENGUIN_ROWS } });
			expect(res.status).toBe(422);
			expect((await res.json<ErrorJson>()).error.code).toBe('invalid_model');
		}
	});
});
