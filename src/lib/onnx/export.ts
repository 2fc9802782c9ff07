/**
 * TF.js Layers artifacts → ONNX ModelProto bytes. DOM-free and TF.js-free, so it runs in the browser, a worker,
 * Node and the Cloudflare Worker alike.
 */
import type { Task } from '../ml/types';
import { conv2d, flatten, maxPooling2d, reshape } from './conv';
import { activation, dense } from './dense';
import { OnnxExportError } from './errors';
import { Graph, type Flow } from './graph';
import { FORMAT_VERSION, INPUT_NAME, IR_VERSION, META, OPSET, OUTPUT_NAME } from './metadata';
import { floatRows, node, onnx } from './proto';
import { readArtifacts, type TfLayer } from './read-artifacts';

export interface ExportOptions {
	/** The run's `model.json` as saved by saveArtifacts. */
	modelJson: string;
	/** The run's `weights.bin`. */
	weights: ArrayBuffer | Uint8Array;
	/** The preprocessed row width F; checked against the model when the topology records it, needed when not. */
	inputSize?: number;
	/** The run's task; read from the model's head when left out, checked against it when given. */
	task?: Task;
}

type Converter = (g: Graph, layer: TfLayer, flow: Flow) => Flow;
const CONVERTERS: Record<string, Converter> = {
	Dense: dense,
	Activation: (g, l, f) => activation(g, l, f, l.config.activation),
	// Dropout is the identity at inference; the input layer only carries the shape.
	Dropout: (_g, _l, f) => f,
	InputLayer: (_g, _l, f) => f,
	Reshape: reshape,
	Conv2D: conv2d,
	MaxPooling2D: maxPooling2d,
	Flatten: flatten
};

export function exportOnnx({ modelJson, weights, inputSize, task }: ExportOptions): Uint8Array {
	const model = readArtifacts(modelJson, weights);
	const features = inputWidth(model.inputShape, inputSize);
	const g = new Graph(model);
	let flow: Flow = { name: INPUT_NAME, layout: 'rows', shape: [features] };
	for (const layer of model.layers) {
		const convert = Object.hasOwn(CONVERTERS, layer.className) ? CONVERTERS[layer.className] : undefined;
		if (!convert)
			throw new OnnxExportError(
				'unsupported-layer',
				`layer ${layer.name} is a ${layer.className}, which has no ONNX export`
			);
		flow = convert(g, layer, flow);
	}
	if (flow.layout !== 'rows' || flow.shape.length !== 1)
		throw new OnnxExportError('unsupported-layer', `the model ends in a [${flow.shape}] image, not rows`);
	const outputs = flow.shape[0];
	const resolved = headTask(g.head, outputs, task);
	renameOutput(g, flow.name);

	const proto = {
		irVersion: IR_VERSION,
		opsetImport: [{ domain: '', version: OPSET }],
		producerName: 'edgebook',
		producerVersion: String(FORMAT_VERSION),
		docString: `Exported from ${model.generatedBy}`,
		graph: {
			name: 'edgebook',
			node: g.nodes,
			initializer: g.initializers,
			input: [floatRows(INPUT_NAME, features)],
			output: [floatRows(OUTPUT_NAME, outputs)]
		},
		metadataProps: Object.entries({
			[META.formatVersion]: String(FORMAT_VERSION),
			[META.inputFeatures]: String(features),
			[META.outputs]: String(outputs),
			[META.task]: resolved
		}).map(([key, value]) => ({ key, value }))
	};
	// A plain copy: in Node protobufjs hands out a Buffer that may share its memory with others, which would
	// leak into (or be detached by) a transfer to another worker.
	return new Uint8Array(onnx.ModelProto.encode(proto).finish());
}

function inputWidth(shape: (number | null)[] | null, inputSize: number | undefined): number {
	const recorded = shape?.length === 2 && typeof shape[1] === 'number' ? shape[1] : undefined;
	if (shape && recorded === undefined)
		throw new OnnxExportError('unsupported-config', `the model takes [${shape}]; only rows [N, F] export`);
	if (recorded !== undefined && inputSize !== undefined && recorded !== inputSize)
		throw new OnnxExportError('shape-mismatch', `the model takes ${recorded} features, not ${inputSize}`);
	const width = recorded ?? inputSize;
	if (width === undefined || !Number.isInteger(width) || width < 1)
		throw new OnnxExportError('shape-mismatch', 'the model records no input width; pass inputSize');
	return width;
}

/** The app builds each task's head one way (models.ts): sigmoid × 1 binary, softmax multiclass, linear regression. */
function headTask(head: string, outputs: number, given: Task | undefined): Task {
	const read: Task | undefined =
		head === 'sigmoid' && outputs === 1
			? 'binary'
			: head === 'softmax' && outputs >= 2
				? 'multiclass'
				: head === 'linear'
					? 'regression'
					: undefined;
	if (given && read && given !== read)
		throw new OnnxExportError(
			'task-mismatch',
			`the model's ${head} head × ${outputs} is ${read}, not ${given}`
		);
	const task = given ?? read;
	if (!task)
		throw new OnnxExportError('task-mismatch', `a ${head} head × ${outputs} names no task; pass task`);
	return task;
}

/** The last node writes `output`; a model with no nodes at all (only Dropout) gets an Identity. */
function renameOutput(g: Graph, last: string): void {
	const producer = g.nodes.find((n) => n.output[0] === last);
	if (producer) producer.output = [OUTPUT_NAME];
	else g.nodes.push(node('Identity', [last], [OUTPUT_NAME], 'output/Identity'));
}
