import type * as PlotNs from '@observablehq/plot';
import type { ChartSpec } from '$lib/notebook/schema';
import type { ChartData } from '$lib/data/types';

type Plot = typeof PlotNs;

function channel(data: ChartData, name: string): unknown[] | Float64Array | undefined {
	if (!name) return undefined;
	const col = data.columns[name];
	if (!col) return undefined;
	// Plot draws Dates on a time scale; the worker sends times as epoch ms to keep them transferable.
	if (data.temporal.includes(name) && col instanceof Float64Array)
		return Array.from(col, (v) => (Number.isNaN(v) ? null : new Date(v)));
	return col;
}

/** Build Observable Plot options from a chart cell's spec and its column-major data. */
export function plotOptions(Plot: Plot, spec: ChartSpec, data: ChartData, width: number): PlotNs.PlotOptions {
	const index = Array.from({ length: data.rowCount }, (_, i) => i);
	const x = channel(data, spec.x);
	const y = channel(data, spec.y);
	const color = channel(data, spec.color);
	const fx = channel(data, spec.facet);
	const common = { x, fx } as Record<string, unknown>;
	let mark;
	switch (spec.mark) {
		case 'bar':
			// Rows with the same x add up, so a bar chart of raw rows means "total per category".
			mark = Plot.barY(index, Plot.groupX({ y: 'sum' }, { ...common, y, fill: color }));
			break;
		case 'line':
			mark = Plot.lineY(index, { ...common, y, stroke: color, sort: x ? { channel: 'x' } : undefined });
			break;
		case 'area':
			mark = Plot.areaY(index, {
				...common,
				y,
				fill: color,
				fillOpacity: 0.7,
				sort: x ? { channel: 'x' } : undefined
			});
			break;
		case 'point':
			mark = Plot.dot(index, { ...common, y, stroke: color, r: 2.5 });
			break;
		case 'histogram':
			mark = Plot.rectY(index, Plot.binX({ y: 'count' }, { ...common, fill: color } as never));
			break;
	}
	return {
		width,
		height: 320,
		marginLeft: 56,
		grid: true,
		color: color ? { legend: true } : undefined,
		x: { label: spec.x },
		y: { label: spec.mark === 'histogram' ? 'count' : spec.y },
		fx: fx ? { label: spec.facet } : undefined,
		marks: [mark, Plot.ruleY([0])]
	} as PlotNs.PlotOptions;
}
