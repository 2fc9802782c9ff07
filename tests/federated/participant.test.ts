import { describe, expect, it } from 'vitest';
import { tableProblem, type JoinPlan } from '$lib/federated/participant';
import { evaluation } from '$lib/train/engine/federated-round';

const plan = {
	job: { modelName: 'penguins', version: 2 },
	needed: ['island', 'mass', 'species']
} as unknown as JoinPlan;

describe('a local table is checked against what the job’s model reads', () => {
	it('names every missing column and what the model needs', () => {
		expect(tableProblem(plan, 'mine', ['island', 'flipper'])).toBe(
			'mine lacks "mass", "species", which penguins v2 reads; it needs "island", "mass", "species".'
		);
	});
	it('a table with every column (and more) may take part', () => {
		expect(tableProblem(plan, 'mine', ['species', 'extra', 'mass', 'island'])).toBeNull();
	});
});

describe('the previous global model’s hold-out evaluation', () => {
	it('multiclass: mean cross-entropy of the true class and accuracy', () => {
		const set = { x: new Float32Array(0), y: Float32Array.from([0, 2]), rows: 2, width: 0 };
		const out = Float32Array.from([0.5, 0.25, 0.25, 0.1, 0.6, 0.3]);
		const e = evaluation(set, out, 'multiclass');
		expect(e.loss).toBeCloseTo(-(Math.log(0.5) + Math.log(0.3)) / 2, 6);
		expect(e.accuracy).toBe(0.5);
	});
	it('binary: log loss of a sigmoid output', () => {
		const set = { x: new Float32Array(0), y: Float32Array.from([1, 0]), rows: 2, width: 0 };
		const e = evaluation(set, Float32Array.from([0.8, 0.4]), 'binary');
		expect(e.loss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 6);
		expect(e.accuracy).toBe(1);
	});
	it('regression: mean squared error, no accuracy', () => {
		const set = { x: new Float32Array(0), y: Float32Array.from([1, -1]), rows: 2, width: 0 };
		expect(evaluation(set, Float32Array.from([0.5, 0]), 'regression')).toEqual({
			loss: (0.25 + 1) / 2,
			accuracy: null
		});
	});
});
