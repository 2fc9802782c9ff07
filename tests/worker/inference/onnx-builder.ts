import { onnx } from 'onnx-proto';

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
