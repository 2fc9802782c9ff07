import { beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../../src/lib/contract';
import { blobKey } from '../../../workers/registry/read-artifacts';
import { testEnv, type ErrorJson } from '../helpers';
import { ml, newExperiment, newRun, ok as mlOk } from '../mlflow/helpers';
import { api, ok, snapshot } from '../v1/fixtures';
import { predictPath, register, softmax, upload } from './fixtures';
import { sklearnLikeModel, twoInputModel, unloadableModel } from './onnx-builder';

/**
 * Any ONNX graph at the edge (not only the notebook's `features` → `output` export), called with MLflow's scoring
 * formats: the inputs are checked against the signature read from the graph, outputs come back by name, and
 * every answer names the model, version and alias that served it. Expected values are computed here from the
 * weights, not read back from the runtime.
 */

const W = [
	[1, 0, -1],
	[0, 2, 0],
	[0, 0, 1],
	[-1, 1, 0]
];
const ROWS = [
	[1, 2, 3, 4],
	[0.5, -1, 2, 0]
];

function classify(row: number[]) {
	const logits = [0, 1, 2].map((k) => row.reduce((s, x, i) => s + x * W[i][k], 0));
	const probabilities = softmax(logits);
	return { label: logits.indexOf(Math.max(...logits)), probabilities };
}

const post = (path: string, json: unknown) => api(path, { method: 'POST', json });
const twoPath = () => predictPath('two', 1);
const clfPath = () => predictPath('clf', 1);

async function predictJson<T>(path: string, json: unknown): Promise<{ body: T; headers: Headers }> {
	const res = await post(path, json);
	const text = await res.text();
	expect(res.status, text).toBe(200);
	return { body: JSON.parse(text) as T, headers: res.headers };
}

type Preds<T> = { model: string; version: number; predictions: T };

beforeAll(async () => {
	expect(await register('two', { sha: await upload(twoInputModel()) })).toBe(1);
	expect(await register('clf', { sha: await upload(sklearnLikeModel(W)) })).toBe(1);
	await ok('/api/v1/models/clf/aliases/champion', { method: 'PUT', json: { version: 1 } });
	// The first prediction loads ORT: outside any one test's timeout.
	await post(clfPath(), { inputs: ROWS });
}, 60_000);

describe('any ONNX graph, in MLflow scoring formats', () => {
	it('a version created through /api/v1 with only an artifact stores the signature read from its graph', async () => {
		const v = await ok<{ signature: unknown }>('/api/v1/models/two/versions/1');
		expect(v.signature).toEqual({
			inputs: [
				{ type: 'tensor', name: 'a', 'tensor-spec': { dtype: 'float32', shape: [-1, 2] } },
				{ type: 'tensor', name: 'b', 'tensor-spec': { dtype: 'int64', shape: [-1, 1] } }
			],
			outputs: [
				{ type: 'tensor', name: 'y', 'tensor-spec': { dtype: 'float32', shape: [-1, 1] } },
				{ type: 'tensor', name: 'flag', 'tensor-spec': { dtype: 'bool', shape: [-1, 1] } }
			]
		});
	});

	it('inputs by name: outputs by name, each of its own element type, computed from the weights', async () => {
		const { body, headers } = await predictJson<Preds<{ y: number[][]; flag: boolean[][] }>>(twoPath(), {
			inputs: {
				a: [
					[1, 2],
					[-3, 0.5]
				],
				b: [[1], [-1]]
			}
		});
		// y = a0 + 2·a1 + b
		expect(body.predictions).toEqual({ y: [[6], [-3]], flag: [[true], [false]] });
		expect(body).toMatchObject({ model: 'two', version: 1 });
		expect([headers.get('x-edgebook-model'), headers.get('x-edgebook-version')]).toEqual(['two', '1']);
		expect(headers.get('x-edgebook-alias')).toBeNull();
	});

	it('instances as one object per row (TF Serving) answers as inputs by name does', async () => {
		const { body } = await predictJson<Preds<unknown>>(twoPath(), {
			instances: [
				{ a: [1, 2], b: [1] },
				{ a: [-3, 0.5], b: [-1] }
			]
		});
		expect(body.predictions).toEqual({ y: [[6], [-3]], flag: [[true], [false]] });
	});

	it('a table (dataframe_split, dataframe_records) feeds one column per input and answers one record per row', async () => {
		const want = [
			{ y: 6, flag: true },
			{ y: -3, flag: false }
		];
		const split = await predictJson<Preds<unknown>>(twoPath(), {
			dataframe_split: {
				columns: ['a', 'b'],
				data: [
					[[1, 2], 1],
					[[-3, 0.5], -1]
				]
			}
		});
		expect(split.body.predictions).toEqual(want);
		const records = await predictJson<Preds<unknown>>(twoPath(), {
			dataframe_records: [
				{ a: [1, 2], b: 1 },
				{ b: -1, a: [-3, 0.5] }
			]
		});
		expect(records.body.predictions).toEqual(want);
	});

	it('one input takes a bare tensor, or a table as its matrix; int64 labels and probabilities come back', async () => {
		const want = ROWS.map(classify);
		const tensor = await predictJson<Preds<{ label: number[]; probabilities: number[][] }>>(clfPath(), {
			inputs: ROWS,
			params: { ignored: true }
		});
		expect(tensor.body.predictions.label).toEqual(want.map((w) => w.label));
		tensor.body.predictions.probabilities.forEach((p, i) =>
			p.forEach((v, k) => expect(v).toBeCloseTo(want[i].probabilities[k], 6))
		);
		const table = await predictJson<Preds<{ label: number; probabilities: number[] }[]>>(clfPath(), {
			dataframe_split: { columns: ['f0', 'f1', 'f2', 'f3'], data: ROWS }
		});
		expect(table.body.predictions.map((r) => r.label)).toEqual(want.map((w) => w.label));
		table.body.predictions.forEach((r, i) =>
			r.probabilities.forEach((v, k) => expect(v).toBeCloseTo(want[i].probabilities[k], 6))
		);
		const instances = await predictJson<Preds<{ label: number[] }>>(clfPath(), { instances: ROWS });
		expect(instances.body.predictions.label).toEqual(want.map((w) => w.label));
	});

	it('POST /models/:name/predict serves the champion alias and says so in its headers', async () => {
		const { body, headers } = await predictJson<Preds<{ label: number[] }>>('/api/v1/models/clf/predict', {
			inputs: ROWS
		});
		expect(body.predictions.label).toEqual(ROWS.map((r) => classify(r).label));
		expect([
			headers.get('x-edgebook-model'),
			headers.get('x-edgebook-version'),
			headers.get('x-edgebook-alias')
		]).toEqual(['clf', '1', 'champion']);
		// No champion: the alias is named in the 404.
		const res = await post('/api/v1/models/two/predict', { inputs: { a: [[1, 2]], b: [[1]] } });
		expect(res.status).toBe(404);
		expect((await res.json<ErrorJson>()).error.message).toBe('The model "two" has no alias "champion".');
	});
});

describe('a model an MLflow client logged and registered serves at the edge', () => {
	it('model-versions/create finds the .onnx the onnx flavor names, stores its signature, and the alias serves it', async () => {
		const exp = await newExperiment('onnx-from-mlflow');
		const run = await newRun(exp);
		const root = `${exp}/${run}/artifacts`;
		const put = (path: string, body: Uint8Array | string, type: string) =>
			api(`/api/2.0/mlflow-artifacts/artifacts/${root}/${path}`, {
				method: 'PUT',
				body,
				headers: { 'content-type': type }
			});
		const mlmodel = `artifact_path: model\nflavors:\n  onnx:\n    code: null\n    data: clf.onnx\n    onnx_version: 1.16.0\n  python_function:\n    data: clf.onnx\n    loader_module: mlflow.onnx\n`;
		expect((await put('model/MLmodel', mlmodel, 'text/plain')).status).toBe(200);
		expect((await put('model/clf.onnx', sklearnLikeModel(W), 'application/octet-stream')).status).toBe(200);
		expect((await put('model/other.onnx', twoInputModel(), 'application/octet-stream')).status).toBe(200);
		await mlOk(ml('/registered-models/create', { json: { name: 'mlflow-clf' } }));
		const created = await mlOk<{ model_version: { version: string } }>(
			ml('/model-versions/create', {
				json: { name: 'mlflow-clf', source: `runs:/${run}/model`, run_id: run }
			})
		);
		expect(created.model_version.version).toBe('1');
		await mlOk(
			ml('/registered-models/alias', { json: { name: 'mlflow-clf', alias: 'champion', version: '1' } })
		);

		const version = await ok<{ signature: { inputs: unknown[]; outputs: unknown[] } }>(
			'/api/v1/models/mlflow-clf/versions/1'
		);
		expect(version.signature).toEqual({
			inputs: [{ type: 'tensor', name: 'float_input', 'tensor-spec': { dtype: 'float32', shape: [-1, 4] } }],
			outputs: [
				{ type: 'tensor', name: 'label', 'tensor-spec': { dtype: 'int64', shape: [-1] } },
				{ type: 'tensor', name: 'probabilities', 'tensor-spec': { dtype: 'float32', shape: [-1, 3] } }
			]
		});
		const { body, headers } = await predictJson<Preds<{ label: number[] }>>(
			'/api/v1/models/mlflow-clf/predict',
			{ dataframe_records: ROWS.map((r) => ({ a: r[0], b: r[1], c: r[2], d: r[3] })) }
		);
		expect(body.predictions).toEqual(ROWS.map((r) => expect.objectContaining({ label: classify(r).label })));
		expect(headers.get('x-edgebook-alias')).toBe('champion');
	});
});

describe('bad input to a graph: a 4xx naming the problem, nothing stored changes', () => {
	const cases: { name: string; path?: () => string; body: unknown; status: number; message: RegExp }[] = [
		{
			name: 'a tensor of the wrong shape',
			body: { inputs: { a: [[1, 2, 3]], b: [[1]] } },
			status: 400,
			message: /^Input "a" takes float32 \[batch, 2\]; got \[1, 3\]\.$/
		},
		{
			name: 'a fraction for an int64 input',
			body: { inputs: { a: [[1, 2]], b: [[1.5]] } },
			status: 400,
			message: /^inputs\.b\[0\]\[0\] is 1\.5: an int64 input takes whole numbers\.$/
		},
		{
			name: 'text for a float input',
			body: { inputs: { a: [[1, 'x']], b: [[1]] } },
			status: 400,
			message: /^inputs\.a\[0\]\[1\] is "x": a float32 input takes numbers\.$/
		},
		{
			name: 'null (NaN) where the graph takes numbers',
			body: { inputs: { a: [[1, null]], b: [[1]] } },
			status: 400,
			message: /^inputs\.a\[0\]\[1\] is null \(a missing value\)/
		},
		{
			name: 'a missing input',
			body: { inputs: { a: [[1, 2]] } },
			status: 400,
			message: /^Input "b" is missing; the model takes "a", "b"\.$/
		},
		{
			name: 'an extra input',
			body: { inputs: { a: [[1, 2]], b: [[1]], c: [[0]] } },
			status: 400,
			message: /^The model has no input "c"; it takes "a", "b"\.$/
		},
		{
			name: 'a bare tensor for a two-input graph',
			body: { inputs: [[1, 2]] },
			status: 400,
			message: /takes 2 inputs \("a", "b"\): send inputs as an object/
		},
		{
			name: 'a ragged tensor',
			body: { inputs: { a: [[1, 2], [3]], b: [[1], [2]] } },
			status: 400,
			message: /^inputs\.a\[1\] has 1 entries but inputs\.a\[0\] has 2: the array is ragged\.$/
		},
		{
			name: 'an int64 beyond 2^53 as a JSON number',
			body: { inputs: { a: [[1, 2]], b: [[2 ** 53 + 2]] } },
			status: 400,
			message: /send it as a decimal string/
		},
		{
			name: 'an empty batch',
			body: { inputs: { a: [], b: [] } },
			status: 400,
			message: /^Input "a" takes float32 \[batch, 2\]; the batch is empty\.$/
		},
		{
			name: 'a batch over the limit',
			body: {
				inputs: { a: Array(LIMITS.predictRows + 1).fill([1, 2]), b: Array(LIMITS.predictRows + 1).fill([1]) }
			},
			status: 413,
			message: new RegExp(`^${LIMITS.predictRows + 1} rows is more than the ${LIMITS.predictRows}`)
		},
		{
			name: 'two formats in one body',
			body: { inputs: { a: [[1, 2]], b: [[1]] }, instances: [] },
			status: 400,
			message: /^Invalid body: Send exactly one of .*; this body has instances and inputs\.$/
		},
		{
			name: 'no format at all',
			body: { data: [[1, 2]] },
			status: 400,
			message: /^Invalid body: The body has none of dataframe_split, dataframe_records, instances, inputs/
		},
		{
			name: 'dataframe_split without data',
			body: { dataframe_split: { columns: ['a', 'b'] } },
			status: 400,
			message: /^Invalid body: dataframe_split\.data must be an array of rows\.$/
		},
		{
			name: 'dataframe_split rows shorter than its columns',
			body: { dataframe_split: { columns: ['a', 'b'], data: [[[1, 2]]] } },
			status: 400,
			message: /^Invalid body: dataframe_split\.data\[0\] has 1 values but there are 2 columns\.$/
		},
		{
			name: 'dataframe_records that are not records',
			body: { dataframe_records: [[1, 2]] },
			status: 400,
			message: /^Invalid body: dataframe_records\[0\] must be an object of column → value\.$/
		},
		{
			name: 'instances naming different inputs per row',
			body: { instances: [{ a: [1, 2], b: [1] }, { a: [1, 2] }] },
			status: 400,
			message: /^Invalid body: instances\[1\] names inputs a but instances\[0\] names a, b\.$/
		},
		{
			name: 'params that are not an object',
			body: { inputs: { a: [[1, 2]], b: [[1]] }, params: [1] },
			status: 400,
			message: /^Invalid body: params must be an object/
		},
		{
			name: 'an unknown alias',
			path: () => '/api/v1/models/two/aliases/challenger/predict',
			body: { inputs: { a: [[1, 2]], b: [[1]] } },
			status: 404,
			message: /^The model "two" has no alias "challenger"\.$/
		}
	];

	it.each(cases)('$name', async ({ path, body, status, message }) => {
		const before = await snapshot(testEnv.DB);
		const res = await post((path ?? twoPath)(), body);
		const json = await res.json<ErrorJson>();
		expect(res.status, json.error.message).toBe(status);
		expect(json.error.message).toMatch(message);
		expect(await snapshot(testEnv.DB)).toBe(before);
	});

	it('an artifact whose stored bytes no longer match its hash is a 503 and is never run', async () => {
		const sha = await upload(
			sklearnLikeModel([
				[9, 9, 9],
				[0, 0, 0],
				[0, 0, 0],
				[0, 0, 0]
			])
		);
		const v = await register('damaged', { sha });
		await testEnv.ARTIFACTS.put(blobKey(sha), sklearnLikeModel(W));
		const res = await post(predictPath('damaged', v), { inputs: ROWS });
		expect(res.status).toBe(503);
		expect((await res.json<ErrorJson>()).error).toMatchObject({
			code: 'broken_artifact',
			message: expect.stringMatching(
				new RegExp(`^The stored bytes of artifact ${sha} hash to [0-9a-f]{64}: storage is damaged`)
			)
		});
	});

	it('a graph the runtime cannot load, and an upload that is not ONNX, are 422 naming why', async () => {
		const unloadable = await register('unloadable', { sha: await upload(unloadableModel()) });
		const r1 = await post(predictPath('unloadable', unloadable), { inputs: [[1, 2]] });
		expect(r1.status).toBe(422);
		expect((await r1.json<ErrorJson>()).error.message).toMatch(
			/not an ONNX model this runtime can load: .*NoSuchOperator/
		);
		const text = await register('unloadable', {
			sha: await upload(new TextEncoder().encode('{"not": "onnx"}'))
		});
		const r2 = await post(predictPath('unloadable', text), { inputs: [[1, 2]] });
		expect(r2.status).toBe(422);
		expect((await r2.json<ErrorJson>()).error.message).toMatch(
			/^The version's artifact is not an ONNX model: /
		);
	});
});
