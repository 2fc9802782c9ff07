/**
 * The ONNX protobuf classes and the few builders the exporter needs. onnx-proto is CommonJS whose
 * `module.exports` is the root: Node's ESM import sees it only as `default`, bundlers (Vite, esbuild/wrangler)
 * also copy its keys onto the namespace. Reading `default ?? namespace` works in all of them.
 */
import * as onnxProto from 'onnx-proto';
import protobuf from 'protobufjs/minimal.js';

// protobufjs writes with Node's Buffer wherever one exists, and workerd's (nodejs_compat) refuses the way it writes
// strings ("length out of range" from utf8Write, seen exporting a federated round inside the Worker). Its plain
// array writer produces the same bytes everywhere, so the exporter uses it in every runtime.
protobuf.util.Buffer = null as never;
protobuf.configure();

type Root = typeof onnxProto;
export const onnx: Root['onnx'] = ((onnxProto as { default?: Root }).default ?? onnxProto).onnx;

type Proto = Root['onnx'];
type Attr = InstanceType<Proto['AttributeProto']>;

/** What an attribute value may be in our graphs: ints, floats or lists of ints. */
export type AttrValue = number | number[] | { float: number };

function attribute(name: string, value: AttrValue): Partial<Attr> {
	const { AttributeType } = onnx.AttributeProto;
	if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
	if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
	return { name, type: AttributeType.FLOAT, f: value.float };
}

export function node(
	opType: string,
	input: string[],
	output: string[],
	name: string,
	attrs: Record<string, AttrValue> = {}
) {
	return {
		opType,
		input,
		output,
		name,
		attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v))
	};
}

/** An initializer. Raw little-endian bytes, as ONNX requires (and as every platform TF.js runs on stores them). */
export function tensor(name: string, dims: number[], values: Float32Array | BigInt64Array) {
	const dataType =
		values instanceof Float32Array ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.INT64;
	// A copy: the caller's array may be a view into a larger buffer (weights.bin).
	const rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
	return { name, dims, dataType, rawData };
}

/** A float32 graph input or output whose first dimension is the dynamic batch "N". */
export function floatRows(name: string, width: number) {
	return {
		name,
		type: {
			tensorType: {
				elemType: onnx.TensorProto.DataType.FLOAT,
				shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] }
			}
		}
	};
}
