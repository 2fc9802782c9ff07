import { describe, expect, it } from 'vitest';
import { testTableProblem } from '../../src/lib/ml/test-table';
import type { Frame } from '../../src/lib/ml/types';
import { cat, frame, num, times } from './frame';

const source = frame(
	num(
		'x',
		times(20, (i) => i)
	),
	cat(
		'y',
		times(20, (i) => 'ab'[i % 2])
	)
);
const check = (test: Frame | undefined, name = 'later', classification = true) =>
	testTableProblem({ source, test, name, columns: ['x', 'y'], target: 'y', classification });

describe('testTableProblem: the named test table must match what training uses', () => {
	it('accepts a table with the same columns, labels and classes', () => {
		expect(check(frame(num('x', [1, 2]), cat('y', ['b', 'a']), cat('extra', ['u', 'v'])))).toBeNull();
	});

	it.each([
		{ name: 'no table chosen', test: undefined, table: '', says: 'Pick the test table' },
		{ name: 'missing columns', test: frame(num('z', [1])), table: 'later', says: 'lacks "x", "y"' },
		{ name: 'no rows', test: frame(num('x', []), cat('y', [])), table: 'later', says: 'no rows' },
		{
			name: 'a feature of another kind',
			test: frame(cat('x', ['1']), cat('y', ['a'])),
			table: 'later',
			says: 'Column "x" is a number in the training table but text'
		},
		{
			name: 'unlabelled rows',
			test: frame(num('x', [1, 2]), cat('y', ['a', null])),
			table: 'later',
			says: 'missing in 1 row of test table "later"'
		},
		{
			name: 'a class training never has',
			test: frame(num('x', [1, 2]), cat('y', ['a', 'zz'])),
			table: 'later',
			says: '"zz" in "y"'
		}
	])('refuses $name, saying what is wrong', ({ test, table, says }) => {
		expect(check(test, table)).toContain(says);
	});

	it('does not compare classes for regression', () => {
		const reg = frame(
			num(
				'x',
				times(5, (i) => i)
			),
			num(
				'y',
				times(5, (i) => i * 1.5)
			)
		);
		const t = frame(num('x', [1]), num('y', [99]));
		expect(
			testTableProblem({
				source: reg,
				test: t,
				name: 'later',
				columns: ['x', 'y'],
				target: 'y',
				classification: false
			})
		).toBeNull();
	});
});
