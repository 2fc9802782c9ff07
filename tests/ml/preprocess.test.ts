import { describe, expect, it } from 'vitest';
import {
	decodeRegression,
	encode,
	encodedColumnNames,
	fitPreprocessing,
	labelTarget,
	MAX_CATEGORIES
} from '../../src/lib/ml/preprocess';
import type { ColumnData, FeatureSpec, Task } from '../../src/lib/ml/types';
import { cat, frame, num, times } from './frame';

// Rows 0-3 train; row 4 holds outliers that must not reach the fitted statistics.
const table = frame(
	num('x', [1, 2, 3, null, 100, 5]),
	cat('c', ['b', 'a', 'b', null, 'z', 'a']),
	num('k', [7, 7, 7, 7, 7, 7]),
	num('y', [10, 20, 30, 40, 50, 60])
);
const trainRows = Uint32Array.from([0, 1, 2, 3]);
const prep = fitPreprocessing(table, {
	target: 'y',
	features: ['x', 'c', 'k'],
	task: 'regression',
	trainRows
});

describe('fitPreprocessing uses the training rows only', () => {
	it('numeric: mean and population std of present values, imputed with the mean', () => {
		// x train = 1, 2, 3 (row 3 missing): mean 2, std √(2/3).
		expect(prep.features[0]).toEqual({
			name: 'x',
			kind: 'numeric',
			mean: 2,
			std: Math.sqrt(2 / 3),
			impute: 2
		});
	});
	it('a constant feature gets std 1, so it encodes to 0', () => {
		expect(prep.features[2]).toEqual({ name: 'k', kind: 'numeric', mean: 7, std: 1, impute: 7 });
	});
	it('categorical: training categories by frequency, without the test-only "z" or null', () => {
		expect(prep.features[1]).toEqual({ name: 'c', kind: 'categorical', categories: ['b', 'a'] });
	});
	it('regression target: training mean 25, std √125', () => {
		expect(prep.target).toEqual({ name: 'y', task: 'regression', mean: 25, std: Math.sqrt(125) });
		expect(prep.width).toBe(1 + 3 + 1);
	});
});

describe('encode', () => {
	const e = encode(prep, table, Uint32Array.from([0, 3, 4, 5]));
	// x, c=b, c=a, c=(other), k
	const expected = [
		[-1.224744871391589, 1, 0, 0, 0],
		[0, 0, 0, 1, 0], // missing x → mean → 0; null c → other slot
		[120.02499739637572, 0, 0, 1, 0], // unseen "z" → other slot
		[3.6742346141747673, 0, 1, 0, 0]
	];
	it.each(expected.map((row, i) => ({ i, row })))('row $i', ({ i, row }) => {
		const got = [...e.x.subarray(i * 5, i * 5 + 5)];
		row.forEach((v, j) => expect(got[j]).toBeCloseTo(v, 5));
	});
	it('standardises the regression target and decodes it back', () => {
		const want = [-1.3416407864998738, 1.3416407864998738, 2.23606797749979, 3.1304951684997055];
		want.forEach((v, i) => expect(e.y[i]).toBeCloseTo(v, 6));
		decodeRegression(prep, e.y).forEach((v, i) => expect(v).toBeCloseTo([10, 40, 50, 60][i], 4));
		expect(e.rows).toBe(4);
		expect(e.width).toBe(5);
	});
	it('encodes every row by default', () => expect(encode(prep, table).rows).toBe(6));
	it('gives y = NaN on a frame without the target (rows to predict)', () => {
		const features = frame(num('x', [2]), cat('c', ['a']), num('k', [7]));
		expect([...encode(prep, features).y]).toEqual([NaN]);
	});
	it('names the encoded inputs', () =>
		expect(encodedColumnNames(prep)).toEqual(['x', 'c=b', 'c=a', 'c=(other)', 'k']));
});

