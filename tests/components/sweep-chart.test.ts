import { describe, expect, it } from 'vitest';
import { chartFromOutput, chartFromRuns, paramName } from '$lib/components/sweep-chart';
import type { RunOutput } from '$lib/notebook/schema';
import type { Run } from '$lib/tracking/run-schema';

const output = (over: Partial<RunOutput> = {}): RunOutput => ({
	kind: 'run',
	runId: 'parent',
	status: 'finished',
	backend: 'cpu',
	summary: {},
	bestRunId: 'b',
	warnings: [],
	stop: '',
	split: '',
	backendNote: '',
	featureCount: 0,
	trials: [
		{ runId: 'a', params: { learningRate: '0.05' }, summary: { val_loss: 0.5, test_accuracy: 0.8 } },
		// Early stopping restored an earlier epoch: the sweep ranked it by that epoch's val_loss.
		{ runId: 'b', params: { learningRate: '0.01' }, summary: { val_loss: 0.6, best_val_loss: 0.2 } },
		{ runId: 'c', params: { learningRate: '0.001' }, summary: { test_accuracy: 0.5 } }
	],
	...over
});

describe('a train cell sweep output as a chart', () => {
	it('has the swept keys, the objective (the value the sweep ranked by) and the test accuracy', () => {
		const c = chartFromOutput(output());
		expect(c.params).toEqual(['learningRate']);
		expect(c.metrics).toEqual(['val_loss', 'test_accuracy']);
		expect(c.bestId).toBe('b');
		expect(c.trials.map((t) => t.values.val_loss)).toEqual([0.5, 0.2, undefined]);
		expect(c.trials.map((t) => t.label)).toEqual(['trial 1', 'trial 2', 'trial 3']);
		expect(c.trials.map((t) => t.status)).toEqual(['finished', 'finished', 'finished']);
	});

	it('a cancelled sweep says its last trial was cancelled', () => {
		expect(chartFromOutput(output({ status: 'cancelled' })).trials.map((t) => t.status)).toEqual([
			'finished',
			'finished',
			'cancelled'
		]);
	});

	it('a regression sweep shows the test MAE beside the objective', () => {
		const c = chartFromOutput(
			output({ trials: [{ runId: 'a', params: {}, summary: { val_loss: 1, test_mae: 2 } }] })
		);
		expect(c.metrics).toEqual(['val_loss', 'test_mae']);
	});
});

const run = (over: Partial<Run>): Run => ({
	id: 'r',
	experimentId: 'e',
	parentId: null,
	status: 'finished',
	name: 'run',
	startedAt: 0,
	endedAt: 1,
	notebookId: null,
	cellId: null,
	deletedAt: null,
	params: {},
	tags: {},
	note: '',
	lineage: {} as Run['lineage'],
	summary: {},
	summaryAt: {},
	heartbeatAt: 0,
	...over
});

describe("a sweep's parent and child runs as a chart", () => {
	it('reads each swept key from the run param it was recorded as, in the order the trials ran', () => {
		expect(paramName('learningRate')).toBe('learning_rate');
		expect(paramName('batchSize')).toBe('batch_size');
		const parent = run({
			id: 'p',
			params: { sweep_mode: 'grid', sweep_space: '{"learningRate": [0.1, 0.01], "layers": ["8"]}' },
			tags: { 'edgebook.best_run': 'c2' }
		});
		const children = [
			run({
				id: 'c2',
				parentId: 'p',
				startedAt: 20,
				params: { learning_rate: '0.01', layers: '8' },
				summary: { val_loss: 0.3 }
			}),
			run({ id: 'c3', parentId: 'p', startedAt: 30, status: 'failed', params: { learning_rate: '0.001' } }),
			run({
				id: 'c1',
				parentId: 'p',
				startedAt: 10,
				params: { learning_rate: '0.1', layers: '8' },
				summary: { val_loss: 0.7 }
			})
		];
		const c = chartFromRuns(parent, children);
		expect(c.params).toEqual(['learningRate', 'layers']);
		expect(c.metrics).toEqual(['val_loss']);
		expect(c.bestId).toBe('c2');
		expect(c.trials.map((t) => [t.id, t.label, t.status])).toEqual([
			['c1', 'trial 1', 'finished'],
			['c2', 'trial 2', 'finished'],
			['c3', 'trial 3', 'failed']
		]);
		expect(c.trials.map((t) => t.values.learningRate)).toEqual(['0.1', '0.01', '0.001']);
		expect(c.trials.map((t) => t.values.val_loss)).toEqual([0.7, 0.3, undefined]);
	});

	it('a damaged sweep space leaves out the param axes rather than failing the page', () => {
		const c = chartFromRuns(run({ params: { sweep_mode: 'grid', sweep_space: '{oops' } }), [
			run({ id: 'x' })
		]);
		expect(c.params).toEqual([]);
		expect(c.trials).toHaveLength(1);
	});
});
