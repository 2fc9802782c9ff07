import { describe, expect, it } from 'vitest';
import {
	ONNX_DTYPES,
	OnnxFormatError,
	readOnnxSignature,
	type OnnxSignature
} from '../../src/lib/ml/onnx-signature';
import { exportOnnx } from '../../src/lib/onnx';
import { onnx } from '../../src/lib/onnx/proto';
import { ort } from '../onnx/ort';

const T = onnx.TensorProto.DataType;
type Dim = number | string | null;
type Type = Parameters<typeof onnx.TypeProto.create>[0];

/** A TypeProto for a tensor; `dims` undefined leaves the shape out (unknown rank), null is a dim with nothing set. */
const tensorType = (elemType: number, dims?: Dim[]): Type => ({
	tensorType: {
		elemType,
		...(dims && {
			shape: {
				dim: dims.map((d) => (d === null ? {} : typeof d === 'string' ? { dimParam: d } : { dimValue: d }))
			}
		})
	}
});
const value = (name: string, type?: Type) => ({ name, ...(type && { type }) });

function model(graph: Record<string, unknown>, extra: Record<string, unknown> = {}): Uint8Array {
	return onnx.ModelProto.encode({
		irVersion: 8,
		producerName: 'test',
		producerVersion: '0.1',
		opsetImport: [{ domain: '', version: 17 }],
		graph: { name: 'g', ...graph },
		...extra
	}).finish();
}

const floatInit = (name: string, dims: number[]) =>
	onnx.TensorProto.create({
		name,
		dims,
		dataType: T.FLOAT,
		floatData: Array(dims.reduce((a, b) => a * b, 1)).fill(0.5)
	});

/** Throws, and what it throws is an OnnxFormatError; returns its message. */
function formatError(bytes: Uint8Array): string {
	try {
		readOnnxSignature(bytes);
	} catch (e) {
		expect(e).toBeInstanceOf(OnnxFormatError);
		expect((e as Error).name).toBe('OnnxFormatError');
		return (e as Error).message;
	}
	throw new Error('read without an error');
}

