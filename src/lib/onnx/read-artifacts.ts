/**
 * Reads a run's saved artifacts (TF.js Layers `model.json` + `weights.bin`, see $lib/train/artifacts) without
 * TF.js: the exporter also runs in the Cloudflare Worker, where TF.js is too heavy to load.
 */
import { OnnxExportError } from './errors';

export interface TfLayer {
	className: string;
	name: string;
	config: Record<string, unknown>;
}

export interface TfModel {
	layers: TfLayer[];
	/** The model's batch input shape, e.g. [null, 12], when the topology records one. */
	inputShape: (number | null)[] | null;
	/** Where the model came from (`generatedBy`), kept for the ONNX doc string. */
	generatedBy: string;
	weights: Map<string, { shape: number[]; values: Float32Array }>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readArtifacts(modelJson: string, weights: ArrayBuffer | Uint8Array): TfModel {
	let root: unknown;
	try {
		root = JSON.parse(modelJson);
	} catch (e) {
		throw new OnnxExportError('not-json', `model.json is not JSON: ${e instanceof Error ? e.message : e}`);
	}
	if (!isObject(root) || !isObject(root.modelTopology) || !Array.isArray(root.weightsManifest))
		throw new OnnxExportError('bad-topology', 'model.json has no modelTopology or weightsManifest');
	const layers = readLayers(root.modelTopology);
	return {
		layers,
		inputShape: batchInputShape(layers[0]),
		generatedBy: typeof root.generatedBy === 'string' ? root.generatedBy : 'TensorFlow.js',
		weights: readWeights(
			root.weightsManifest,
			weights instanceof Uint8Array ? weights : new Uint8Array(weights)
		)
	};
}

function readLayers(topology: Json): TfLayer[] {
	// Models converted from Keras files nest the topology one level down.
	const model = isObject(topology.model_config) ? topology.model_config : topology;
	if (model.class_name !== 'Sequential')
		throw new OnnxExportError(
			'unsupported-layer',
			`only Sequential models export to ONNX; this one is a ${String(model.class_name)}`
		);
	// TF.js writes { name, layers }; older Keras wrote the layer list itself.
	const list = isObject(model.config) ? model.config.layers : model.config;
	if (!Array.isArray(list) || list.length === 0)
		throw new OnnxExportError('bad-topology', 'the Sequential model lists no layers');
	return list.map((l, i) => {
		if (!isObject(l) || typeof l.class_name !== 'string' || !isObject(l.config))
			throw new OnnxExportError('bad-topology', `layer ${i} has no class_name or config`);
		const name = typeof l.config.name === 'string' ? l.config.name : `layer_${i}`;
		return { className: l.class_name, name, config: l.config };
	});
}

function batchInputShape(first: TfLayer): (number | null)[] | null {
	const s = first.config.batch_input_shape;
	return Array.isArray(s) ? (s as (number | null)[]) : null;
}

function readWeights(manifest: unknown[], bytes: Uint8Array): TfModel['weights'] {
	const out: TfModel['weights'] = new Map();
	let offset = 0;
	// Weights lie in weights.bin in manifest order, group after group.
	for (const group of manifest) {
		const specs = isObject(group) && Array.isArray(group.weights) ? group.weights : null;
		if (!specs) throw new OnnxExportError('bad-topology', 'a weightsManifest group has no weights list');
		for (const w of specs) {
			if (!isObject(w) || typeof w.name !== 'string' || !Array.isArray(w.shape))
				throw new OnnxExportError('bad-topology', 'a weight spec has no name or shape');
			if ((w.dtype ?? 'float32') !== 'float32' || w.quantization)
				throw new OnnxExportError(
					'unsupported-config',
					`weight ${w.name} is ${String(w.dtype)}${w.quantization ? ', quantized' : ''}; only float32 exports`
				);
			const shape = w.shape as number[];
			const length = 4 * shape.reduce((p, d) => p * d, 1);
			if (offset + length <= bytes.byteLength)
				// slice() copies, so the Float32Array is aligned whatever the caller's byteOffset.
				out.set(w.name, { shape, values: new Float32Array(bytes.slice(offset, offset + length).buffer) });
			offset += length;
		}
	}
	if (offset !== bytes.byteLength)
		throw new OnnxExportError(
			'bad-weights',
			`weights.bin has ${bytes.byteLength} bytes; the manifest describes ${offset}`
		);
	return out;
}
