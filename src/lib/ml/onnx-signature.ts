/**
 * The signature of an ONNX model (its graph inputs and outputs) read straight from the bytes, in MLflow's
 * tensor-spec shape. No protobuf library (protobuf-wire.ts walks the bytes) and no runtime imports: this runs in the
 * tab, in web workers, in Node and in workerd alike. Its time grows with the number of fields in the model and its graph (nodes, initializers), not with
 * their size: a length-delimited field it does not need, such as an initializer's raw_data, is skipped in one step.
 *
 * Only the few onnx.proto3 messages on the path to the signature are decoded:
 * ModelProto → GraphProto → ValueInfoProto → TypeProto → TensorShapeProto → Dimension, plus initializer names.
 * Every read is bounds-checked, so bytes that are not a ModelProto end in an OnnxFormatError, never a loop or a
 * read past the end.
 */

import { WireFormatError, int, int32, scan, span, text, type Field, type Span } from './protobuf-wire';

/** The tensor element types a signature can name: MLflow's numpy dtype names for ONNX's TensorProto.DataType. */
export type OnnxDtype =
	| 'float32'
	| 'uint8'
	| 'int8'
	| 'uint16'
	| 'int16'
	| 'int32'
	| 'int64'
	| 'string'
	| 'bool'
	| 'float16'
	| 'float64'
	| 'uint32'
	| 'uint64';

/**
 * TensorProto.DataType → dtype, for the element types numpy (and so MLflow) has. The others (bfloat16,
 * complex, float8, 4-bit) have no entry: a value of those types becomes an OtherSpec of type 'unknown'.
 */
export const ONNX_DTYPES: Readonly<Record<number, OnnxDtype>> = Object.freeze({
	1: 'float32',
	2: 'uint8',
	3: 'int8',
	4: 'uint16',
	5: 'int16',
	6: 'int32',
	7: 'int64',
	8: 'string',
	9: 'bool',
	10: 'float16',
	11: 'float64',
	12: 'uint32',
	13: 'uint64'
});

/**
 * One tensor input or output as MLflow writes it in a signature (`{"type": "tensor", "tensor-spec": ...}`), so
 * it can be stored and shown as an MLflow signature. A dimension the model leaves open (a dim_param such as "N",
 * or neither value nor param) is -1, as in MLflow.
 *
 * A tensor type with no shape at all means the rank itself is unknown, which MLflow's spec cannot say: [] would
 * claim a scalar. Such a tensor gets `shape: [-1]` (the one MLflow-valid shape that claims no size) and
 * `unshaped: true`, which tells callers not to trust the rank: MLflow ignores the extra key, and a caller that
 * checks ranks (e.g. "rows [N, F]") must test it first. A shape with zero dims is a real scalar: `shape: []`.
 */
export interface TensorSpec {
	type: 'tensor';
	name: string;
	'tensor-spec': { dtype: OnnxDtype; shape: number[] };
	/** Present (true) only when the model declares no shape: the rank is unknown and `shape` is [-1]. */
	unshaped?: true;
}

/**
 * An input or output that is not a tensor MLflow can describe: a sequence, map, optional or sparse tensor (e.g.
 * skl2onnx's ZipMap output, a seq(map(int64, tensor(float)))), a tensor of an element type numpy lacks
 * (bfloat16, complex, float8...: 'unknown'), or a value with no type. Kept, not dropped, so a caller can say
 * what it skips or why it refuses the model; `onnxType` is ONNX's own name for the type, e.g.
 * "seq(map(int64,tensor(float)))" or "tensor(bfloat16)", for such messages.
 */
export interface OtherSpec {
	type: 'sequence' | 'map' | 'optional' | 'sparse_tensor' | 'unknown';
	name: string;
	onnxType: string;
}

/** What a model takes and returns, with what a caller needs to explain it. */
export interface OnnxSignature {
	/** The graph inputs that are fed at run time, in graph order: inputs that are also initializers are left out. */
	inputs: (TensorSpec | OtherSpec)[];
	/** The graph outputs, in graph order. */
	outputs: (TensorSpec | OtherSpec)[];
	/**
	 * Per tensor input and output name, each dimension's symbolic name (its dim_param, e.g. "N") or null, one per
	 * entry of its shape: -1 alone cannot say that two dims must agree, or name them in a message.
	 */
	dimNames: Record<string, (string | null)[]>;
	/** Which tool wrote the model (producer_name, producer_version), e.g. skl2onnx 1.16.0; '' when unset. */
	producer: { name: string; version: string };
	/** The model's IR version (ModelProto.ir_version): which onnx.proto revision it follows. */
	irVersion: number;
	/** The operator sets the graph uses; domain '' is the default ONNX domain (ai.onnx). */
	opsets: { domain: string; version: number }[];
}

/**
 * The bytes are not a readable ONNX model. The message names what is wrong ("not an ONNX model: ...",
 * "... truncated at byte N ...", "... has no graph"), so it can be shown to the person who supplied the file.
 */
