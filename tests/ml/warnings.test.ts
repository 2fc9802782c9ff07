import { describe, expect, it } from 'vitest';
import { summariseWarnings } from '../../src/lib/ml/warnings';
import { checkTrainingData } from '../../src/lib/ml/validate';
import type { DataWarning } from '../../src/lib/ml/types';
import { frame, num, times } from './frame';

const constant = (name: string): DataWarning => ({
	kind: 'feature-constant',
	column: name,
	message: `Feature "${name}" is constant; it adds nothing.`
});

describe('summariseWarnings', () => {
	it('groups 146 constant features into one line with the count, three names and the rest counted', () => {
		const names = Array.from({ length: 146 }, (_, i) => `p${i}`);
		const lines = summariseWarnings(names.map(constant));
		expect(lines).toHaveLength(1);
		const [line] = lines;
		expect(typeof line === 'object' && line.text).toBe(
			'146 features are constant (they add nothing): p0, p1, p2 … and 143 more'
		);
		// The full list stays, for the expanded view.
		expect(typeof line === 'object' && line.items).toEqual(names.map((n) => constant(n).message));
	});

	it('keeps two of a kind as two lines, and never groups target warnings', () => {
		const target: DataWarning = { kind: 'target', message: 'Target "y" has only 2 values; …', column: 'y' };
		expect(summariseWarnings([constant('a'), target, constant('b')])).toEqual([
			constant('a').message,
			constant('b').message,
			target.message
		]);
	});

	it('groups each kind apart, in order of first appearance', () => {
		const missing = (n: string): DataWarning => ({
			kind: 'feature-missing',
			column: n,
			message: `Feature "${n}" is missing in 1 row; they take the training mean.`
		});
		const lines = summariseWarnings([
			missing('m1'),
			constant('c1'),
			missing('m2'),
			constant('c2'),
			missing('m3'),
			constant('c3'),
			constant('c4')
		]);
		expect(lines.map((l) => (typeof l === 'string' ? l : l.text))).toEqual([
			'3 features have missing values (numbers take the training mean, text the unseen-category input): m1, m2, m3',
			'4 features are constant (they add nothing): c1, c2, c3 … and 1 more'
		]);
	});

	it('summarises what the data checks really find on a wide table', () => {
		const rows = 20;
		const cols = [
			num(
				'y',
				times(rows, (i) => i % 2)
			),
			...Array.from({ length: 10 }, (_, k) =>
				num(
					`c${k}`,
					times(rows, () => 7)
				)
			),
			num(
				'x',
				times(rows, (i) => i)
			)
		];
		const features = cols.slice(1).map((c) => c.name);
		const check = checkTrainingData(frame(...cols), {
			target: 'y',
			features,
			task: 'binary',
			fractions: { train: 0.7, validation: 0.15, test: 0.15 }
		});
		expect(check.ok).toBe(true);
		if (!check.ok) return;
		const lines = summariseWarnings(check.warnings);
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatchObject({
			text: expect.stringMatching(/^10 features are constant .*: c0, c1, c2 … and 7 more$/)
		});
	});
});
