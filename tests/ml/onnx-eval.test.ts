import { describe, expect, it } from 'vitest';
import {
	evaluateOutputs,
	frameFeeds,
	labelledRows,
	OnnxEvalError,
	suggestMapping,
	type OnnxMapping
} from '../../src/lib/ml/onnx-eval';
import { readOnnxSignature } from '../../src/lib/ml/onnx-signature';
import type { Output } from '../../src/lib/ml/tensors';
import type { ClassificationReport, Frame, RegressionReport } from '../../src/lib/ml/types';
import { sklearnLikeModel, twoInputModel } from '../worker/inference/onnx-builder';
import { ort } from '../onnx/ort';

/** Column k wins where feature k is largest (k < 3); feature 3 counts for nothing. */
const W = [
	[1, 0, 0],
	[0, 1, 0],
	[0, 0, 1],
	[0, 0, 0]
];

const num = (name: string, values: number[]) => ({
	name,
	kind: 'numeric' as const,
	values: Float64Array.from(values)
});
const text = (name: string, values: (string | null)[]) => ({ name, kind: 'categorical' as const, values });

/** Six rows; the model predicts 0, 1, 2, 0, 1, 2; the truth differs on the last row, and row 4 has no label. */
function table(): Frame {
	return {
		rowCount: 6,
		columns: [
			num('a', [9, 0, 0, 9, 0, 0]),
			num('b', [0, 9, 0, 0, 9, 0]),
			num('c', [0, 0, 9, 0, 0, 9]),
			num('d', [5, 5, 5, 5, 5, 5]),
			num('species', [0, 1, 2, NaN, 1, 0]),
			text('name', ['x', 'y', 'z', 'x', 'y', 'z'])
		]
	};
}

async function score(bytes: Uint8Array, frame: Frame, mapping: OnnxMapping) {
	const sig = readOnnxSignature(bytes);
	const rows = labelledRows(frame, mapping.target);
	const feeds = frameFeeds(sig, frame, mapping.inputs, rows);
	const session = await ort.InferenceSession.create(bytes);
	const wanted = sig.outputs.map((o) => o.name);
	const result = await session.run(
		Object.fromEntries(feeds.map((f) => [f.name, new ort.Tensor(f.dtype, f.data as never, f.dims)])),
		wanted
	);
	const outputs: Output[] = wanted.map((name) => ({
		name,
		dtype: result[name].type,
		data: result[name].data as Output['data'],
		dims: result[name].dims
	}));
	return evaluateOutputs(outputs, frame, rows, mapping);
}

const iris: OnnxMapping = {
	inputs: { float_input: ['a', 'b', 'c', 'd'] },
	target: 'species',
	prediction: 'probabilities',
	task: 'auto'
};

describe('an imported graph scored on a table (real onnxruntime)', () => {
	it('reads probabilities with classes named by the label output, over the labelled rows only', async () => {
		const { report, reading } = await score(sklearnLikeModel(W), table(), iris);
		const r = report as ClassificationReport;
		expect(r.task).toBe('multiclass');
		expect(r.classes).toEqual(['0', '1', '2']);
		// Five labelled rows; four predicted right (the last: predicted 2, truly 0).
		expect(r.accuracy).toBeCloseTo(4 / 5, 12);
		expect(r.confusion).toEqual([
			[1, 0, 1],
			[0, 2, 0],
			[0, 0, 1]
		]);
		expect(reading).toContain('named by "label"');
	});

	it('scores the label output as hard predictions with the same confusion', async () => {
		const { report } = await score(sklearnLikeModel(W), table(), { ...iris, prediction: 'label' });
		const r = report as ClassificationReport;
		expect(r.classes).toEqual(['0', '1', '2']);
		expect(r.confusion).toEqual([
			[1, 0, 1],
			[0, 2, 0],
			[0, 0, 1]
		]);
	});

	it('feeds several inputs of other element types, and reports a regression', async () => {
		// y = a·[1, 2] + b: rows (1,1,b=1) → 4, (2,0,b=0) → 2, (0,1,b=3) → 5.
		const frame: Frame = {
			rowCount: 3,
			columns: [num('p', [1, 2, 0]), num('q', [1, 0, 1]), num('b', [1, 0, 3]), num('y', [4, 2, 6])]
		};
		const { report } = await score(twoInputModel(), frame, {
			inputs: { a: ['p', 'q'], b: ['b'] },
			target: 'y',
			prediction: 'y',
			task: 'auto'
		});
		const r = report as RegressionReport;
		expect(r.mae).toBeCloseTo(1 / 3, 6);
		expect(r.rmse).toBeCloseTo(Math.sqrt(1 / 3), 6);
	});
});

