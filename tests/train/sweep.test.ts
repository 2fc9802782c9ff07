import { describe, expect, it } from 'vitest';
import { trainConfig } from '$lib/notebook/schema';
import { expandSweep } from '$lib/train/sweep';
import { modelSpec, parseImage, parseLayers, runParams } from '$lib/train/model-spec';

const base = (sweep: object) => trainConfig.parse({ source: 't', target: 'y', sweep });

describe('expandSweep', () => {
	it('off is the one configuration', () => {
		expect(expandSweep(base({ mode: 'off' }))).toHaveLength(1);
	});

	it('a grid is the full product, each trial a valid configuration with the sweep turned off', () => {
		const trials = expandSweep(
			base({ mode: 'grid', space: '{"learningRate": [0.1, 0.01], "layers": ["8", "16,8", "4"]}' })
		);
		expect(trials).toHaveLength(6);
		expect(trials.map((t) => [t.learningRate, t.layers])).toContainEqual([0.01, '16,8']);
		expect(trials.every((t) => t.sweep.mode === 'off')).toBe(true);
	});

	it('a random search draws the same trials for the same seed', () => {
		const cfg = base({
			mode: 'random',
			trials: 5,
			space: '{"learningRate": {"min": 0.0001, "max": 0.1, "log": true}, "dropout": [0, 0.2]}'
		});
		const a = expandSweep(cfg);
		expect(a).toHaveLength(5);
		expect(expandSweep(cfg)).toEqual(a);
		for (const t of a) expect(t.learningRate).toBeGreaterThanOrEqual(0.0001);
	});

	it.each([
		{ what: 'not JSON', space: '{learningRate: [1]}', message: /not valid JSON/ },
		{ what: 'an unknown setting', space: '{"colour": [1]}', message: /cannot vary "colour"/ },
		{ what: 'an empty list', space: '{"dropout": []}', message: /non-empty list/ },
		{ what: 'a range in a grid', space: '{"dropout": {"min": 0, "max": 0.5}}', message: /grid needs a list/ },
		{ what: 'a value out of bounds', space: '{"dropout": [0.95]}', message: /Trial 1 .*dropout/ },
		{ what: 'an empty space', space: '{}', message: /empty/ }
	])('refuses $what, naming it', ({ space, message }) => {
		expect(() => expandSweep(base({ mode: 'grid', space }))).toThrow(message);
	});
});

describe('model settings', () => {
	it.each([
		['64,32', [64, 32]],
		[' 8 ', [8]],
		['', []]
	])('parseLayers(%j)', (text, out) => expect(parseLayers(text)).toEqual(out));

	it.each(['0', '1.5', 'abc', '5000'])('parseLayers refuses %j', (text) =>
		expect(() => parseLayers(text)).toThrow(/whole number/)
	);

	it('parses image shapes and refuses bad ones', () => {
		expect(parseImage('28x28x1')).toEqual({ height: 28, width: 28, channels: 1 });
		expect(parseImage('8 × 8')).toEqual({ height: 8, width: 8, channels: 1 });
		expect(() => parseImage('28 by 28')).toThrow(/height x width/);
	});

	it('an MLP spec carries units and activation; params are flat strings', () => {
		const c = trainConfig.parse({ source: 't', target: 'y', layers: '16,8', activation: 'tanh' });
		expect(modelSpec(c)).toEqual({
			kind: 'mlp',
			layers: [
				{ units: 16, activation: 'tanh' },
				{ units: 8, activation: 'tanh' }
			],
			dropout: 0
		});
		const p = runParams(c, 'binary', ['a', 'b']);
		expect(Object.values(p).every((v) => typeof v === 'string')).toBe(true);
		expect(p).toMatchObject({ features: 'a,b', layers: '16,8', learning_rate: '0.01' });
	});

	it('params record the split: its strategy and column, or the test table instead of a test fraction', () => {
		const time = runParams(trainConfig.parse({ split: 'time', splitColumn: 'ts', test: 0.2 }), 'binary', [
			'a'
		]);
		expect(time).toMatchObject({ split: 'time', split_column: 'ts', test_fraction: '0.2' });
		expect(time).not.toHaveProperty('test_table');
		const table = runParams(trainConfig.parse({ split: 'table', testTable: 'later' }), 'binary', ['a']);
		expect(table).toMatchObject({ split: 'table', test_table: 'later' });
		expect(table).not.toHaveProperty('test_fraction');
		expect(table).not.toHaveProperty('split_column');
		expect(runParams(trainConfig.parse({}), 'binary', ['a'])).toMatchObject({ split: 'random' });
	});
});