export class OnnxFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'OnnxFormatError';
	}
}

/** Reads the signature of a serialized onnx.ModelProto. Throws OnnxFormatError when the bytes are not one. */
export function readOnnxSignature(bytes: Uint8Array): OnnxSignature {
	try {
		return readModel(bytes);
	} catch (e) {
		// The wire reader knows protobuf, not ONNX: bytes it cannot walk are not an ONNX model.
		if (e instanceof WireFormatError) throw new OnnxFormatError(`not an ONNX model: ${e.message}`);
		throw e;
	}
}

function readModel(bytes: Uint8Array): OnnxSignature {
	if (bytes.length === 0) throw new OnnxFormatError('not an ONNX model: the file is empty');
	let irVersion = null as number | null;
	const producer = { name: '', version: '' };
	const opsets: OnnxSignature['opsets'] = [];
	const graphs: Span[] = [];
	scan(bytes, { start: 0, end: bytes.length }, 'ModelProto', (f) => {
		if (f.no === 1) irVersion = int(f, 'ir_version');
		else if (f.no === 2) producer.name = text(bytes, f, 'producer_name');
		else if (f.no === 3) producer.version = text(bytes, f, 'producer_version');
		else if (f.no === 7) graphs.push(span(f, 'graph'));
		else if (f.no === 8) opsets.push(opset(bytes, span(f, 'opset_import')));
	});
	if (irVersion === null || irVersion < 1)
		throw new OnnxFormatError(`not an ONNX model: ir_version is ${irVersion ?? 'missing'}`);
	if (graphs.length === 0) throw new OnnxFormatError('not an ONNX model: it has no graph');
	// onnx's checker and onnxruntime both refuse this; it also catches a file cut between graph and opsets.
	if (irVersion >= 3 && opsets.length === 0)
		throw new OnnxFormatError(
			`not an ONNX model: IR version ${irVersion} needs an opset_import and it has none`
		);
	return { ...signature(bytes, graphs), producer, irVersion, opsets };
}

// ---- The graph ----

type Dim = { value: number; param: string | null };
/** A decoded TypeProto: a tensor's element type and dims (null: no shape, rank unknown), or anything else. */
type ValueType =
	| { kind: 'tensor'; elemType: number; dims: Dim[] | null; text: string }
	| { kind: Exclude<OtherSpec['type'], 'unknown'> | 'other'; text: string };

function signature(buf: Uint8Array, graphs: Span[]) {
	const inputs: Span[] = [];
	const outputs: Span[] = [];
	const initializers = new Set<string>();
	// A message field given twice is merged, so several graph fields read as one graph.
	for (const g of graphs)
		scan(buf, g, 'GraphProto', (f) => {
			if (f.no === 5) initializers.add(tensorName(buf, span(f, 'initializer')));
			else if (f.no === 11) inputs.push(span(f, 'input'));
			else if (f.no === 12) outputs.push(span(f, 'output'));
			else if (f.no === 15) {
				// SparseTensorProto: its name is that of its values tensor (field 1).
				scan(buf, span(f, 'sparse_initializer'), 'SparseTensorProto', (v) => {
					if (v.no === 1) initializers.add(tensorName(buf, span(v, 'values')));
				});
			}
		});
	const dimNames: Record<string, (string | null)[]> = {};
	const specs = (values: { name: string; type: ValueType }[]) =>
		values.map(({ name, type }) => {
			if (type.kind !== 'tensor' || !Object.hasOwn(ONNX_DTYPES, type.elemType)) {
				const kind = type.kind === 'tensor' || type.kind === 'other' ? 'unknown' : type.kind;
				return { type: kind, name, onnxType: type.text } satisfies OtherSpec;
			}
			const dims = type.dims ?? [{ value: -1, param: null }];
			// defineProperty: a value named "__proto__" must not reach the prototype.
			Object.defineProperty(dimNames, name, {
				value: dims.map((d) => d.param),
				enumerable: true,
				writable: true,
				configurable: true
			});
			const spec: TensorSpec = {
				type: 'tensor',
				name,
				'tensor-spec': { dtype: ONNX_DTYPES[type.elemType], shape: dims.map((d) => d.value) }
			};
			if (!type.dims) spec.unshaped = true;
			return spec;
		});
	// Older exporters list every weight as a graph input too (with a default); those are not fed by callers.
	const fed = inputs.map((s) => valueInfo(buf, s)).filter((v) => !initializers.has(v.name));
	return { inputs: specs(fed), outputs: specs(outputs.map((s) => valueInfo(buf, s))), dimNames };
}

function valueInfo(buf: Uint8Array, s: Span): { name: string; type: ValueType } {
	let name = '';
	let type: ValueType = { kind: 'other', text: 'unknown' };
	scan(buf, s, 'ValueInfoProto', (f) => {
		if (f.no === 1) name = text(buf, f, 'name');
		else if (f.no === 2) type = typeProto(buf, span(f, 'type'), 0);
	});
	return { name, type };
}

