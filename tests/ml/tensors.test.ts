import { describe, expect, it } from 'vitest';
import { ScoringBodyError, parseScoringBody } from '../../src/lib/contract';
import type { OnnxSignature, TensorSpec } from '../../src/lib/ml/onnx-signature';
import { TensorInputError, feedsFor, flatten, nest, predictionsOf } from '../../src/lib/ml/tensors';

const spec = (name: string, dtype: TensorSpec['tensor-spec']['dtype'], shape: number[]): TensorSpec => ({
	type: 'tensor',
	name,
	'tensor-spec': { dtype, shape }
});
const sig = (...inputs: TensorSpec[]): Pick<OnnxSignature, 'inputs' | 'dimNames'> => ({
	inputs,
	dimNames: Object.fromEntries(
		inputs.map((i) => [i.name, i['tensor-spec'].shape.map((d) => (d < 0 ? 'N' : null))])
	)
});

describe('parseScoringBody: MLflow’s envelopes', () => {
	it('reads each format into records, one tensor or named values', () => {
		expect(parseScoringBody({ dataframe_split: { columns: ['x', 'y'], data: [[1, 2]] } })).toEqual({
			kind: 'records',
			format: 'dataframe_split',
			columns: ['x', 'y'],
			data: [[1, 2]]
		});
		// Records may leave a column out (missing in that row), and name columns in any order.
		expect(parseScoringBody({ dataframe_records: [{ x: 1 }, { y: 2, x: 3 }] })).toMatchObject({
			columns: ['x', 'y'],
			data: [
				[1, null],
				[3, 2]
			]
		});
		expect(parseScoringBody({ inputs: [[1, 2]], params: { k: 1 } })).toEqual({
			kind: 'tensor',
			format: 'inputs',
			value: [[1, 2]],
			params: { k: 1 }
		});
		expect(
			parseScoringBody({
				instances: [
					{ a: 1, b: [2] },
					{ a: 3, b: [4] }
				]
			})
		).toEqual({
			kind: 'named',
			format: 'instances',
			values: { a: [1, 3], b: [[2], [4]] }
		});
		// A frame of one column may be sent as a plain list, as pandas writes a Series.
		expect(parseScoringBody({ dataframe_split: { data: [1, 2] } })).toMatchObject({
			columns: ['0'],
			data: [[1], [2]]
		});
	});

	it.each([
		[null, ''],
		[[1], ''],
		[{}, ''],
		[{ inputs: [], instances: [] }, 'inputs'],
		[{ inputs: [], extra: 1 }, 'extra'],
		[{ inputs: 3 }, 'inputs'],
		[{ inputs: { a: 1 } }, 'inputs.a'],
		[{ dataframe_split: [] }, 'dataframe_split'],
		[{ dataframe_split: { columns: 'x', data: [] } }, 'dataframe_split.columns'],
		[{ dataframe_split: { columns: ['x', 'x'], data: [] } }, 'dataframe_split.columns'],
		[{ dataframe_split: { data: [[1], [1, 2]] } }, 'dataframe_split.data.1'],
		[{ dataframe_records: {} }, 'dataframe_records'],
		[{ dataframe_records: [1] }, 'dataframe_records.0'],
		[{ instances: [{ a: 1 }, { b: 1 }] }, 'instances.1'],
		[{ inputs: [], params: 'x' }, 'params']
	])('%j is refused at %j', (body, path) => {
		let error: unknown;
		try {
			parseScoringBody(body);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(ScoringBodyError);
		expect((error as ScoringBodyError).path).toBe(path);
		expect((error as Error).message.length).toBeGreaterThan(10);
	});
});

describe('flatten: JSON → typed tensors', () => {
	it('gives dims and values of each element type', () => {
		expect(
			flatten(
				[
					[1, 2],
					[3, 4]
				],
				'float32',
				'x'
			)
		).toEqual({ data: new Float32Array([1, 2, 3, 4]), dims: [2, 2] });
		expect(flatten([['9007199254740993'], [-1]], 'int64', 'x')).toEqual({
			data: new BigInt64Array([9007199254740993n, -1n]),
			dims: [2, 1]
		});
		expect(flatten([true, false, 1], 'bool', 'x')).toEqual({ data: new Uint8Array([1, 0, 1]), dims: [3] });
		expect(flatten([['a', 'é']], 'string', 'x')).toEqual({ data: ['a', 'é'], dims: [1, 2] });
		expect(flatten([255, 0], 'uint8', 'x').data).toEqual(new Uint8Array([255, 0]));
	});

	it('rounds float16 as IEEE 754 does', () => {
		const halves = flatten([1, -2, 0.1, 65504, 70000, 5.960464477539063e-8, 1e-9, 0.5], 'float16', 'x').data;
		expect(Array.from(halves as Uint16Array)).toEqual([
			0x3c00, 0xc000, 0x2e66, 0x7bff, 0x7c00, 0x0001, 0, 0x3800
		]);
	});

	it.each([
		[[1, 'a'], 'float32', /^x\[1\] is "a": a float32 input takes numbers\.$/],
		[[1, null], 'float64', /^x\[1\] is null \(a missing value\)/],
		[[1.5], 'int32', /^x\[0\] is 1\.5: an int32 input takes whole numbers\.$/],
		[[300], 'uint8', /^x\[0\] is 300: out of uint8 range 0\.\.255\.$/],
		[[-1], 'uint64', /^x\[0\] is -1: a uint64 input takes no negative numbers\.$/],
		[['99999999999999999999'], 'int64', /out of int64 range/],
		[[2], 'bool', /a bool input takes true or false/],
		[[1], 'string', /a string input takes text/],
		[[[1, 2], [3]], 'float32', /^x\[1\] has 1 entries but x\[0\] has 2: the array is ragged\.$/],
		[[[1], 2], 'float32', /^x\[1\] is not an array/],
		[[1, [2]], 'float32', /^x\[1\] is an array where a value was expected/]
	] as const)('%j as %s is refused naming the element', (value, dtype, message) => {
		expect(() => flatten(value, dtype, 'x')).toThrow(TensorInputError);
		expect(() => flatten(value, dtype, 'x')).toThrow(message);
	});
});

describe('feedsFor: a body against a signature', () => {
	const one = sig(spec('x', 'float32', [-1, 2]));
	const two = sig(spec('a', 'float32', [-1, 2]), spec('b', 'int64', [-1, 1]));

	it('a table is one input’s matrix, or one column per input (scalars gain the trailing axis of 1)', () => {
		const matrix = feedsFor(
			one,
			parseScoringBody({ dataframe_split: { columns: ['p', 'q'], data: [[1, 2]] } })
		);
		expect(matrix).toEqual([{ name: 'x', dtype: 'float32', data: new Float32Array([1, 2]), dims: [1, 2] }]);
		const cols = feedsFor(two, parseScoringBody({ dataframe_records: [{ a: [1, 2], b: 7 }] }));
		expect(cols.map((f) => [f.name, f.dims])).toEqual([
			['a', [1, 2]],
			['b', [1, 1]]
		]);
		expect(cols[1].data).toEqual(new BigInt64Array([7n]));
	});

	it.each([
		[one, { inputs: [[1, 2, 3]] }, 'Input "x" takes float32 [N, 2]; got [1, 3].'],
		[one, { inputs: [1, 2] }, 'Input "x" takes float32 [N, 2]; got [2].'],
		[one, { inputs: [] }, 'Input "x" takes float32 [N, 2]; the batch is empty.'],
		[
			two,
			{ inputs: [[1, 2]] },
			'The model takes 2 inputs ("a", "b"): send inputs as an object of input name → array.'
		],
		[two, { inputs: { a: [[1, 2]] } }, 'Input "b" is missing; the model takes "a", "b".'],
		[
			two,
			{ dataframe_records: [{ a: [1, 2], b: 1, c: 0 }] },
			'The model has no input "c"; it takes "a", "b".'
		]
	])('%#: refused with a message naming the input', (s, body, message) => {
		let error: unknown;
		try {
			feedsFor(s, parseScoringBody(body));
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(TensorInputError);
		expect((error as Error).message).toBe(message);
	});
});

describe('outputs → JSON', () => {
	it('nests by dims; NaN becomes null, big int64 keeps its digits, bool is boolean', () => {
		expect(nest(new Float32Array([1, NaN, 3, 4]), [2, 2])).toEqual([
			[1, null],
			[3, 4]
		]);
		expect(nest(new BigInt64Array([1n, 9007199254740993n]), [2])).toEqual([1, '9007199254740993']);
		expect(nest(new Uint8Array([1, 0]), [2, 1], true)).toEqual([[true], [false]]);
		expect(nest(new Float32Array([7]), [])).toBe(7);
	});

	it('a tensor body gets outputs by name; a table gets one record per row', () => {
		const outputs = [
			{ name: 'label', dtype: 'int64', data: new BigInt64Array([2n, 0n]), dims: [2] },
			{ name: 'p', dtype: 'float32', data: new Float32Array([0.25, 0.75, 1, 0]), dims: [2, 2] }
		];
		expect(predictionsOf(outputs, parseScoringBody({ inputs: [[0], [0]] }))).toEqual({
			label: [2, 0],
			p: [
				[0.25, 0.75],
				[1, 0]
			]
		});
		expect(predictionsOf(outputs, parseScoringBody({ dataframe_records: [{ x: 0 }, { x: 1 }] }))).toEqual([
			{ label: 2, p: [0.25, 0.75] },
			{ label: 0, p: [1, 0] }
		]);
	});
});
