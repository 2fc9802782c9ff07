import * as onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

// Vite (the Worker and unit tiers) names the CommonJS package's `onnx` export; Node's own ESM loader (Playwright's
// specs) offers only its default export.
const { onnx } =
	'onnx' in onnxProto ? onnxProto : (onnxProto as unknown as { default: typeof onnxProto }).default;

/**
 * Tiny ONNX graphs with known weights, written with the ONNX protobuf schema as the exporter does: no npm package
 * ships a test model. Each keeps the serving contract: input `features` float32 [N, F], output `output` [N, K].
 */

const FLOAT = onnx.TensorProto.DataType.FLOAT;

const tensor = (name: string, dims: number[], values: number[]) =>
	onnx.TensorProto.create({ name, dims, dataType: FLOAT, floatData: values });

const valueInfo = (name: string, width: number) =>
	onnx.ValueInfoProto.create({
		name,
		type: {
			tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } }
		}
	});

export type Head = 'softmax' | 'sigmoid' | 'linear';

/** features · W + b, then the head. `weights` is F rows of K numbers. */
export function gemmModel(opts: { weights: number[][]; bias: number[]; head: Head }): Uint8Array {
	const F = opts.weights.length;
	const K = opts.bias.length;
	const nodes = [
		onnx.NodeProto.create({
			opType: 'Gemm',
			input: ['features', 'W', 'B'],
			output: [opts.head === 'linear' ? 'output' : 'logits']
		})
	];
	if (opts.head !== 'linear')
		nodes.push(
			onnx.NodeProto.create({
				opType: opts.head === 'softmax' ? 'Softmax' : 'Sigmoid',
				input: ['logits'],
				output: ['output']
			})
		);
	const model = onnx.ModelProto.create({
		irVersion: 8,
		producerName: 'edgebook-test',
		opsetImport: [{ domain: '', version: 17 }],
		graph: {
			name: 'gemm',
			node: nodes,
			initializer: [tensor('W', [F, K], opts.weights.flat()), tensor('B', [K], opts.bias)],
			input: [valueInfo('features', F)],
			output: [valueInfo('output', K)]
		}
	});
	return onnx.ModelProto.encode(model).finish();
}

type Dim = number | string;
const info = (name: string, elemType: number, dims: Dim[]) =>
	onnx.ValueInfoProto.create({
		name,
		type: {
			tensorType: {
				elemType,
				shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) }
			}
		}
	});
const T = onnx.TensorProto.DataType;
const node = (
	opType: string,
	input: string[],
	output: string[],
	attribute: OnnxTypes.IAttributeProto[] = []
) => onnx.NodeProto.create({ opType, input, output, attribute });
const graphModel = (graph: OnnxTypes.IGraphProto, producerName = 'edgebook-test') =>
	onnx.ModelProto.encode(
		onnx.ModelProto.create({ irVersion: 8, producerName, opsetImport: [{ domain: '', version: 17 }], graph })
	).finish();

/**
 * Not the app's serving contract: two inputs of two element types and two outputs, as another exporter writes a
 * graph. y = a · [1, 2]ᵀ + float(b) [N, 1]; flag = y > 0 (bool [N, 1]).
 */
export function twoInputModel(): Uint8Array {
	return graphModel({
		name: 'two-inputs',
		node: [
			node('MatMul', ['a', 'W'], ['aw']),
			node('Cast', ['b'], ['bf'], [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: T.FLOAT }]),
			node('Add', ['aw', 'bf'], ['y']),
			node('Greater', ['y', 'zero'], ['flag'])
		],
		initializer: [tensor('W', [2, 1], [1, 2]), tensor('zero', [1], [0])],
		input: [info('a', T.FLOAT, ['batch', 2]), info('b', T.INT64, ['batch', 1])],
		output: [info('y', T.FLOAT, ['batch', 1]), info('flag', T.BOOL, ['batch', 1])]
	});
}

/**
 * A classifier as scikit-learn's converter shapes one (without ZipMap): `float_input` [N, 4] → `label` int64 [N]
 * (the arg-max of x · W) and `probabilities` float32 [N, 3] (its softmax).
 */
export function sklearnLikeModel(weights: number[][]): Uint8Array {
	return graphModel(
		{
			name: 'classifier',
			node: [
				node('MatMul', ['float_input', 'W'], ['logits']),
				node('Softmax', ['logits'], ['probabilities']),
				node(
					'ArgMax',
					['logits'],
					['label'],
					[
						{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
						{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }
					]
				)
			],
			initializer: [tensor('W', [4, 3], weights.flat())],
			input: [info('float_input', T.FLOAT, ['N', 4])],
			output: [info('label', T.INT64, ['N']), info('probabilities', T.FLOAT, ['N', 3])]
		},
		'skl2onnx'
	);
}

/** A graph whose signature reads well but which no runtime can load: its one node is an operator nobody has. */
export function unloadableModel(): Uint8Array {
	return graphModel({
		name: 'unloadable',
		node: [node('NoSuchOperator', ['x'], ['y'])],
		input: [info('x', T.FLOAT, ['N', 2])],
		output: [info('y', T.FLOAT, ['N', 2])]
	});
}
