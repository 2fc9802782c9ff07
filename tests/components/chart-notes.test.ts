import { describe, expect, it } from 'vitest';
import { chartNotes } from '../../src/lib/components/chart-notes';
import type { ChartData } from '../../src/lib/data/types';
import type { ChartSpec } from '../../src/lib/notebook/schema';

const spec: ChartSpec = { source: 't', mark: 'bar', x: 'origin', y: 'distance', color: '', facet: '' };
const data = (d: Partial<ChartData>): ChartData => ({
	shape: 'groups',
	columns: {},
	rowCount: 0,
	sampled: false,
	totalRows: 3_000_000,
	unplaced: 0,
	temporal: [],
	domains: {},
	folded: {},
	y: 'sum',
	binWidth: null,
	...d
});

describe('chart notes', () => {
	it('says a total covers every row', () => {
		expect(chartNotes(spec, data({}))).toEqual(['distance summed over all 3,000,000 rows.']);
	});
	it('counts rows with no x on a continuous axis', () => {
		expect(
			chartNotes({ ...spec, mark: 'histogram' }, data({ shape: 'bins', y: 'count', unplaced: 1 }))
		).toEqual([
			'Counted over all 3,000,000 rows.',
			'1 row has no origin and cannot be placed on the x axis.'
		]);
	});
	it('says plainly that points are a sample', () => {
		const notes = chartNotes(
			{ ...spec, mark: 'point' },
			data({ shape: 'rows', sampled: true, rowCount: 50_000 })
		);
		expect(notes[0]).toMatch(/^Points are a random sample: 50,000 of 3,000,000 rows are drawn/);
	});
	it('names folded categories and time bins', () => {
		const notes = chartNotes(
			spec,
			data({ y: 'value', folded: { x: { kept: 40, of: 229 } }, binWidth: 7_200_000, temporal: ['x'] })
		);
		expect(notes).toEqual([
			'origin has 229 values: the 40 largest are drawn and the other 189 are added up as "Other (189 more)".',
			'origin has too many values to draw one by one: they are summed in bins of 2 hours.'
		]);
	});
});