describe('suggestMapping', () => {
	it('gives a single input the columns other than the target, as many as it takes', () => {
		const sig = readOnnxSignature(sklearnLikeModel(W));
		expect(suggestMapping(sig, ['a', 'b', 'species', 'c', 'd', 'e'], 'species')).toEqual({
			float_input: ['a', 'b', 'c', 'd']
		});
	});
	it('maps inputs to the columns named like them', () => {
		const sig = readOnnxSignature(twoInputModel());
		expect(suggestMapping(sig, ['b', 'x', 'a'], 'x')).toEqual({ a: ['a'], b: ['b'] });
	});
});

describe('what the table or the mapping cannot give is refused, naming it', () => {
	const sig = readOnnxSignature(sklearnLikeModel(W));
	const rows = Uint32Array.from([0, 1, 2]);
	const withText: Frame = {
		rowCount: 3,
		columns: [...table().columns, text('t', ['1.5', 'oops', '2']), num('gap', [1, NaN, 2])]
	};
	const cases: [string, Record<string, string[]>, string, RegExp][] = [
		['no columns mapped', {}, 'MappingError', /Input "float_input" takes float32 \[N, 4\]: map 4 columns/],
		[
			'too few columns',
			{ float_input: ['a', 'b'] },
			'MappingError',
			/2 columns are mapped \("a", "b"\), it takes 4/
		],
		['a column the table lacks', { float_input: ['a', 'b', 'c', 'zz'] }, 'MissingColumns', /no column "zz"/],
		[
			'an input the model lacks',
			{ float_input: ['a', 'b', 'c', 'd'], extra: ['a'] },
			'MappingError',
			/no input "extra"/
		],
		[
			'text that is not a number',
			{ float_input: ['a', 'b', 'c', 't'] },
			'ColumnType',
			/Column "t" holds text \("oops" in row 2\)/
		],
		[
			'a missing value',
			{ float_input: ['a', 'b', 'c', 'gap'] },
			'MissingValue',
			/Column "gap" has no value in row 2/
		]
	];
	it.each(cases)('%s', (_what, inputs, kind, message) => {
		let err: unknown;
		try {
			frameFeeds(sig, withText, inputs, rows);
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(OnnxEvalError);
		expect((err as OnnxEvalError).name).toBe(kind);
		expect((err as Error).message).toMatch(message);
	});

	it('an int64 input refuses a fractional column value, naming the row', () => {
		const isig = readOnnxSignature(twoInputModel());
		expect(() =>
			frameFeeds(
				isig,
				{ rowCount: 1, columns: [num('p', [1]), num('q', [1]), num('b', [1.5])] },
				{ a: ['p', 'q'], b: ['b'] },
				Uint32Array.from([0])
			)
		).toThrow(/Column "b" row 1 for input "b" is 1.5: an int64 input takes whole numbers/);
	});

	const probs: Output = {
		name: 'p',
		dtype: 'float32',
		data: Float32Array.from([0.9, 0.1, 0.2, 0.8]),
		dims: [2, 2]
	};
	const frame: Frame = { rowCount: 2, columns: [num('y', [0, 7]), text('s', ['a', 'b'])] };
	const both = Uint32Array.from([0, 1]);
	const outCases: [string, Output[], Partial<OnnxMapping>, string, RegExp][] = [
		[
			'an output the model lacks',
			[probs],
			{ prediction: 'q' },
			'MappingError',
			/no tensor output "q"; it has "p"/
		],
		[
			'a target value no class names',
			[probs],
			{},
			'UnknownClass',
			/holds "7", which the model's output does not name; its classes are "0", "1"/
		],
		[
			'one prediction short',
			[{ ...probs, data: Float32Array.from([1, 0]), dims: [1, 2] }],
			{},
			'OutputShape',
			/shape \[1, 2\] for 2 rows/
		],
		[
			'regression on a text target',
			[{ name: 'p', dtype: 'float32', data: Float32Array.from([1, 2]), dims: [2] }],
			{ target: 's', task: 'regression' },
			'ColumnType',
			/"s" holds text/
		]
	];
	it.each(outCases)('%s', (_what, outputs, over, kind, message) => {
		const mapping = { inputs: {}, target: 'y', prediction: 'p', task: 'auto' as const, ...over };
		let err: unknown;
		try {
			evaluateOutputs(outputs, frame, both, mapping);
		} catch (e) {
			err = e;
		}
		expect((err as OnnxEvalError).name).toBe(kind);
		expect((err as Error).message).toMatch(message);
	});

	it('no labelled rows', () => {
		expect(() =>
			evaluateOutputs([probs], frame, new Uint32Array(0), { target: 'y', prediction: 'p', task: 'auto' })
		).toThrow(/No row has a value in "y"/);
	});
});
