import { describe, expect, it } from 'vitest';
import { distinctLabels, uniqueRunName } from '$lib/tracking/run-names';
import { clearDb, newRun } from './helpers';

describe('default run names are unique per experiment', () => {
	it('a free name is kept; a taken one gets the next free #N', () => {
		expect(uniqueRunName('mlp → species', [])).toBe('mlp → species');
		expect(uniqueRunName('mlp → species', ['mlp → species'])).toBe('mlp → species #2');
		expect(uniqueRunName('mlp → species', ['mlp → species', 'mlp → species #2', 'mlp → species #4'])).toBe(
			'mlp → species #3'
		);
	});

	it('startRun names the second and third runs of one name #2 and #3', async () => {
		await clearDb();
		const names = [];
		for (let i = 0; i < 3; i++) names.push((await newRun({ name: 'mlp → species' })).name);
		expect(names).toEqual(['mlp → species', 'mlp → species #2', 'mlp → species #3']);
	});
});

describe('labels for runs drawn together', () => {
	it('are the names when distinct, and name plus id tail when two runs share a name', () => {
		const labels = distinctLabels([
			{ id: 'run_aaaaaa111111', name: 'mlp' },
			{ id: 'run_bbbbbb222222', name: 'mlp' },
			{ id: 'run_cccccc333333', name: 'linear' }
		]);
		expect([...labels.values()]).toEqual(['mlp (111111)', 'mlp (222222)', 'linear']);
	});
});
