import { describe, expect, it } from 'vitest';
import { checkTrainingData, type CheckOptions } from '../../src/lib/ml/validate';
import {
	DATA_CHECK_CODES,
	type DataCheckCode,
	type Frame,
	type SplitFractions
} from '../../src/lib/ml/types';
import { cat, frame, num, times } from './frame';

const fractions: SplitFractions = { train: 0.7, validation: 0.15, test: 0.15 };
const N = 20;
/** A trainable table: label a/b alternating, x 0…19, c p/q/r, price continuous. */
const base = (over: Partial<Record<'label' | 'x' | 'c' | 'price', Frame['columns'][number]>> = {}): Frame => {
	const cols = {
		label: cat(
			'label',
			times(N, (i) => (i % 2 ? 'b' : 'a'))
		),
		x: num(
			'x',
			times(N, (i) => i)
		),
		c: cat(
			'c',
			times(N, (i) => 'pqr'[i % 3])
		),
		price: num(
			'price',
			times(N, (i) => 10 + i * 1.25)
		),
		...over
	};
	return frame(...Object.values(cols));
};
const opts = (over: Partial<CheckOptions> = {}): CheckOptions => ({
	target: 'label',
	features: ['x', 'c'],
	fractions,
	...over
});

describe('checkTrainingData refuses bad inputs with a code and a message naming the problem', () => {
	const cases: { name: string; frame: Frame; opts: CheckOptions; code: DataCheckCode; says: string[] }[] = [
		{
			name: 'fractions that do not sum to 1',
			frame: base(),
			opts: opts({ fractions: { train: 0.5, validation: 0.5, test: 0.5 } }),
			code: 'invalid-fractions',
			says: ['sum to 1', '1.5']
		},
		{
			name: 'target column missing',
			frame: base(),
			opts: opts({ target: 'nope' }),
			code: 'target-missing',
			says: ['"nope"', '"price"']
		},
		{
			name: 'no features',
			frame: base(),
			opts: opts({ features: [] }),
			code: 'no-features',
			says: ['"label"']
		},
		{
			name: 'a feature twice',
			frame: base(),
			opts: opts({ features: ['x', 'x'] }),
			code: 'feature-duplicate',
			says: ['"x"', 'twice']
		},
		{
			name: 'the target as a feature',
			frame: base(),
			opts: opts({ features: ['x', 'label'] }),
			code: 'feature-is-target',
			says: ['"label"', 'target']
		},
		{
			name: 'a feature column missing',
			frame: base(),
			opts: opts({ features: ['x', 'ghost'] }),
			code: 'feature-missing',
			says: ['"ghost"']
		},
		{
			name: 'fewer than 10 rows',
			frame: frame(
				cat(
					'label',
					times(9, (i) => 'ab'[i % 2])
				),
				num(
					'x',
					times(9, (i) => i)
				)
			),
			opts: opts({ features: ['x'] }),
			code: 'too-few-rows',
			says: ['9 rows', '10']
		},
		{
			name: 'target all null',
			frame: base({
				label: cat(
					'label',
					times(N, () => null)
				)
			}),
			opts: opts(),
			code: 'target-all-null',
			says: ['"label"', 'every row']
		},
		{
			name: 'nulls in the target (refused, not dropped)',
			frame: base({
				label: cat(
					'label',
					times(N, (i) => (i === 3 || i === 7 ? null : 'ab'[i % 2]))
				)
			}),
			opts: opts(),
			code: 'target-has-missing',
			says: ['"label"', '2 rows', 'row 4', 'IS NOT NULL']
		},
		{
			name: 'NaN in a numeric target',
			frame: base({
				price: num(
					'price',
					times(N, (i) => (i === 0 ? null : i))
				)
			}),
			opts: opts({ target: 'price' }),
			code: 'target-has-missing',
			says: ['"price"', '1 row ', 'row 1']
		},
		{
			name: 'Infinity in the target',
			frame: base({
				price: num(
					'price',
					times(N, (i) => (i === 5 ? Infinity : i))
				)
			}),
			opts: opts({ target: 'price' }),
			code: 'target-not-finite',
			says: ['"price"', 'infinite', 'row 6']
		},
		{
			name: 'regression on a text target',
			frame: base(),
			opts: opts({ task: 'regression' }),
			code: 'task-mismatch',
			says: ['"label"', 'text']
		},
		{
			name: 'binary on three classes',
			frame: base(),
			opts: opts({ target: 'c', features: ['x'], task: 'binary' }),
			code: 'task-mismatch',
			says: ['"c"', '3 classes']
		},
		{
			name: 'binary on a numeric target with very many values (counted only so far)',
			frame: base({
				label: num(
					'label',
					times(1200, (i) => i * 0.5)
				),
				x: num(
					'x',
					times(1200, (i) => i % 7)
				),
				c: cat(
					'c',
					times(1200, (i) => 'pqr'[i % 3])
				),
				price: num(
					'price',
					times(1200, (i) => i)
				)
			}),
			opts: opts({ features: ['x'], task: 'binary' }),
			code: 'task-mismatch',
			says: ['"label"', '1,000 or more classes']
		},
		{
			name: 'a single class',
			frame: base({
				label: cat(
					'label',
					times(N, () => 'a')
				)
			}),
			opts: opts(),
			code: 'target-constant',
			says: ['"label"', 'single value']
		},
		{
			name: 'a zero-variance number',
			frame: base({
				price: num(
					'price',
					times(N, () => 0.1)
				)
			}),
			opts: opts({ target: 'price' }),
			code: 'target-constant',
			says: ['"price"']
		},
		{
			name: 'a class with one example',
			frame: base({
				label: cat(
					'label',
					times(N, (i) => (i === 0 ? 'rare' : 'ab'[i % 2]))
				)
			}),
			opts: opts(),
			code: 'class-too-small',
			says: ['"label"', '"rare"', 'single row']
		},
		{
			name: 'two classes with one example each',
			frame: base({
				label: cat(
					'label',
					times(N, (i) => (i === 0 ? 'r1' : i === 1 ? 'r2' : 'ab'[i % 2]))
				)
			}),
			opts: opts(),
			code: 'class-too-small',
			says: ['2 classes', '"r1", "r2"']
		},
		{
			name: 'stratified splits that would leave validation empty (5 classes × 2 rows)',
			frame: frame(
				cat(
					'label',
					times(10, (i) => 'vwxyz'[i % 5])
				),
				num(
					'x',
					times(10, (i) => i)
				)
			),
			opts: opts({ features: ['x'] }),
			code: 'split-empty',
			says: ['validation', '10 rows', '5 classes']
		},
		{
			name: 'Infinity in a numeric feature',
			frame: base({
				x: num(
					'x',
					times(N, (i) => (i === 2 || i === 9 ? -Infinity : i))
				)
			}),
			opts: opts(),
			code: 'feature-not-finite',
			says: ['"x"', '2 rows', 'row 3']
		},
		{
			name: 'an id-like text feature',
			frame: frame(
				cat(
					'label',
					times(2000, (i) => 'ab'[i % 2])
				),
				cat(
					'id',
					times(2000, (i) => `u${i}`)
				)
			),
			opts: opts({ features: ['id'] }),
			code: 'feature-id-like',
			says: ['"id"', '2000 distinct', 'identifier']
		},
		{
			name: 'a time split on a column the table lacks',
			frame: base(),
			opts: opts({ split: { strategy: 'time', column: 'ts', seed: 1 } }),
			code: 'split-column-missing',
			says: ['"ts"', 'not in the table']
		},
		{
			name: 'a time split on a text column',
			frame: base(),
			opts: opts({ split: { strategy: 'time', column: 'c', seed: 1 } }),
			code: 'split-column-not-orderable',
			says: ['"c"', 'text', 'date or timestamp']
		},
		{
			name: 'a time split on a column with missing times',
			frame: base({
				price: num(
					'price',
					times(N, (i) => (i === 4 ? null : i))
				)
			}),
			opts: opts({ split: { strategy: 'time', column: 'price', seed: 1 } }),
			code: 'split-column-has-missing',
			says: ['"price"', '1 row', 'row 5', 'IS NOT NULL']
		},
		{
			name: 'a group split with 2 groups for 3 splits',
			frame: base({
				price: num(
					'price',
					times(N, (i) => i % 2)
				)
			}),
			opts: opts({ split: { strategy: 'group', column: 'price', seed: 1 } }),
			code: 'split-too-few-groups',
			says: ['"price"', '2 distinct values', 'at least 3']
		},
		{
			name: 'a test table without a feature and the target',
			frame: base(),
			opts: opts({
				fractions: { train: 0.85, validation: 0.15, test: 0 },
				split: {
					strategy: 'table',
					column: '',
					seed: 1,
					testTable: 'later',
					test: frame(
						num(
							'x',
							times(5, (i) => i)
						)
					)
				}
			}),
			code: 'test-table-mismatch',
			says: ['"later"', '"c", "label"']
		}
	];

	it.each(cases)('$name → $code', ({ frame, opts, code, says }) => {
		const check = checkTrainingData(frame, opts);
		expect(check).toMatchObject({ ok: false, code });
		if (check.ok) return;
		for (const part of says) expect(check.message).toContain(part);
	});

	it('every code has a case', () => {
		expect(new Set(cases.map((c) => c.code))).toEqual(new Set(DATA_CHECK_CODES));
	});

	it('names the column at fault in `column`', () => {
		expect(checkTrainingData(base(), opts({ features: ['x', 'ghost'] }))).toMatchObject({ column: 'ghost' });
	});
});

