/** The graph under construction, and the tensor that flows from one converted layer to the next. */
import { OnnxExportError } from './errors';
import { node, tensor, type AttrValue } from './proto';
import type { TfLayer, TfModel } from './read-artifacts';

/**
 * The current tensor. `rows` is [N, F]; `nchw` is an image kept in ONNX's channels-first layout while `shape`
 * stays TF's [height, width, channels], so converters can reason in TF's terms.
 */
export interface Flow {
	name: string;
	layout: 'rows' | 'nchw';
	shape: number[];
}

export class Graph {
	readonly nodes: ReturnType<typeof node>[] = [];
	readonly initializers: ReturnType<typeof tensor>[] = [];
	/** The activation the last layer with one applied: the head that tells the task. */
	head = 'linear';
	#count = 0;

	constructor(readonly model: TfModel) {}

	/** Adds a node with one output, named after the layer, and returns that output's name. */
	add(layer: TfLayer, op: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
		const out = `${layer.name}/${op}_${this.#count++}`;
		this.nodes.push(node(op, inputs, [out], out, attrs));
		return out;
	}

	constant(name: string, dims: number[], values: Float32Array | BigInt64Array): string {
		this.initializers.push(tensor(name, dims, values));
		return name;
	}

	/** A layer's trained weight (`<layer>/kernel`, `<layer>/bias`), its shape checked against what it must be. */
	weight(layer: TfLayer, key: string, shape: number[]): { shape: number[]; values: Float32Array } {
		const name = `${layer.name}/${key}`;
		const w = this.model.weights.get(name);
		if (!w) throw new OnnxExportError('bad-weights', `the weights manifest has no ${name}`);
		if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i]))
			throw new OnnxExportError(
				'shape-mismatch',
				`${name} is [${w.shape}] but layer ${layer.name} (${layer.className}) needs [${shape}]`
			);
		return w;
	}
}

export function unsupported(layer: TfLayer, what: string): never {
	throw new OnnxExportError('unsupported-config', `layer ${layer.name} (${layer.className}): ${what}`);
}

export function requireRows(layer: TfLayer, flow: Flow): number {
	if (flow.layout !== 'rows' || flow.shape.length !== 1)
		unsupported(layer, `expects flat rows, gets a [${flow.shape}] tensor (add a Flatten before it)`);
	return flow.shape[0];
}
