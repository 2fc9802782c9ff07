import { describe, expect, it } from 'vitest';
import {
	ReferenceProfile,
	predictionValues,
	referenceProfile,
	sampleRows
} from '../../../src/lib/ml/monitor/reference';
import { fitPreprocessing } from '../../../src/lib/ml/preprocess';
import { PREDICTION_FEATURE, ProfileError } from '../../../src/lib/ml/profile';
import { cat, frame, num, times } from '../frame';

const n = 200;
const source = frame(
	num(
		'mass',
		times(n, (i) => (i % 10 === 3 ? null : 3000 + 10 * i))
	),
	cat(
		'island',
		times(n, (i) => ['Biscoe', 'Dream', 'Torgersen'][i % 3])
	),
	// Milliseconds since the epoch: the datepart transform's source, which a profile leaves out.
	num(
		'seen',
		times(n, (i) => Date.UTC(2024, 0, 1 + (i % 28)))
	),
	cat(
		'species',
		times(n, (i) => (i % 2 ? 'Gentoo' : 'Adelie'))
	)
);
const trainRows = Uint32Array.from(times(150, (i) => i));
const prep = fitPreprocessing(source, {
	target: 'species',
	features: ['mass', 'island', 'day'],
	task: 'binary',
	trainRows,
	transforms: [{ op: 'datepart', column: 'seen', as: 'day', part: 'day' }]
});

describe('a version’s reference profile', () => {
	it('profiles the raw inputs over the training rows (nulls counted) and leaves a date source out', () => {
		const r = referenceProfile({ prep, frame: source, trainRows });
		expect([...r.inputs.features.keys()]).toEqual(['mass', 'island']);
		expect(r.inputs.rowCount).toBe(150);
		const mass = r.inputs.numeric('mass');
		expect(mass.nulls).toBe(15);
		expect(mass.sketch.n).toBe(135);
		expect(mass.max).toBe(3000 + 10 * 149);
		expect(Object.fromEntries(r.inputs.categorical('island').counts)).toEqual({
			Biscoe: 50,
			Dream: 50,
			Torgersen: 50
		});
		expect(r.prediction).toBeNull();
	});

	it('adds the predicted class over the test split: a sigmoid above 0.5 is class 1, ties go to class 0', () => {
		const classes = (prep.target as { classes: string[] }).classes;
		const r = referenceProfile({
			prep,
			frame: source,
			trainRows,
			testOutputs: { values: Float32Array.of(0.9, 0.5, 0.1, 0.7), rows: 4 }
		});
		expect(Object.fromEntries(r.prediction!.categorical(PREDICTION_FEATURE).counts)).toEqual({
			[classes[1]]: 2,
			[classes[0]]: 2
		});
		expect(r.features.size).toBe(3);
		expect(r.features.get(PREDICTION_FEATURE)!.kind).toBe('categorical');
	});

	it('takes the argmax of several outputs, and a regressor’s value in the target’s units', () => {
		const multi = { ...prep, target: { name: 'y', task: 'multiclass' as const, classes: ['a', 'b', 'c'] } };
		expect(predictionValues(multi, Float32Array.of(0.1, 0.7, 0.2, 0.5, 0.2, 0.3), 2)).toEqual(['b', 'a']);
		const reg = { ...prep, target: { name: 'y', task: 'regression' as const, mean: 10, std: 2 } };
		expect(predictionValues(reg, Float32Array.of(0, 1, -0.5), 3)).toEqual([10, 12, 9]);
	});

	it('samples a large training split uniformly, seeded, without repeats', () => {
		const rows = Uint32Array.from(times(10_000, (i) => 2 * i));
		const a = sampleRows(rows, 3, 1000);
		expect(a.length).toBe(1000);
		expect(new Set(Array.from(a)).size).toBe(1000);
		expect(Array.from(a).every((r) => r % 2 === 0 && r < 20_000)).toBe(true);
		expect(Array.from(a)).toEqual(Array.from(sampleRows(rows, 3, 1000)));
		expect(Array.from(a)).not.toEqual(Array.from(sampleRows(rows, 4, 1000)));
		// Uniform: the sample's mean row is near the middle (σ of the mean ≈ 5,770 / √1000 ≈ 183).
		const mean = Array.from(a).reduce((x, y) => x + y, 0) / 1000;
		expect(Math.abs(mean - 9999)).toBeLessThan(800);
		expect(sampleRows(rows, 3, 20_000)).toBe(rows);
	});

	it('round-trips through JSON and refuses a damaged one by name', () => {
		const r = referenceProfile({
			prep,
			frame: source,
			trainRows,
			testOutputs: { values: Float32Array.of(0.9, 0.2), rows: 2 }
		});
		const back = ReferenceProfile.fromJSON(JSON.parse(JSON.stringify(r)));
		expect(back.toJSON()).toEqual(r.toJSON());
		for (const bad of [null, 7, {}, { version: 2, inputs: r.inputs.toJSON() }, { version: 1 }])
			expect(() => ReferenceProfile.fromJSON(bad)).toThrow(ProfileError);
		const foreign = { ...r.toJSON(), prediction: r.inputs.toJSON() };
		expect(() => ReferenceProfile.fromJSON(foreign)).toThrow(/prediction profile holds only/);
	});
});