/** ONNX's lower-case names for TensorProto.DataType, as in "tensor(float)"; index = enum value. */
const ELEM_NAMES = [
	'undefined',
	'float',
	'uint8',
	'int8',
	'uint16',
	'int16',
	'int32',
	'int64',
	'string',
	'bool',
	'float16',
	'double',
	'uint32',
	'uint64',
	'complex64',
	'complex128',
	'bfloat16',
	'float8e4m3fn',
	'float8e4m3fnuz',
	'float8e5m2',
	'float8e5m2fnuz',
	'uint4',
	'int4',
	'float4e2m1'
];
const elemName = (t: number) => (t >= 0 && t < ELEM_NAMES.length ? ELEM_NAMES[t] : `type ${t}`);

/** Sequences of maps of sequences... nest; real models go two or three deep, and crafted bytes must not overflow the stack. */
const MAX_TYPE_DEPTH = 32;

function typeProto(buf: Uint8Array, s: Span, depth: number): ValueType {
	if (depth > MAX_TYPE_DEPTH)
		throw new OnnxFormatError(
			`not an ONNX model: a TypeProto at byte ${s.start} nests over ${MAX_TYPE_DEPTH} deep`
		);
	const inner = (f: Field, what: string) => typeProto(buf, span(f, what), depth + 1);
	let type: ValueType = { kind: 'other', text: 'unknown' };
	// `value` is a oneof: the last member given wins.
	scan(buf, s, 'TypeProto', (f) => {
		if (f.no === 1) {
			let elemType = 0;
			let dims: Dim[] | null = null;
			scan(buf, span(f, 'tensor_type'), 'TypeProto.Tensor', (t) => {
				if (t.no === 1) elemType = int32(t, 'elem_type');
				else if (t.no === 2) dims = shape(buf, span(t, 'shape'), dims ?? []);
			});
			type = { kind: 'tensor', elemType, dims, text: `tensor(${elemName(elemType)})` };
		} else if (f.no === 4) {
			let elem = 'unknown';
			scan(buf, span(f, 'sequence_type'), 'TypeProto.Sequence', (t) => {
				if (t.no === 1) elem = inner(t, 'elem_type').text;
			});
			type = { kind: 'sequence', text: `seq(${elem})` };
		} else if (f.no === 5) {
			let key = 0;
			let value = 'unknown';
			scan(buf, span(f, 'map_type'), 'TypeProto.Map', (t) => {
				if (t.no === 1) key = int32(t, 'key_type');
				else if (t.no === 2) value = inner(t, 'value_type').text;
			});
			type = { kind: 'map', text: `map(${elemName(key)},${value})` };
		} else if (f.no === 7) {
			span(f, 'opaque_type');
			type = { kind: 'other', text: 'opaque' };
		} else if (f.no === 8) {
			let elemType = 0;
			scan(buf, span(f, 'sparse_tensor_type'), 'TypeProto.SparseTensor', (t) => {
				if (t.no === 1) elemType = int32(t, 'elem_type');
			});
			type = { kind: 'sparse_tensor', text: `sparse_tensor(${elemName(elemType)})` };
		} else if (f.no === 9) {
			let elem = 'unknown';
			scan(buf, span(f, 'optional_type'), 'TypeProto.Optional', (t) => {
				if (t.no === 1) elem = inner(t, 'elem_type').text;
			});
			type = { kind: 'optional', text: `optional(${elem})` };
		}
	});
	return type;
}

/** TensorShapeProto's dims, appended to `dims` (a repeated shape field merges). */
function shape(buf: Uint8Array, s: Span, dims: Dim[]): Dim[] {
	scan(buf, s, 'TensorShapeProto', (f) => {
		if (f.no !== 1) return;
		const dim: Dim = { value: -1, param: null };
		scan(buf, span(f, 'dim'), 'TensorShapeProto.Dimension', (d) => {
			// `value` is a oneof (dim_value | dim_param): the last one given wins. A negative dim_value is not
			// valid ONNX, but some exporters write -1 for "dynamic": read it as such.
			if (d.no === 1) {
				const v = int(d, 'dim_value');
				dim.value = v < 0 ? -1 : v;
				dim.param = null;
			} else if (d.no === 2) {
				dim.value = -1;
				dim.param = text(buf, d, 'dim_param');
			}
		});
		dims.push(dim);
	});
	return dims;
}

function tensorName(buf: Uint8Array, s: Span): string {
	let name = '';
	// raw_data, float_data... are length-delimited: skipped without a look, whatever their size.
	scan(buf, s, 'TensorProto', (f) => {
		if (f.no === 8) name = text(buf, f, 'name');
	});
	return name;
}

function opset(buf: Uint8Array, s: Span): { domain: string; version: number } {
	const o = { domain: '', version: 0 };
	scan(buf, s, 'OperatorSetIdProto', (f) => {
		if (f.no === 1) o.domain = text(buf, f, 'domain');
		else if (f.no === 2) o.version = int(f, 'version');
	});
	return o;
}
