import { describe, expect, it } from 'vitest';
import { chartReady, chartsToDraw } from '../../src/lib/notebook/chart-ready';
import type { Notebook } from '../../src/lib/notebook/schema';

const spec = { source: 'q1', mark: 'bar' as const, x: 'a', y: 'b', color: '', facet: '' };

describe('charts to draw when a notebook opens', () => {
	it('needs a source, x, and y unless the chart counts rows', () => {
		expect(chartReady(spec)).toBe(true);
		expect(chartReady({ ...spec, y: '' })).toBe(false);
		expect(chartReady({ ...spec, y: '', mark: 'histogram' })).toBe(true);
		expect(chartReady({ ...spec, source: '' })).toBe(false);
	});
	it('lists the ready chart cells, in order', () => {
		const nb = {
			cells: [
				{ id: 'c1', kind: 'sql', collapsed: false, source: 'SELECT 1', name: 'q1', output: null },
				{ id: 'c2', kind: 'chart', collapsed: false, spec, output: null },
				{ id: 'c3', kind: 'chart', collapsed: false, spec: { ...spec, x: '' }, output: null },
				{
					id: 'c4',
					kind: 'chart',
					collapsed: false,
					spec: { ...spec, mark: 'histogram', y: '' },
					output: null
				}
			]
		} as unknown as Notebook;
		expect(chartsToDraw(nb)).toEqual(['c2', 'c4']);
	});
});
