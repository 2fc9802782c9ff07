import { describe, expect, it } from 'vitest';
import type { Preprocessing } from '../../src/lib/ml/types';
import { InvalidModel } from '../../workers/domain/errors';
import { decodePredictions } from '../../workers/inference/decode';

const prep = (target: Preprocessing['target']): Preprocessing => ({
	version: 1,
	features: [{ name: 'x', kind: 'numeric', mean: 0, std: 1, impute: 0 }],
	target,
	width: 1
});
const three = prep({ name: 'y', task: 'multiclass', classes: ['a', 'b', 'c'] });
const two = prep({ name: 'y', task: 'binary', classes: ['no', 'yes'] });
const reg = prep({ name: 'y', task: 'regression', mean: 10, std: 2 });

const out = (values: number[], dims: number[]) => ({ data: Float32Array.from(values), dims });

describe('decodePredictions', () => {
	it('a tie goes to the first class, as the notebook evaluation decides (metrics.ts)', () => {
		expect(decodePredictions(three, out([0.4, 0.4, 0.2], [1, 3]), 1)[0]).toMatchObject({ label: 'a' });
		expect(decodePredictions(two, out([0.5], [1, 1]), 1)[0]).toEqual({
			label: 'no',
			probabilities: { no: 0.5, yes: 0.5 }
		});
	});

	it('a two-column binary head reads like a softmax', () => {
		expect(decodePredictions(two, out([0.25, 0.75], [1, 2]), 1)[0]).toEqual({
			label: 'yes',
			probabilities: { no: 0.25, yes: 0.75 }
		});
	});

	it('regression is de-standardised: y · std + mean', () => {
		expect(decodePredictions(reg, out([1.5, -1], [2, 1]), 2)).toEqual([{ value: 13 }, { value: 8 }]);
	});

	it.each([
		{ name: 'classes ≠ K', p: three, o: out([1, 0], [1, 2]) },
		{ name: 'sigmoid head for three classes', p: three, o: out([1], [1, 1]) },
		{ name: 'regression with K = 2', p: reg, o: out([1, 2], [1, 2]) },
		{ name: 'rows ≠ N', p: reg, o: out([1, 2], [2, 1]), rows: 1 },
		{ name: 'rank 1 output', p: reg, o: out([1], [1]) }
	])('a graph that breaks the contract is InvalidModel (invalid_model): $name', ({ p, o, rows }) => {
		const call = () => decodePredictions(p, o, rows ?? 1);
		expect(call).toThrow(InvalidModel);
		expect(call).toThrow(/Export the version again/);
	});
});