describe('categories', () => {
	const fit = (values: string[]) =>
		fitPreprocessing(
			frame(
				cat('c', values),
				num(
					'y',
					values.map(() => 0)
				)
			),
			{
				target: 'y',
				features: ['c'],
				task: 'regression',
				trainRows: Uint32Array.from(values.keys())
			}
		);
	const categories = (values: string[]) =>
		(fit(values).features[0] as Extract<FeatureSpec, { kind: 'categorical' }>).categories;

	it('ties in frequency go by name (code units, not locale)', () =>
		expect(categories(['b', 'a', 'b', 'a', 'c', 'B'])).toEqual(['a', 'b', 'B', 'c']));

	it(`caps at ${MAX_CATEGORIES}; the rest share the last slot`, () => {
		const p = fit(times(60, (i) => `k${String(i).padStart(2, '0')}`));
		expect(p.width).toBe(51);
		const e = encode(p, frame(cat('c', ['k03', 'k55']), num('y', [0, 0])));
		expect([e.x.indexOf(1), e.x.lastIndexOf(1)]).toEqual([3, 51 + 50]);
	});
});

describe('class targets', () => {
	const fitClasses = (column: ColumnData, task: Task, train: number[]) =>
		fitPreprocessing(
			frame(
				num(
					'x',
					times(column.values.length, (i) => i)
				),
				column
			),
			{
				target: column.name,
				features: ['x'],
				task,
				trainRows: Uint32Array.from(train)
			}
		);

	it('numeric classes sort numerically, so 9 comes before 10', () => {
		const p = fitClasses(num('y', [10, 9, 10, 9]), 'binary', [0, 1, 2, 3]);
		expect(p.target).toEqual({ name: 'y', task: 'binary', classes: ['9', '10'] });
		expect([...encode(p, frame(num('x', [0, 1]), num('y', [10, 9]))).y]).toEqual([1, 0]);
	});

	it('text classes sort by code units: "yes" is the positive class', () => {
		const p = fitClasses(cat('y', ['yes', 'no', 'yes', null]), 'binary', [0, 1, 2, 3]);
		expect(p.target).toEqual({ name: 'y', task: 'binary', classes: ['no', 'yes'] });
		expect([...encode(p, frame(num('x', [0, 1, 2, 3]), cat('y', ['yes', 'no', 'yes', null]))).y]).toEqual([
			1,
			0,
			1,
			NaN
		]);
	});

	it('a class training never saw throws UnseenClassError naming it', () => {
		const p = fitClasses(cat('y', ['a', 'b', 'c']), 'multiclass', [0, 1]);
		expect(p.target).toMatchObject({ classes: ['a', 'b'] });
		expect(() => encode(p, frame(num('x', [0, 1, 2]), cat('y', ['a', 'b', 'c'])))).toThrow(
			expect.objectContaining({ name: 'UnseenClassError', message: expect.stringContaining('"c" at row 3') })
		);
	});

	it('a numeric class training never saw throws too, named as training names its classes', () => {
		const p = fitClasses(num('y', [0.5, 2, 7]), 'multiclass', [0, 1]);
		expect(p.target).toMatchObject({ classes: ['0.5', '2'] });
		expect([...encode(p, frame(num('x', [0, 1]), num('y', [2, 0.5]))).y]).toEqual([1, 0]);
		expect(() => encode(p, frame(num('x', [0, 1, 2]), num('y', [0.5, null, 7])))).toThrow(
			expect.objectContaining({ name: 'UnseenClassError', message: expect.stringContaining('"7" at row 3') })
		);
	});

	it('labelTarget indexes every row the same way, −1 where missing', () => {
		expect(labelTarget(cat('y', ['b', null, 'a', 'b']))).toEqual({
			classes: ['a', 'b'],
			labels: Int32Array.from([1, -1, 0, 1])
		});
		expect(labelTarget(num('y', [2, -1, null, 2]))).toEqual({
			classes: ['-1', '2'],
			labels: Int32Array.from([1, 0, -1, 1])
		});
	});
});

describe('programming errors carry a code in name', () => {
	it.each([
		{
			name: 'MissingColumnError',
			run: () => fitPreprocessing(table, { target: 'y', features: ['ghost'], task: 'regression', trainRows })
		},
		{
			name: 'ColumnKindError',
			run: () => fitPreprocessing(table, { target: 'c', features: ['x'], task: 'regression', trainRows })
		},
		{
			name: 'ColumnKindError',
			run: () => encode(prep, frame(cat('x', ['1']), cat('c', ['a']), num('k', [7])))
		},
		{
			name: 'TypeError',
			run: () => decodeRegression({ ...prep, target: { name: 'y', task: 'binary', classes: [] } }, [0])
		}
	])('$name', ({ name, run }) => expect(run).toThrow(expect.objectContaining({ name })));
});
