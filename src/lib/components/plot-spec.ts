import type * as PlotNs from '@observablehq/plot';
import type { ChartSpec } from '$lib/notebook/schema';
import type { ChartData, ChartRole } from '$lib/data/types';

type Plot = typeof PlotNs;

/** Room for tick labels, measured on the drawn chart (see chart-layout.ts) so no label is ever clipped. */
export interface ChartLayout {
	marginLeft: number;
	marginRight: number;
	marginBottom: number;
	/** Rotate x tick labels upright when they would overlap side by side. */
	rotateX: boolean;
	/** Label every n-th x category when even upright labels would overlap. */
	xEvery: number;
}

export const DEFAULT_LAYOUT: ChartLayout = {
	marginLeft: 56,
	marginRight: 20,
	marginBottom: 36,
	rotateX: false,
	xEvery: 1
};

function channel(data: ChartData, role: ChartRole): unknown[] | Float64Array | undefined {
	const col = data.columns[role];
	if (!col) return undefined;
	// Plot draws Dates on a time scale; the worker sends times as epoch ms to keep them transferable.
	if (data.temporal.includes(role) && col instanceof Float64Array)
		return Array.from(col, (v) => (Number.isNaN(v) ? null : new Date(v)));
	return col;
}

const fmt = (v: unknown) =>
	typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 6 }) : String(v);

/** Each mark's tooltip: what it stands for and its exact value, as summed or counted over every row. */
function titles(data: ChartData): string[] {
	const { x, x2, y, color, facet } = data.columns;
	const at = (role: ChartRole, v: unknown) =>
		data.temporal.includes(role) && typeof v === 'number' ? new Date(v).toISOString() : fmt(v);
	return Array.from({ length: data.rowCount }, (_, i) => {
		const where = x2 ? `${at('x', x?.[i])}–${at('x2', x2[i])}` : x?.[i];
		const parts = [facet?.[i], where, color?.[i]].filter((p) => p !== undefined && p !== null);
		return `${parts.map((p) => (typeof p === 'string' ? p : fmt(p))).join(' · ')}: ${fmt(y?.[i])}`;
	});
}

export function yLabel(spec: ChartSpec, data: ChartData): string {
	if (data.y === 'count') return 'count of rows';
	return data.y === 'sum' ? `sum of ${spec.y}` : spec.y;
}

/** Build Observable Plot options from a chart cell's spec and the data the worker made for it. */
export function plotOptions(
	Plot: Plot,
	spec: ChartSpec,
	data: ChartData,
	width: number,
	layout: ChartLayout = DEFAULT_LAYOUT
): PlotNs.PlotOptions {
	const index = Array.from({ length: data.rowCount }, (_, i) => i);
	const x = channel(data, 'x');
	const y = channel(data, 'y');
	const color = channel(data, 'color');
	const fx = channel(data, 'facet');
	// A line's or area's title would name one point for the whole series: only bars and bins carry values.
	const perMark =
		data.shape === 'bins' || (data.shape === 'groups' && spec.mark !== 'line' && spec.mark !== 'area');
	const title = perMark ? titles(data) : undefined;
	const common = { x, y, fx, title } as Record<string, unknown>;
	const xDomain = data.domains.x;
	let mark;
	if (data.shape === 'bins') {
		mark = Plot.rectY(index, {
			...common,
			x: undefined,
			x1: x,
			x2: channel(data, 'x2'),
			fill: color,
			inset: 0.5
		});
	} else if (spec.mark === 'line') {
		mark = Plot.lineY(index, { ...common, stroke: color, z: color, marker: data.rowCount <= 60 });
	} else if (spec.mark === 'area') {
		mark = Plot.areaY(index, { ...common, fill: color, z: color, fillOpacity: 0.7 });
	} else if (spec.mark === 'point') {
		mark = Plot.dot(index, { ...common, stroke: color, r: 2.5 });
	} else {
		// bar, and a histogram of categories: one bar per category (stacked by colour), summed in DuckDB.
		mark = Plot.barY(index, { ...common, fill: color });
	}
	const every = layout.xEvery;
	return {
		width,
		height: 320 + (layout.marginBottom - DEFAULT_LAYOUT.marginBottom),
		marginLeft: layout.marginLeft,
		marginRight: layout.marginRight,
		marginBottom: layout.marginBottom,
		grid: true,
		color: color
			? { legend: true, ...(data.domains.color ? { domain: data.domains.color, type: 'categorical' } : {}) }
			: undefined,
		x: {
			label: spec.x,
			...(xDomain ? { domain: xDomain } : {}),
			...(xDomain && every > 1 ? { ticks: xDomain.filter((_, i) => i % every === 0) } : {}),
			...(layout.rotateX ? { tickRotate: -90 } : {})
		},
		y: { label: yLabel(spec, data) },
		fx: fx ? { label: spec.facet, ...(data.domains.facet ? { domain: data.domains.facet } : {}) } : undefined,
		marks: [mark, Plot.ruleY([0])]
	} as PlotNs.PlotOptions;
}
