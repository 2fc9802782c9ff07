import { describe, expect, it } from 'vitest';
import { trainConfig } from '../../../src/lib/notebook/schema';
import { splitSets } from '../../../src/lib/train/engine/split-sets';
import { decodeRegression } from '../../../src/lib/ml/preprocess';
import type { Encoded } from '../../../src/lib/ml/types';
import { cat, frame, num, times } from '../../ml/frame';

// Times 0…999 in a scrambled row order; the target is the time itself, so each encoded set says which rows it holds.
const t = times(1000, (i) => (i * 7919) % 1000);
const source = frame(
	num('t', t),
	num(
		'x',
		times(1000, (i) => i % 7)
	),
	cat(
		'g',
		times(1000, (i) => `g${i % 10}`)
	),
	num('y', t)
);

function targets(prep: Parameters<typeof decodeRegression>[0], set: Encoded): number[] {
	return [...decodeRegression(prep, set.y)].map((v) => Math.round(v) + 0).sort((a, b) => a - b);
}
const span = (v: number[]) => [v[0], v.at(-1)];

describe('splitSets: the sets the worker trains and early-stops on follow the strategy', () => {
	it('a time split validates on the times right after training, and tests on the latest', () => {
		const r = splitSets({
			config: trainConfig.parse({ target: 'y', split: 'time', splitColumn: 't' }),
			frame: source,
			test: undefined,
			features: ['x'],
			task: 'regression',
			stratify: undefined
		});
		if (!r.ok) throw new Error(r.message);
		expect(span(targets(r.prep, r.sets.train))).toEqual([0, 699]);
		expect(span(targets(r.prep, r.sets.validation))).toEqual([700, 849]);
		expect(span(targets(r.prep, r.sets.test))).toEqual([850, 999]);
		expect(r.sets.validation.rows).toBe(150);
		// Preprocessing is fit on the training rows only: the target mean is that of 0…699.
		expect(r.prep.target).toMatchObject({ mean: 349.5 });
	});

	it('a random split (the default) does not: its validation rows come from all over the timeline', () => {
		const r = splitSets({
			config: trainConfig.parse({ target: 'y' }),
			frame: source,
			test: undefined,
			features: ['x'],
			task: 'regression',
			stratify: undefined
		});
		if (!r.ok) throw new Error(r.message);
		const v = targets(r.prep, r.sets.validation);
		expect(v[0]).toBeLessThan(100);
		expect(v.at(-1)).toBeGreaterThan(900);
	});

	it('a table split encodes the named table as the test set with the source-fit preprocessing', () => {
		const later = frame(
			num('t', [5000, 5001]),
			num('x', [1, 2]),
			cat('g', ['g0', 'g1']),
			num('y', [5000, 5001])
		);
		const r = splitSets({
			config: trainConfig.parse({ target: 'y', split: 'table', testTable: 'later', validation: 0.2 }),
			frame: source,
			test: later,
			features: ['x'],
			task: 'regression',
			stratify: undefined
		});
		if (!r.ok) throw new Error(r.message);
		expect([r.sets.train.rows, r.sets.validation.rows, r.sets.test.rows]).toEqual([800, 200, 2]);
		expect(targets(r.prep, r.sets.test)).toEqual([5000, 5001]);
	});

	it('a bad split is a value with its code, not a throw', () => {
		const r = splitSets({
			config: trainConfig.parse({ target: 'y', split: 'group', splitColumn: 'nope' }),
			frame: source,
			test: undefined,
			features: ['x'],
			task: 'regression',
			stratify: undefined
		});
		expect(r).toMatchObject({ ok: false, code: 'split-column-missing' });
	});
});
