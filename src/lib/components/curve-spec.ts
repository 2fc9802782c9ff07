import type * as PlotNs from '@observablehq/plot';
import type { ChartLayout } from './plot-spec';

type Plot = typeof PlotNs;

/** One named curve (a run, a split, a class) and its colour. */
export interface Series {
	name: string;
	color: string;
	points: { x: number; y: number }[];
}

export interface CurveAxes {
	width: number;
	height: number;
	x: string;
	y: string;
	/** Loss falls over orders of magnitude: a log scale keeps its late epochs readable. */
	log: boolean;
}

export const CURVE_LAYOUT: ChartLayout = {
	marginLeft: 48,
	marginRight: 16,
	marginBottom: 32,
	rotateX: false,
	xEvery: 1
};

const fmt = (v: number) => v.toLocaleString('en-US', { maximumSignificantDigits: 4 });

/** Whether a log y scale can draw every point: it cannot draw zero or a negative value, so then it is linear. */
export function canLog(series: Series[]): boolean {
	const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
	return ys.length > 0 && ys.every((y) => y > 0);
}

/** Observable Plot options for curves: axes with ticks and labels, a legend naming each curve, tooltips. */
export function curveOptions(
	Plot: Plot,
	series: Series[],
	axes: CurveAxes,
	layout: ChartLayout = CURVE_LAYOUT
): PlotNs.PlotOptions {
	const rows = series.flatMap((s) =>
		s.points
			.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
			.map((p) => ({ name: s.name, x: p.x, y: p.y }))
	);
	const log = axes.log && canLog(series);
	return {
		width: axes.width,
		height: axes.height + (layout.marginBottom - CURVE_LAYOUT.marginBottom),
		marginLeft: layout.marginLeft,
		marginRight: layout.marginRight,
		marginBottom: layout.marginBottom,
		grid: true,
		x: { label: axes.x || null },
		y: { label: axes.y || null, type: log ? 'log' : 'linear' },
		color: { domain: series.map((s) => s.name), range: series.map((s) => s.color), legend: true },
		marks: [
			Plot.lineY(rows, { x: 'x', y: 'y', stroke: 'name', z: 'name', strokeWidth: 1.8 }),
			Plot.dot(rows, {
				x: 'x',
				y: 'y',
				fill: 'name',
				r: 2.5,
				title: (d: (typeof rows)[number]) => `${d.name}\n${axes.x || 'x'} ${fmt(d.x)}: ${fmt(d.y)}`
			})
		]
	} as PlotNs.PlotOptions;
}
