import { api, ok, sha256 } from '../v1/fixtures';
import type { Preprocessing } from '../../../src/lib/ml/types';

/**
 * A notebook-trained model as the registry holds one: a run with TF.js's model.json (one Dense layer, softmax over
 * 3 classes from 4 features), weights.bin (kernel 4×3 then bias 3: 15 float32) and preprocessing.json, and a
 * version of it. Built by hand: TF.js is too heavy to load inside workerd.
 */

export const PARAMS = 15;

export const PREP: Preprocessing = {
	version: 1,
	features: ['a', 'b', 'c', 'd'].map((name) => ({ name, kind: 'numeric', mean: 0, std: 1, impute: 0 })),
	target: { name: 'species', task: 'multiclass', classes: ['x', 'y', 'z'] },
	width: 4
} as unknown as Preprocessing;

const MODEL_JSON = JSON.stringify({
	format: 'layers-model',
	generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
	modelTopology: {
		class_name: 'Sequential',
		config: {
			name: 'fed',
			layers: [
				{
					class_name: 'Dense',
					config: {
						name: 'out',
						units: 3,
						activation: 'softmax',
						use_bias: true,
						batch_input_shape: [null, 4],
						dtype: 'float32'
					}
				}
			]
		}
	},
	weightsManifest: [
		{
			paths: ['weights.bin'],
			weights: [
				{ name: 'out/kernel', shape: [4, 3], dtype: 'float32' },
				{ name: 'out/bias', shape: [3], dtype: 'float32' }
			]
		}
	]
});

async function put(bytes: Uint8Array): Promise<string> {
	const sha = await sha256(bytes);
	const res = await api(`/api/v1/blobs/${sha}`, {
		method: 'PUT',
		body: bytes,
		headers: { 'content-type': 'application/octet-stream' }
	});
	if (res.status !== 201 && res.status !== 200) throw new Error(`blob: ${res.status}`);
	return sha;
}

let runs = 0;

/** Registers `model` version (next) from these starting weights; answers the version number. */
export async function trainedVersion(model: string, weights: Float32Array): Promise<number> {
	const runId = `fedsrc_${++runs}_${model.replace(/\W/g, '')}`;
	const exp = await api('/api/v1/experiments', { method: 'POST', json: { name: 'fed-source' } });
	const expId =
		exp.status === 201
			? ((await exp.json()) as { id: string }).id
			: ((await ok<{ experiments: { id: string; name: string }[] }>('/api/v1/experiments')).experiments.find(
					(e) => e.name === 'fed-source'
				)!.id as string);
	await ok('/api/v1/runs', {
		method: 'POST',
		json: { id: runId, experimentId: expId, name: 'source' },
		status: 201
	});
	const files: [string, Uint8Array][] = [
		['model.json', new TextEncoder().encode(MODEL_JSON)],
		['weights.bin', new Uint8Array(weights.buffer.slice(0))],
		['preprocessing.json', new TextEncoder().encode(JSON.stringify(PREP))]
	];
	for (const [name, bytes] of files)
		await ok(`/api/v1/runs/${runId}/artifacts`, {
			method: 'POST',
			json: { name, sha256: await put(bytes) },
			status: 201
		});
	const m = await api('/api/v1/models', { method: 'POST', json: { name: model } });
	if (m.status !== 201 && m.status !== 409) throw new Error(`model: ${m.status}`);
	const v = await ok<{ version: number }>(`/api/v1/models/${model}/versions`, {
		method: 'POST',
		json: { sourceRunId: runId, artifactSha256: null, signature: { preprocessing: PREP } },
		status: 201
	});
	return v.version;
}

export const filled = (value: number) => new Float32Array(PARAMS).fill(value);
