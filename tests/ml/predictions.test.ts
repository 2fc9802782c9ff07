import { describe, expect, it } from 'vitest';
import { predictionColumns } from '../../src/lib/ml/predictions';
import { classificationReport } from '../../src/lib/ml/metrics';
import type { Preprocessing } from '../../src/lib/ml/types';

const prep = (target: Preprocessing['target']): Preprocessing => ({
	version: 1,
	features: [],
	target,
	width: 0
});

describe('predictionColumns', () => {
	it('gives the label and one prob_<class> per class, the label being the first most likely class', () => {
		const p = prep({ name: 'species', task: 'multiclass', classes: ['a', 'b', 'c'] });
		const values = Float32Array.from([0.2, 0.5, 0.3, 0.4, 0.4, 0.2]);
		const cols = predictionColumns(p, values, 2);
		expect(cols.map((c) => c.name)).toEqual(['predicted', 'prob_a', 'prob_b', 'prob_c']);
		expect(cols[0].values).toEqual(['b', 'a']);
		expect(Array.from(cols[2].values as Float64Array)).toEqual([values[1], values[4]]);
	});

	it('agrees with the evaluation report on every row (same accuracy)', () => {
		const classes = ['no', 'yes'];
		const values = Float32Array.from([0.1, 0.7, 0.5, 0.9]);
		const yTrue = Int32Array.from([0, 1, 1, 0]);
		const [predicted] = predictionColumns(prep({ name: 'y', task: 'binary', classes }), values, 4);
		const correct = (predicted.values as string[]).filter((l, i) => l === classes[yTrue[i]]).length;
		expect(correct / 4).toBe(classificationReport(yTrue, values, classes).accuracy);
		expect(predicted.values).toEqual(['no', 'yes', 'no', 'yes']);
	});

	it('decodes a regression back into the target units', () => {
		const p = prep({ name: 'mass', task: 'regression', mean: 4000, std: 500 });
		const cols = predictionColumns(p, Float32Array.from([0, 1, -2]), 3);
		expect(cols.map((c) => c.name)).toEqual(['predicted']);
		expect(Array.from(cols[0].values as Float64Array)).toEqual([4000, 4500, 3000]);
	});

	it('refuses outputs that do not match the rows and classes', () => {
		const p = prep({ name: 'y', task: 'multiclass', classes: ['a', 'b', 'c'] });
		expect(() => predictionColumns(p, new Float32Array(5), 2)).toThrow(/5 outputs for 2 rows/);
	});
});
