import { describe, expect, it } from 'vitest';
import { inferTask, taskEvidence } from '../../src/lib/ml/task';
import type { Task } from '../../src/lib/ml/types';
import { cat, num, times } from './frame';

describe('inferTask follows the documented rule', () => {
	const cases: { name: string; column: ReturnType<typeof num>; task: Task }[] = [
		{ name: 'two text labels, nulls ignored', column: cat('y', ['a', 'b', 'a', null]), task: 'binary' },
		{ name: 'three text labels', column: cat('y', ['a', 'b', 'c', 'a']), task: 'multiclass' },
		{ name: 'one text label (validation refuses it)', column: cat('y', ['x', 'x']), task: 'binary' },
		{ name: '0/1 numbers, NaN ignored', column: num('y', [0, 1, 1, 0, null]), task: 'binary' },
		{
			name: 'two fractional numbers are still two labels',
			column: num('y', [0.5, 1.5, 0.5]),
			task: 'binary'
		},
		{
			name: '5 whole values in 100 rows (5 ≤ 5%)',
			column: num(
				'y',
				times(100, (i) => i % 5)
			),
			task: 'multiclass'
		},
		{
			name: '6 whole values in 100 rows (6 > 5%)',
			column: num(
				'y',
				times(100, (i) => i % 6)
			),
			task: 'regression'
		},
		{
			name: '20 whole values in 1000 rows',
			column: num(
				'y',
				times(1000, (i) => i % 20)
			),
			task: 'multiclass'
		},
		{
			name: '21 whole values in 1000 rows',
			column: num(
				'y',
				times(1000, (i) => i % 21)
			),
			task: 'regression'
		},
		{
			name: 'a fraction among 3 values',
			column: num(
				'y',
				times(100, (i) => [0, 1, 2.5][i % 3])
			),
			task: 'regression'
		},
		{
			name: '3 whole values in only 30 rows',
			column: num(
				'y',
				times(30, (i) => i % 3)
			),
			task: 'regression'
		},
		{
			name: 'missing rows do not count toward the 5%',
			column: num('y', [...times(60, (i) => i % 3), ...times(1000, () => null)]),
			task: 'multiclass'
		},
		{
			name: 'Infinity is not a whole number',
			column: num('y', [...times(99, (i) => i % 3), Infinity]),
			task: 'regression'
		},
		{
			name: 'continuous values',
			column: num(
				'y',
				times(50, (i) => i * 0.37)
			),
			task: 'regression'
		}
	];
	it.each(cases)('$name → $task', ({ column, task }) => expect(inferTask(column)).toBe(task));
});

describe('taskEvidence explains the guess', () => {
	it('counts distinct and present values', () => {
		expect(taskEvidence(num('y', [...times(60, (i) => i % 3), null]))).toEqual({
			task: 'multiclass',
			distinct: 3,
			present: 60,
			integers: true
		});
	});
	it('stops counting numbers past the class limit', () => {
		expect(
			taskEvidence(
				num(
					'y',
					times(10_000, (i) => i)
				)
			).distinct
		).toBe(21);
	});
});