describe('checkTrainingData accepts trainable tables', () => {
	it.each([
		{ name: 'inferred binary', opts: opts(), task: 'binary' },
		{
			name: 'inferred multiclass from text',
			opts: opts({ target: 'c', features: ['x'] }),
			task: 'multiclass'
		},
		{
			name: 'inferred regression',
			opts: opts({ target: 'price', features: ['x', 'c'] }),
			task: 'regression'
		},
		{ name: 'multiclass override on two classes', opts: opts({ task: 'multiclass' }), task: 'multiclass' }
	])('$name', ({ opts, task }) =>
		expect(checkTrainingData(base(), opts)).toEqual({ ok: true, task, warnings: [] })
	);

	it.each([
		{
			name: 'missing numeric feature values are imputed',
			frame: base({
				x: num(
					'x',
					times(N, (i) => (i < 3 ? null : i))
				)
			}),
			opts: opts(),
			warning: 'Feature "x" is missing in 3 rows; they take the training mean.'
		},
		{
			name: 'missing text feature values share the unseen slot',
			frame: base({
				c: cat(
					'c',
					times(N, (i) => (i === 0 ? null : 'pq'[i % 2]))
				)
			}),
			opts: opts(),
			warning: 'Feature "c" is missing in 1 row; they share the input for unseen categories.'
		},
		{
			name: 'a constant feature',
			frame: base({
				x: num(
					'x',
					times(N, () => 3)
				)
			}),
			opts: opts(),
			warning: 'Feature "x" is constant; it adds nothing.'
		},
		{
			name: 'an all-missing feature',
			frame: base({
				x: num(
					'x',
					times(N, () => null)
				)
			}),
			opts: opts(),
			warning: 'Feature "x" is missing in every row; it adds nothing.'
		},
		{
			name: 'a feature with more categories than inputs',
			frame: frame(
				cat(
					'label',
					times(120, (i) => 'ab'[i % 2])
				),
				cat(
					'city',
					times(120, (i) => `c${i % 60}`)
				)
			),
			opts: opts({ features: ['city'] }),
			warning:
				'Feature "city" has 60 distinct values; the 50 most frequent in training get their own input, the rest share one.'
		},
		{
			name: 'numbers read as classes say how to override',
			frame: frame(
				num(
					'stars',
					times(100, (i) => 1 + (i % 5))
				),
				num(
					'x',
					times(100, (i) => i)
				)
			),
			opts: opts({ target: 'stars', features: ['x'] }),
			warning:
				'Target "stars" has 5 whole-number values (at most 20), so it is treated as classes; choose regression to predict it as a number.'
		},
		{
			name: 'classes of two rows',
			frame: base({
				label: cat(
					'label',
					times(N, (i) => (i < 2 ? 'duo' : 'ab'[i % 2]))
				)
			}),
			opts: opts(),
			warning: 'Target "label" has classes with only 2 rows ("duo"); not every split will see them.'
		},
		{
			name: 'regression on two values',
			frame: base({
				price: num(
					'price',
					times(N, (i) => i % 2)
				)
			}),
			opts: opts({ target: 'price', task: 'regression' }),
			warning: 'Target "price" has only 2 values; regression will predict numbers between them.'
		}
	])('warns: $name', ({ frame, opts, warning }) => {
		const check = checkTrainingData(frame, opts);
		expect(check.ok).toBe(true);
		if (check.ok) expect(check.warnings.map((w) => w.message)).toContain(warning);
	});
});
