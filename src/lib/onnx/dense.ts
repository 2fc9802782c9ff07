/** Dense, Activation, Dropout: everything the linear models and MLPs are made of. */
import { Graph, requireRows, unsupported, type Flow } from './graph';
import type { AttrValue } from './proto';
import type { TfLayer } from './read-artifacts';

/** TF.js activation → ONNX op. Only the ones the app builds, each matching TF.js's formula exactly. */
const ACTIVATIONS: Record<string, { op: string; attrs?: Record<string, AttrValue> } | null> = {
	linear: null,
	relu: { op: 'Relu' },
	tanh: { op: 'Tanh' },
	sigmoid: { op: 'Sigmoid' },
	// TF.js's elu has alpha 1 and no setting for it.
	elu: { op: 'Elu', attrs: { alpha: { float: 1 } } },
	// Opset 13+ Softmax normalises over one axis, as TF.js does over the last.
	softmax: { op: 'Softmax', attrs: { axis: -1 } }
};

export function activation(g: Graph, layer: TfLayer, flow: Flow, name: unknown): Flow {
	const key = name ?? 'linear';
	const act = typeof key === 'string' && Object.hasOwn(ACTIVATIONS, key) ? ACTIVATIONS[key] : undefined;
	if (act === undefined) unsupported(layer, `activation "${String(key)}" has no ONNX export`);
	g.head = key as string;
	if (act === null) return flow;
	// Softmax over the last axis of an NCHW image would run over width, not over TF's channels.
	if (act.op === 'Softmax') requireRows(layer, flow);
	return { ...flow, name: g.add(layer, act.op, [flow.name], act.attrs) };
}

export function dense(g: Graph, layer: TfLayer, flow: Flow): Flow {
	const inputs = requireRows(layer, flow);
	const units = Number(layer.config.units);
	const kernel = g.weight(layer, 'kernel', [inputs, units]);
	// TF's kernel is [in, units], so x · W needs no transpose.
	const args = [flow.name, g.constant(`${layer.name}/kernel`, kernel.shape, kernel.values)];
	if (layer.config.use_bias !== false) {
		const bias = g.weight(layer, 'bias', [units]);
		args.push(g.constant(`${layer.name}/bias`, bias.shape, bias.values));
	}
	const out: Flow = { name: g.add(layer, 'Gemm', args), layout: 'rows', shape: [units] };
	return activation(g, layer, out, layer.config.activation);
}
