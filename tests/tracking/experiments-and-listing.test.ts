import { caught, clearDb, lineage, newRun } from './helpers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
	createExperiment,
	getOrCreateExperiment,
	listExperiments,
	listRuns,
	setNote,
	setTags,
	getRun,
	startRun
} from '$lib/tracking/runs';

beforeEach(clearDb);
afterEach(() => vi.useRealTimers());

describe('experiments are unique by name', () => {
	it('createExperiment refuses a taken name; getOrCreate returns the existing one', async () => {
		const a = await createExperiment('  penguins ');
		expect(a.name).toBe('penguins');
		expect((await caught(() => createExperiment('penguins'))).name).toBe('ExperimentExists');
		expect((await getOrCreateExperiment('penguins')).id).toBe(a.id);
	});

	it('two callers asking at once get one experiment', async () => {
		const [a, b] = await Promise.all([getOrCreateExperiment('cars'), getOrCreateExperiment('cars')]);
		expect(a.id).toBe(b.id);
		expect(await listExperiments()).toHaveLength(1);
	});

	const refused: [string, () => Promise<unknown>, string][] = [
		['a blank experiment name', () => createExperiment('   '), 'InvalidValue'],
		[
			'a run in an unknown experiment',
			() => startRun({ experimentId: 'exp_nope', name: 'r', params: {}, lineage }),
			'ExperimentNotFound'
		],
		['a run under an unknown parent', () => newRun({ parentId: 'run_nope' }), 'RunNotFound']
	];
	it.each(refused)('refuses %s', async (_, block, name) => {
		expect((await caught(block)).name).toBe(name);
	});
});

describe('listing runs', () => {
	it("lists one experiment's runs, newest first", async () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		for (const [t, name] of [
			[1000, 'first'],
			[3000, 'third'],
			[2000, 'second']
		] as const) {
			vi.setSystemTime(t);
			await newRun({ name });
		}
		const other = await getOrCreateExperiment('other');
		await startRun({ experimentId: other.id, name: 'elsewhere', params: {}, lineage });
		const penguins = await getOrCreateExperiment('penguins');
		expect((await listRuns({ experimentId: penguins.id })).map((r) => r.name)).toEqual([
			'third',
			'second',
			'first'
		]);
		expect(await listRuns()).toHaveLength(4);
	});

	it('tags are overwritable and removable; the note is free text', async () => {
		const run = await newRun({ tags: { stage: 'draft' } });
		await setTags(run.id, { stage: 'final', owner: 'me' });
		await setTags(run.id, { owner: null });
		await setNote(run.id, 'Best so far; try dropout next.');
		expect(await getRun(run.id)).toMatchObject({
			tags: { stage: 'final' },
			note: 'Best so far; try dropout next.'
		});
	});
});
