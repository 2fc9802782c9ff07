import { describe, expect, it } from 'vitest';
import * as Plot from '@observablehq/plot';
import { parallelLayout } from '$lib/components/parallel-layout';
import { parallelOptions } from '$lib/components/parallel-spec';
import type { SweepChart } from '$lib/components/sweep-chart';

const chart: SweepChart = {
	params: ['learningRate'],
	metrics: ['val_loss'],
	objective: 'val_loss',
	bestId: 'b',
	trials: [
		{ id: 'a', label: 'trial 1', status: 'finished', values: { learningRate: '0.1', val_loss: 0.5 } },
		{ id: 'b', label: 'trial 2', status: 'finished', values: { learningRate: '0.01', val_loss: 0.2 } },
		{ id: 'c', label: 'trial 3', status: 'failed', values: { learningRate: '0.001' } }
	]
};

/** The drawn rows of the mark a group is described as, keyed by the trial each vertex belongs to. */
function markRows(description: string) {
	const options = parallelOptions(Plot, { chart, layout: parallelLayout(chart), width: 600, height: 240 });
	const mark = (options.marks ?? []).find(
		(m) => (m as unknown as { ariaDescription?: string }).ariaDescription === description
	) as unknown as { data: { id: string; y: number | null; title: string }[] } | undefined;
	return mark?.data ?? [];
}

describe('the parallel-coordinates marks', () => {
	it('the best trial is drawn on its own, once per axis, with a tooltip naming it', () => {
		const best = markRows('best trial');
		expect(best.map((v) => v.id)).toEqual(['b', 'b']);
		expect(best[0].title).toBe('trial 2 · run b ★ best\nlearningRate: 0.01\nval_loss: 0.2');
	});

	it('the other scored trials are coloured lines; a trial without the objective is a separate, dashed one', () => {
		expect(markRows('trials').map((v) => v.id)).toEqual(['a', 'a']);
		const unscored = markRows('trials without val_loss');
		expect(unscored.map((v) => v.id)).toEqual(['c', 'c']);
		expect(unscored[1].y).toBeNull();
		expect(unscored[0].title).toContain('(failed)');
		expect(unscored[0].title).toContain('val_loss: —');
	});

	it('every axis has a name and its ticks', () => {
		expect(markRows('axis labels').map((r) => (r as unknown as { key: string }).key)).toEqual([
			'learningRate',
			'val_loss'
		]);
		expect(markRows('axis ticks').length).toBeGreaterThanOrEqual(2 + 5);
	});
});