describe('tensor inputs and outputs', () => {
	it('a Gemm model: dim_param N and a fixed width read as [-1, 4], the names kept apart', () => {
		const bytes = model(
			{
				node: [{ opType: 'Gemm', input: ['features', 'W', 'B'], output: ['output'] }],
				initializer: [floatInit('W', [4, 3]), floatInit('B', [3])],
				input: [value('features', tensorType(T.FLOAT, ['N', 4]))],
				output: [value('output', tensorType(T.FLOAT, ['N', 3]))]
			},
			{ producerName: 'edgebook-test', producerVersion: '' }
		);
		expect(readOnnxSignature(bytes)).toEqual({
			inputs: [{ type: 'tensor', name: 'features', 'tensor-spec': { dtype: 'float32', shape: [-1, 4] } }],
			outputs: [{ type: 'tensor', name: 'output', 'tensor-spec': { dtype: 'float32', shape: [-1, 3] } }],
			dimNames: { features: ['N', null], output: ['N', null] },
			producer: { name: 'edgebook-test', version: '' },
			irVersion: 8,
			opsets: [{ domain: '', version: 17 }]
		} satisfies OnnxSignature);
	});

	it('several inputs of int64, float32 and bool, in graph order, each with its own dims', () => {
		const bytes = model({
			input: [
				value('ids', tensorType(T.INT64, ['batch', 'seq'])),
				value('scale', tensorType(T.FLOAT, [])),
				value('mask', tensorType(T.BOOL, ['batch', null, 7]))
			],
			output: [value('y', tensorType(T.DOUBLE, [0, 2]))]
		});
		const sig = readOnnxSignature(bytes);
		expect(sig.inputs).toEqual([
			{ type: 'tensor', name: 'ids', 'tensor-spec': { dtype: 'int64', shape: [-1, -1] } },
			// A shape with no dims is a scalar.
			{ type: 'tensor', name: 'scale', 'tensor-spec': { dtype: 'float32', shape: [] } },
			{ type: 'tensor', name: 'mask', 'tensor-spec': { dtype: 'bool', shape: [-1, -1, 7] } }
		]);
		expect(sig.outputs).toEqual([
			{ type: 'tensor', name: 'y', 'tensor-spec': { dtype: 'float64', shape: [0, 2] } }
		]);
		expect(sig.dimNames).toEqual({
			ids: ['batch', 'seq'],
			scale: [],
			mask: ['batch', null, null],
			y: [null, null]
		});
	});

	it('a tensor with no shape at all: rank unknown, shape [-1] flagged unshaped', () => {
		const sig = readOnnxSignature(model({ input: [value('x', tensorType(T.FLOAT))], output: [] }));
		expect(sig.inputs).toEqual([
			{ type: 'tensor', name: 'x', 'tensor-spec': { dtype: 'float32', shape: [-1] }, unshaped: true }
		]);
		expect(sig.dimNames).toEqual({ x: [null] });
	});

	it('every DataType numpy has maps to its MLflow dtype', () => {
		expect(ONNX_DTYPES).toEqual({
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
		const codes = Object.keys(ONNX_DTYPES).map(Number);
		const sig = readOnnxSignature(model({ input: codes.map((c) => value(`in${c}`, tensorType(c, [1]))) }));
		expect(sig.inputs.map((s) => s.type === 'tensor' && s['tensor-spec'].dtype)).toEqual(
			codes.map((c) => ONNX_DTYPES[c])
		);
		expect(T.FLOAT).toBe(1);
		expect(T.DOUBLE).toBe(11);
		expect(T.UINT64).toBe(13);
	});

	it('int64 varints: 10-byte negatives, values past 2^32, the last of a oneof', () => {
		const bytes = model(
			{
				input: [
					{
						name: 'x',
						type: {
							tensorType: {
								elemType: T.FLOAT,
								shape: { dim: [{ dimValue: -1 }, { dimValue: 2 ** 40 + 3 }, { dimValue: 300 }] }
							}
						}
					}
				]
			},
			{ irVersion: 2 ** 33, opsetImport: [{ domain: 'ai.onnx.ml', version: 3 }] }
		);
		const sig = readOnnxSignature(bytes);
		expect(sig.inputs[0]).toEqual({
			type: 'tensor',
			name: 'x',
			'tensor-spec': { dtype: 'float32', shape: [-1, 2 ** 40 + 3, 300] }
		});
		expect(sig.irVersion).toBe(2 ** 33);
		expect(sig.opsets).toEqual([{ domain: 'ai.onnx.ml', version: 3 }]);
	});

	it('fields it does not know, of every wire type, are stepped over', () => {
		const base = model({ input: [value('x', tensorType(T.FLOAT, ['N', 2]))] });
		// field 100 fixed64, field 101 fixed32, field 102 varint, field 103 bytes, before and after the model.
		const unknown = [0xa1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0xad, 0x06, 1, 2, 3, 4, 0xb0, 0x06, 0xff, 0x7f];
		const bytes = new Uint8Array([...unknown, 0xba, 0x06, 2, 9, 9, ...base, ...unknown]);
		expect(readOnnxSignature(bytes)).toEqual(readOnnxSignature(base));
	});

	it('a value named __proto__ is an own key of dimNames', () => {
		const sig = readOnnxSignature(model({ input: [value('__proto__', tensorType(T.FLOAT, ['N']))] }));
		expect(Object.hasOwn(sig.dimNames, '__proto__')).toBe(true);
		expect(sig.dimNames['__proto__']).toEqual(['N']);
		expect(Object.getPrototypeOf(sig.dimNames)).toBe(Object.prototype);
	});

	it('names decode as UTF-8', () => {
		const sig = readOnnxSignature(
			model({ input: [value('größe_日本', tensorType(T.FLOAT, ['n°']))] }, { producerName: 'prodüçer' })
		);
		expect(sig.inputs[0].name).toBe('größe_日本');
		expect(sig.dimNames).toEqual({ größe_日本: ['n°'] });
		expect(sig.producer.name).toBe('prodüçer');
	});
});

describe('weights listed as inputs', () => {
	it('an initializer also listed as a graph input is not an input of the signature', () => {
		const bytes = model({
			node: [{ opType: 'Gemm', input: ['x', 'W', 'B'], output: ['y'] }],
			initializer: [floatInit('W', [2, 1]), floatInit('B', [1])],
			input: [
				value('x', tensorType(T.FLOAT, ['N', 2])),
				value('W', tensorType(T.FLOAT, [2, 1])),
				value('B', tensorType(T.FLOAT, [1]))
			],
			output: [value('y', tensorType(T.FLOAT, ['N', 1]))]
		});
		const sig = readOnnxSignature(bytes);
		expect(sig.inputs).toEqual([
			{ type: 'tensor', name: 'x', 'tensor-spec': { dtype: 'float32', shape: [-1, 2] } }
		]);
		expect(sig.dimNames).toEqual({ x: ['N', null], y: ['N', null] });
	});

	it('so is a sparse initializer, and initializers written after the inputs (a graph given twice merges)', () => {
		const inputs = model({
			input: [
				value('x', tensorType(T.FLOAT, ['N', 2])),
				value('W', tensorType(T.FLOAT, [2, 1])),
				value('S', tensorType(T.FLOAT, [4, 4]))
			]
		});
		const weights = onnx.ModelProto.encode({
			graph: {
				initializer: [floatInit('W', [2, 1])],
				sparseInitializer: [
					{
						values: { name: 'S', dims: [1], dataType: T.FLOAT, floatData: [1] },
						indices: { name: 'S_idx', dims: [1], dataType: T.INT64, int64Data: [0] },
						dims: [4, 4]
					}
				]
			}
		}).finish();
		// Two encodings concatenated are one message with both fields (protobuf's merge).
		const sig = readOnnxSignature(new Uint8Array([...inputs, ...weights]));
		expect(sig.inputs.map((s) => s.name)).toEqual(['x']);
	});
});

describe('values that are not tensors', () => {
	it("skl2onnx's classifier outputs: the label tensor, and ZipMap's seq(map(int64, tensor(float)))", () => {
		const bytes = model(
			{
				node: [
					{
						opType: 'LinearClassifier',
						domain: 'ai.onnx.ml',
						input: ['float_input'],
						output: ['label', 'probability_tensor']
					},
					{
						opType: 'ZipMap',
						domain: 'ai.onnx.ml',
						input: ['probability_tensor'],
						output: ['output_probability']
					}
				],
				input: [value('float_input', tensorType(T.FLOAT, [null, 4]))],
				output: [
					value('output_label', tensorType(T.INT64, [null])),
					value('output_probability', {
						sequenceType: { elemType: { mapType: { keyType: T.INT64, valueType: tensorType(T.FLOAT) } } }
					})
				]
			},
			{
				producerName: 'skl2onnx',
				producerVersion: '1.16.0',
				opsetImport: [
					{ domain: 'ai.onnx.ml', version: 1 },
					{ domain: '', version: 17 }
				]
			}
		);
		expect(readOnnxSignature(bytes)).toEqual({
			inputs: [{ type: 'tensor', name: 'float_input', 'tensor-spec': { dtype: 'float32', shape: [-1, 4] } }],
			outputs: [
				{ type: 'tensor', name: 'output_label', 'tensor-spec': { dtype: 'int64', shape: [-1] } },
				{ type: 'sequence', name: 'output_probability', onnxType: 'seq(map(int64,tensor(float)))' }
			],
			dimNames: { float_input: [null, null], output_label: [null] },
			producer: { name: 'skl2onnx', version: '1.16.0' },
			irVersion: 8,
			opsets: [
				{ domain: 'ai.onnx.ml', version: 1 },
				{ domain: '', version: 17 }
			]
		} satisfies OnnxSignature);
	});

	it('maps, optionals, sparse tensors, element types numpy lacks and missing types are kept, named', () => {
		const sig = readOnnxSignature(
			model({
				input: [
					value('m', { mapType: { keyType: T.STRING, valueType: tensorType(T.DOUBLE, [1]) } }),
					value('o', { optionalType: { elemType: tensorType(T.INT32, ['N']) } }),
					value('s', { sparseTensorType: { elemType: T.FLOAT, shape: { dim: [{ dimValue: 3 }] } } }),
					value('b', tensorType(T.BFLOAT16, ['N', 2])),
					value('c', tensorType(T.COMPLEX64, [2])),
					value('u', tensorType(T.UNDEFINED, [2])),
					value('none')
				]
			})
		);
		expect(sig.inputs).toEqual([
			{ type: 'map', name: 'm', onnxType: 'map(string,tensor(double))' },
			{ type: 'optional', name: 'o', onnxType: 'optional(tensor(int32))' },
			{ type: 'sparse_tensor', name: 's', onnxType: 'sparse_tensor(float)' },
			{ type: 'unknown', name: 'b', onnxType: 'tensor(bfloat16)' },
			{ type: 'unknown', name: 'c', onnxType: 'tensor(complex64)' },
			{ type: 'unknown', name: 'u', onnxType: 'tensor(undefined)' },
			{ type: 'unknown', name: 'none', onnxType: 'unknown' }
		]);
		expect(sig.dimNames).toEqual({});
	});

	it('a type nested past any real model is refused, not a stack overflow', () => {
		let type: Type = tensorType(T.FLOAT, [1]);
		for (let i = 0; i < 40; i++) type = { sequenceType: { elemType: type } };
		expect(formatError(model({ input: [value('deep', type)] }))).toMatch(
			/^not an ONNX model: a TypeProto at byte \d+ nests over 32 deep$/
		);
		let ok: Type = tensorType(T.FLOAT, [1]);
		for (let i = 0; i < 3; i++) ok = { sequenceType: { elemType: ok } };
		expect(readOnnxSignature(model({ output: [value('ok', ok)] })).outputs).toEqual([
			{ type: 'sequence', name: 'ok', onnxType: 'seq(seq(seq(tensor(float))))' }
		]);
	});
});

describe('what onnxruntime reads', () => {
	it('agrees on names, types and shapes', async () => {
		const inputs = [
			value('a', tensorType(T.FLOAT, ['N', 3])),
			value('b', tensorType(T.INT64, [2, 'K'])),
			value('c', tensorType(T.BOOL, ['N']))
		];
		const bytes = model({
			node: ['a', 'b', 'c'].map((n) => ({ opType: 'Identity', input: [n], output: [`${n}_out`] })),
			input: inputs,
			output: inputs.map((v) => ({ ...v, name: `${v.name}_out` }))
		});
		const session = await ort.InferenceSession.create(bytes);
		const sig = readOnnxSignature(bytes);
		const ortView = (meta: readonly ort.InferenceSession.ValueMetadata[]) =>
			meta.map((m) => ({
				name: m.name,
				type: m.isTensor ? m.type : null,
				shape: m.isTensor ? m.shape.map((d) => (typeof d === 'number' ? d : -1)) : null
			}));
		const ours = (specs: OnnxSignature['inputs']) =>
			specs.map((s) => ({
				name: s.name,
				type: s.type === 'tensor' ? s['tensor-spec'].dtype : null,
				shape: s.type === 'tensor' ? s['tensor-spec'].shape : null
			}));
		expect(ours(sig.inputs)).toEqual(ortView(session.inputMetadata));
		expect(ours(sig.outputs)).toEqual(ortView(session.outputMetadata));
		expect(ours(sig.inputs)).toEqual([
			{ name: 'a', type: 'float32', shape: [-1, 3] },
			{ name: 'b', type: 'int64', shape: [2, -1] },
			{ name: 'c', type: 'bool', shape: [-1] }
		]);
		await session.release();
	});
});

describe('size', () => {
	// Tests assert behaviour, not time: stepping over raw_data in one step is what keeps this cheap (the reader's
	// skip), and here the 8 MB initializer must simply change nothing in the signature.
	it('an 8 MB initializer in raw_data is stepped over and changes nothing in the signature', () => {
		const raw = new Uint8Array(new Float32Array(2_000_000).fill(1.5).buffer);
		const small = model({
			initializer: [{ name: 'W', dims: [1], dataType: T.FLOAT, rawData: new Uint8Array(4) }],
			input: [value('x', tensorType(T.FLOAT, ['N', 2]))],
			output: [value('y', tensorType(T.FLOAT, ['N', 1]))]
		});
		const big = model({
			initializer: [{ name: 'W', dims: [2_000_000], dataType: T.FLOAT, rawData: raw }],
			input: [value('x', tensorType(T.FLOAT, ['N', 2]))],
			output: [value('y', tensorType(T.FLOAT, ['N', 1]))]
		});
		expect(big.length).toBeGreaterThan(8_000_000);
		expect(readOnnxSignature(big)).toEqual(readOnnxSignature(small));
	});
});

/** model.json + weights.bin for a TF.js Sequential of one Dense softmax layer: 5 features, 3 classes. */
function denseArtifacts() {
	const modelJson = JSON.stringify({
		modelTopology: {
			class_name: 'Sequential',
			config: {
				name: 'seq',
				layers: [
					{
						class_name: 'Dense',
						config: {
							name: 'dense_1',
							units: 3,
							activation: 'softmax',
							use_bias: true,
							batch_input_shape: [null, 5]
						}
					}
				]
			}
		},
		weightsManifest: [
			{
				paths: ['weights.bin'],
				weights: [
					{ name: 'dense_1/kernel', shape: [5, 3], dtype: 'float32' },
					{ name: 'dense_1/bias', shape: [3], dtype: 'float32' }
				]
			}
		]
	});
	const weights = Float32Array.from({ length: 18 }, (_, i) => (i - 9) / 10);
	return { modelJson, weights: new Uint8Array(weights.buffer) };
}

describe("the project's own exporter", () => {
	it('exportOnnx writes features float32 [-1, F] in, output [-1, K] out', () => {
		const sig = readOnnxSignature(exportOnnx(denseArtifacts()));
		expect(sig).toEqual({
			inputs: [{ type: 'tensor', name: 'features', 'tensor-spec': { dtype: 'float32', shape: [-1, 5] } }],
			outputs: [{ type: 'tensor', name: 'output', 'tensor-spec': { dtype: 'float32', shape: [-1, 3] } }],
			dimNames: { features: ['N', null], output: ['N', null] },
			producer: { name: 'edgebook', version: '1' },
			irVersion: 8,
			opsets: [{ domain: '', version: 17 }]
		} satisfies OnnxSignature);
	});
});

describe('bytes that are not an ONNX model', () => {
	const good = exportOnnx(denseArtifacts());

	it('empty bytes', () => {
		expect(formatError(new Uint8Array())).toBe('not an ONNX model: the file is empty');
	});

	it('random bytes, whatever their length', () => {
		let s = 12345;
		const next = () => (s = (s * 1664525 + 1013904223) >>> 0) >>> 24;
		for (const length of [1, 2, 3, 7, 16, 100, 1000, 4096, 65536])
			for (let k = 0; k < 20; k++) {
				const bytes = Uint8Array.from({ length }, next);
				expect(formatError(bytes)).toMatch(/^not an ONNX model: /);
			}
	});

	it('a JSON file: "{" is wire type 3, which onnx.proto never uses', () => {
		const json = new TextEncoder().encode('{"modelTopology": {"class_name": "Sequential"}}');
		expect(formatError(json)).toBe(
			'not an ONNX model: invalid wire type 3 in ModelProto at byte 0 (byte 0x7b)'
		);
	});

	it('a file cut short names the byte it ends at', () => {
		expect(good.length).toBeGreaterThan(300);
		// 1: inside ir_version's value; 40 and the middle: inside the graph; the last byte: inside the metadata.
		for (const cut of [1, 40, good.length >> 1, good.length - 1])
			expect(formatError(good.subarray(0, cut))).toMatch(
				new RegExp(`^not an ONNX model: truncated at byte ${cut}: .* runs past the end$`)
			);
		expect(formatError(good.subarray(0, 1))).toBe(
			'not an ONNX model: truncated at byte 1: field 1 of ModelProto at byte 1 runs past the end'
		);
		// Cut right after ir_version: a well-formed message that lacks the graph.
		expect(formatError(good.subarray(0, 2))).toBe('not an ONNX model: it has no graph');
	});

	it('at every cut point, an OnnxFormatError or (cut between metadata entries) the same signature', () => {
		const whole = readOnnxSignature(good);
		let thrown = 0;
		for (let cut = 0; cut < good.length; cut++) {
			let sig: OnnxSignature | undefined;
			try {
				sig = readOnnxSignature(good.subarray(0, cut));
			} catch (e) {
				expect(e).toBeInstanceOf(OnnxFormatError);
				thrown++;
			}
			if (sig) expect(sig).toEqual(whole);
		}
		// Only the few cuts between metadata_props entries at the end leave a well-formed model.
		expect(thrown).toBeGreaterThan(good.length - 10);
	});

	it('a length prefix that points past the end', () => {
		// ir_version 8, then graph (field 7) claiming 65535 bytes where 2 remain.
		const bytes = new Uint8Array([0x08, 0x08, 0x3a, 0xff, 0xff, 0x03, 0x0a, 0x00]);
		expect(formatError(bytes)).toBe(
			'not an ONNX model: truncated at byte 8: field 7 (65535 bytes at byte 6) of ModelProto at byte 2 runs past the end'
		);
		// A fixed64 with 3 of its 8 bytes.
		expect(formatError(new Uint8Array([0x08, 0x08, 0x09, 1, 2, 3]))).toMatch(
			/^not an ONNX model: truncated at byte 6: /
		);
	});

	it('a length that runs past the end of its message, inside the file', () => {
		// A graph of 4 bytes whose input (field 11) claims 10.
		const bytes = new Uint8Array([0x08, 0x08, 0x3a, 0x04, 0x5a, 0x0a, 0x0a, 0x00, 0x42, 0x02, 0x10, 0x11]);
		expect(formatError(bytes)).toBe(
			'not an ONNX model: field 11 (10 bytes at byte 6) of GraphProto at byte 4 runs past the end of its message at byte 8'
		);
	});

	it('a model with no graph, no ir_version or no opset_import', () => {
		const encode = (m: Record<string, unknown>) => onnx.ModelProto.encode(m).finish();
		const opsetImport = [{ domain: '', version: 17 }];
		const graph = { input: [value('x', tensorType(T.FLOAT, [1]))] };
		expect(formatError(encode({ irVersion: 8, producerName: 'x', opsetImport }))).toBe(
			'not an ONNX model: it has no graph'
		);
		expect(formatError(encode({ producerName: 'x', opsetImport, graph }))).toBe(
			'not an ONNX model: ir_version is missing'
		);
		expect(formatError(encode({ irVersion: 8, graph }))).toBe(
			'not an ONNX model: IR version 8 needs an opset_import and it has none'
		);
		// IR version 1 and 2 predate opset_import.
		expect(readOnnxSignature(encode({ irVersion: 2, graph })).opsets).toEqual([]);
	});

	it('another protobuf (a TensorFlow GraphDef starts with a node message in field 1)', () => {
		const bytes = new Uint8Array([0x0a, 0x03, 0x0a, 0x01, 0x78]);
		expect(formatError(bytes)).toBe(
			'not an ONNX model: ModelProto.ir_version (field 1) at byte 0 has wire type 2, not 0'
		);
	});

	it('an overlong varint and field number 0', () => {
		const long = new Uint8Array([0x08, ...Array(10).fill(0xff), 0x01]);
		expect(formatError(long)).toBe('not an ONNX model: a varint in ModelProto at byte 1 runs over 10 bytes');
		expect(formatError(new Uint8Array([0x00, 0x01]))).toBe(
			'not an ONNX model: invalid field number in ModelProto at byte 0'
		);
	});
});
