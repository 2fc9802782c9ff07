import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeOnnx, exportOnnx, INPUT_NAME, OUTPUT_NAME } from '$lib/onnx';
import { disposeModel } from '$lib/train/engine/models';
import type { ModelSpec, Task } from '$lib/ml/types';
import { useCpu } from '../train/cpu';
import { appModel, randomRows, saveArtifacts, tfPredict } from './models';
import { runOnnx } from './ort';

beforeAll(useCpu);

const diffs: Record<string, number> = {};
afterAll(() => console.table(diffs));

const cases: { name: string; spec: ModelSpec; width: number; task: Task; classes?: number }[] = [
	{ name: 'logistic binary', spec: { kind: 'linear' }, width: 5, task: 'binary' },
	{ name: 'linear regression', spec: { kind: 'linear' }, width: 3, task: 'regression' },
	{
		name: 'multiclass mlp relu+tanh',
		spec: {
			kind: 'mlp',
			layers: [
				{ units: 16, activation: 'relu' },
				{ units: 8, activation: 'tanh' }
			],
			dropout: 0
		},
		width: 7,
		task: 'multiclass',
		classes: 4
	},
	{
		name: 'regression mlp elu+sigmoid',
		spec: {
			kind: 'mlp',
			layers: [
				{ units: 12, activation: 'elu' },
				{ units: 6, activation: 'sigmoid' }
			],
			dropout: 0
		},
		width: 6,
		task: 'regression'
	},
	{
		name: 'binary mlp with dropout',
		spec: { kind: 'mlp', layers: [{ units: 10, activation: 'relu' }], dropout: 0.5 },
		width: 4,
		task: 'binary'
	},
	{
		name: 'cnn 28x28x1 (mnist shape)',
		spec: {
			kind: 'cnn',
			image: { height: 28, width: 28, channels: 1 },
			filters: [4, 8],
			kernel: 3,
			dense: 16,
			dropout: 0.25
		},
		width: 784,
		task: 'multiclass',
		classes: 10
	},
	// An even kernel pads unevenly under 'same', and a non-square, 2-channel image catches any H/W/C mix-up.
	{
		name: 'cnn 7x5x2, kernel 2',
		spec: {
			kind: 'cnn',
			image: { height: 7, width: 5, channels: 2 },
			filters: [3],
			kernel: 2,
			dense: 5,
			dropout: 0
		},
		width: 70,
		task: 'regression'
	}
];

test.each(cases)('$name: ORT output matches TF.js predict', async (c) => {
	const model = await appModel(c);
	const artifacts = await saveArtifacts(model);
	const bytes = exportOnnx(artifacts);
	const k = c.task === 'multiclass' ? c.classes! : 1;
	for (const rows of [1, 9]) {
		const x = randomRows(rows, c.width, rows + c.width);
		const want = await tfPredict(model, x, rows, c.width);
		const got = await runOnnx(bytes, x, rows, c.width);
		expect(got.dims).toEqual([rows, k]);
		const diff = Math.max(...want.map((v, i) => Math.abs(v - got.values[i])));
		diffs[c.name] = Math.max(diffs[c.name] ?? 0, diff);
		expect(diff).toBeLessThan(1e-4);
	}
	expect(describeOnnx(bytes)).toMatchObject({ inputFeatures: c.width, outputs: k, task: c.task });
	disposeModel(model);
});

test('the graph contract: one float input features [N, F], one output [N, K], opset 17, metadata', async () => {
	const model = await appModel({ spec: { kind: 'linear' }, width: 3, task: 'multiclass', classes: 3 });
	const bytes = exportOnnx(await saveArtifacts(model));
	const { session } = await runOnnx(bytes, new Float32Array(3), 1, 3);
	expect(session.inputNames).toEqual([INPUT_NAME]);
	expect(session.outputNames).toEqual([OUTPUT_NAME]);
	expect(session.inputMetadata[0]).toMatchObject({ isTensor: true, type: 'float32', shape: ['N', 3] });
	expect(session.outputMetadata[0]).toMatchObject({ isTensor: true, type: 'float32', shape: ['N', 3] });
	expect(describeOnnx(bytes)).toEqual({
		formatVersion: 1,
		inputFeatures: 3,
		outputs: 3,
		task: 'multiclass',
		irVersion: 8,
		opset: 17
	});
	disposeModel(model);
});

test('the bytes are a plain Uint8Array of their own, safe to transfer', async () => {
	const model = await appModel({ spec: { kind: 'linear' }, width: 2, task: 'binary' });
	const bytes = exportOnnx(await saveArtifacts(model));
	expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
	expect(bytes.byteOffset).toBe(0);
	expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
	disposeModel(model);
});
