import { describe, expect, it } from 'vitest';
import { normaliseAxis, parallelLayout, trialNotes, type ChartTrial } from '$lib/components/parallel-layout';

describe('each axis is normalised to [0, 1], bottom to top', () => {
	it('a linear axis keeps the values in order, min at the bottom and max at the top', () => {
		const a = normaliseAxis(['0.05', '0.01', '0.03']);
		expect(a.scale).toBe('linear');
		expect(a.ys.map((y) => Number(y!.toFixed(12)))).toEqual([1, 0, 0.5]);
		expect(a.ticks.map((t) => t.text)).toEqual(['0.01', '0.02', '0.03', '0.04', '0.05']);
		expect(a.ticks.map((t) => t.y)).toEqual([0, 0.25, 0.5, 0.75, 1]);
	});

	it('values spanning 10× or more go on a log axis: 0.001, 0.01, 0.1 are evenly spaced', () => {
		const a = normaliseAxis([0.1, 0.001, 0.01]);
		expect(a.scale).toBe('log');
		expect(a.ys[0]).toBeCloseTo(1, 12);
		expect(a.ys[1]).toBeCloseTo(0, 12);
		expect(a.ys[2]).toBeCloseTo(0.5, 12);
		expect(a.ticks.map((t) => t.text)).toEqual(['0.001', '0.01', '0.1']);
	});

	it('a span just under 10× stays linear', () => {
		expect(normaliseAxis([1, 9.9]).scale).toBe('linear');
		expect(normaliseAxis([1, 10]).scale).toBe('log');
	});

	it('a log axis cannot hold zero or a negative value, so such values stay linear', () => {
		const a = normaliseAxis([0, 100]);
		expect(a.scale).toBe('linear');
		expect(a.ys).toEqual([0, 1]);
	});

	it('categories are ordinal points in the order the trials first tried them', () => {
		const a = normaliseAxis(['64,32', '32', 'adam', '32']);
		expect(a.scale).toBe('point');
		expect(a.ys).toEqual([0, 0.5, 1, 0.5]);
		expect(a.ticks).toEqual([
			{ y: 0, text: '64,32' },
			{ y: 0.5, text: '32' },
			{ y: 1, text: 'adam' }
		]);
	});

	it('one number for every trial sits mid-height with one tick', () => {
		const a = normaliseAxis(['8', '8', 8]);
		expect(a.scale).toBe('constant');
		expect(a.ys).toEqual([0.5, 0.5, 0.5]);
		expect(a.ticks).toEqual([{ y: 0.5, text: '8' }]);
	});

	it('one category for every trial sits mid-height too', () => {
		expect(normaliseAxis(['relu', 'relu']).ys).toEqual([0.5, 0.5]);
	});

	it('a missing value has no height; the others are placed as if it were not there', () => {
		const a = normaliseAxis([0.2, undefined, 0.4, null, '', NaN]);
		expect(a.ys).toEqual([0, null, 1, null, null, null]);
	});

	it('an axis no trial has a value for has no ticks and no heights', () => {
		expect(normaliseAxis([undefined, undefined])).toEqual({ scale: 'constant', ticks: [], ys: [null, null] });
	});
});

const trial = (id: string, values: ChartTrial['values'], status = 'finished'): ChartTrial => ({
	id,
	label: `trial ${id}`,
	status,
	values
});

describe('the chart layout: params first, then metrics, one line per trial', () => {
	const trials = [
		trial('1', { learningRate: '0.1', layers: '8', val_loss: 0.3 }),
		trial('2', { learningRate: '0.001', layers: '8', val_loss: 0.9 }),
		trial('3', { learningRate: '0.01', layers: '8' }, 'failed')
	];
	const layout = parallelLayout({
		trials,
		params: ['learningRate', 'layers'],
		metrics: ['val_loss'],
		objective: 'val_loss',
		bestId: '1'
	});

	it('has one axis per swept key and metric, each with its scale', () => {
		expect(layout.axes.map((a) => [a.key, a.kind, a.scale])).toEqual([
			['learningRate', 'param', 'log'],
			['layers', 'param', 'constant'],
			['val_loss', 'metric', 'linear']
		]);
	});

	it('has one line per trial, with its heights, its objective and the best marked', () => {
		expect(layout.lines.map((l) => l.id)).toEqual(['1', '2', '3']);
		expect(layout.lines.map((l) => l.best)).toEqual([true, false, false]);
		expect(layout.lines.map((l) => l.objective)).toEqual([0.3, 0.9, null]);
		expect(layout.lines[0].ys.map((y) => y && Number(y.toFixed(6)))).toEqual([1, 0.5, 0]);
		expect(layout.lines[1].ys).toEqual([0, 0.5, 1]);
		expect(layout.lines[2].ys[0]).toBeCloseTo(0.5, 12);
		expect(layout.lines[2].ys[2]).toBeNull();
	});

	it('says which trials have no metric and which did not finish', () => {
		expect(trialNotes(layout)).toEqual(['1 trial has no val_loss: trial 3', 'trial 3 failed']);
		const two = parallelLayout({
			trials: [trial('a', {}), trial('b', {}, 'running')],
			params: [],
			metrics: ['val_loss'],
			objective: 'val_loss',
			bestId: null
		});
		expect(trialNotes(two)).toEqual([
			'2 trials have no val_loss: trial a, trial b',
			'trial b is still running'
		]);
	});
});
