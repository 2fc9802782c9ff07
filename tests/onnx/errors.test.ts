import { beforeAll, expect, test } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeOnnx, exportOnnx, OnnxExportError, type ExportOptions, type OnnxErrorCode } from '$lib/onnx';
import { onnx } from '$lib/onnx/proto';
import type { ModelSpec } from '$lib/ml/types';
import { useCpu } from '../train/cpu';
import { appModel, saveArtifacts } from './models';

beforeAll(useCpu);

/** Saved artifacts of a binary MLP 4 → 3 (relu) → 1 (sigmoid), edited by each case. */
async function mlp(): Promise<ExportOptions> {
	const spec: ModelSpec = { kind: 'mlp', layers: [{ units: 3, activation: 'relu' }], dropout: 0 };
	return saveArtifacts(await appModel({ spec, width: 4, task: 'binary' }));
}

/** Saves a model built straight with tfjs-layers, for what the app's builder never makes. */
async function layers(...list: tfl.layers.Layer[]): Promise<ExportOptions> {
	const model = tfl.sequential({ layers: list });
	return saveArtifacts(model);
}

/** The parts of model.json the cases edit. */
interface ModelJson {
	modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
	weightsManifest: { weights: { name: string }[] }[];
}

function editJson(a: ExportOptions, edit: (json: ModelJson) => void): ExportOptions {
	const json = JSON.parse(a.modelJson) as ModelJson;
	edit(json);
	return { ...a, modelJson: JSON.stringify(json) };
}

const weightBytes = (a: ExportOptions) => new Uint8Array(a.weights as ArrayBuffer);

const cases: { name: string; make: () => Promise<ExportOptions>; code: OnnxErrorCode; message: RegExp }[] = [
	{
		name: 'model.json that is not JSON',
		make: async () => ({ ...(await mlp()), modelJson: '{"format": "layers-model",' }),
		code: 'not-json',
		message: /model\.json is not JSON/
	},
	{
		name: 'JSON that is not a model',
		make: async () => ({ ...(await mlp()), modelJson: '{"hello": 1}' }),
		code: 'bad-topology',
		message: /no modelTopology/
	},
	{
		name: 'weights.bin one float short',
		make: async () => {
			const a = await mlp();
			return { ...a, weights: weightBytes(a).slice(0, -4) };
		},
		code: 'bad-weights',
		message: /weights\.bin has 72 bytes; the manifest describes 76/
	},
	{
		name: 'weights.bin one float too long',
		make: async () => {
			const a = await mlp();
			const w = new Uint8Array(a.weights.byteLength + 4);
			w.set(weightBytes(a));
			return { ...a, weights: w.buffer };
		},
		code: 'bad-weights',
		message: /has 80 bytes; the manifest describes 76/
	},
	{
		name: 'a weight the manifest does not name',
		make: async () =>
			editJson(await mlp(), (j) => {
				j.weightsManifest[0].weights[0].name = 'somewhere/else';
			}),
		code: 'bad-weights',
		message: /no dense_Dense\d+\/kernel/
	},
	{
		name: 'a kernel of another shape than the layer config',
		make: async () =>
			editJson(await mlp(), (j) => {
				j.modelTopology.config.layers[0].config.units = 5;
			}),
		code: 'shape-mismatch',
		message: /kernel is \[4,3\] .* needs \[4,5\]/
	},
	{
		name: 'an unsupported layer (BatchNormalization)',
		make: () =>
			layers(
				tfl.layers.dense({ inputShape: [3], units: 2 }),
				tfl.layers.batchNormalization({}),
				tfl.layers.dense({ units: 1, activation: 'sigmoid' })
			),
		code: 'unsupported-layer',
		message: /is a BatchNormalization, which has no ONNX export/
	},
	{
		name: 'an unsupported layer (LSTM, named in model.json)',
		make: async () =>
			editJson(await mlp(), (j) => {
				j.modelTopology.config.layers[0].class_name = 'LSTM';
			}),
		code: 'unsupported-layer',
		message: /is a LSTM/
	},
	{
		name: 'a functional model',
		make: async () => {
			const input = tfl.input({ shape: [3] });
			const output = tfl.layers.dense({ units: 1 }).apply(input) as tfl.SymbolicTensor;
			return saveArtifacts(tfl.model({ inputs: input, outputs: output }));
		},
		code: 'unsupported-layer',
		message: /only Sequential models export/
	},
	{
		name: 'an unsupported activation (selu)',
		make: () => layers(tfl.layers.dense({ inputShape: [3], units: 1, activation: 'selu' })),
		code: 'unsupported-config',
		message: /activation "selu" has no ONNX export/
	},
	{
		name: 'inputSize other than the model takes',
		make: async () => ({ ...(await mlp()), inputSize: 5 }),
		code: 'shape-mismatch',
		message: /takes 4 features, not 5/
	},
	{
		name: 'a task other than the head says',
		make: async () => ({ ...(await mlp()), task: 'regression' }),
		code: 'task-mismatch',
		message: /sigmoid head × 1 is binary, not regression/
	},
	{
		name: 'a head that names no task',
		make: () => layers(tfl.layers.dense({ inputShape: [3], units: 2, activation: 'relu' })),
		code: 'task-mismatch',
		message: /relu head × 2 names no task/
	}
];

test.each(cases)('$name → OnnxExportError $code', async ({ make, code, message }) => {
	const options = await make();
	const error = (() => {
		try {
			exportOnnx(options);
		} catch (e) {
			return e;
		}
	})();
	expect(error).toBeInstanceOf(OnnxExportError);
	expect(error).toMatchObject({ name: 'OnnxExportError', code });
	expect((error as Error).message).toMatch(message);
});

test('a head that names no task exports when the task is given', async () => {
	const a = await layers(tfl.layers.dense({ inputShape: [3], units: 2, activation: 'relu' }));
	expect(describeOnnx(exportOnnx({ ...a, task: 'regression' })).task).toBe('regression');
});

test('weights handed as a Uint8Array view at an odd offset export the same bytes', async () => {
	const a = await mlp();
	const padded = new Uint8Array(a.weights.byteLength + 1);
	padded.set(weightBytes(a), 1);
	expect(exportOnnx({ ...a, weights: padded.subarray(1) })).toEqual(exportOnnx(a));
});

test.each([
	{
		name: 'bytes that are not ONNX',
		bytes: new TextEncoder().encode('not an onnx model'),
		code: 'not-onnx'
	},
	{
		name: 'an ONNX model without edgebook metadata',
		bytes: onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ version: 17 }] }).finish(),
		code: 'not-edgebook'
	}
])('describeOnnx: $name → OnnxExportError $code', ({ bytes, code }) => {
	expect(() => describeOnnx(bytes)).toThrow(expect.objectContaining({ name: 'OnnxExportError', code }));
});
