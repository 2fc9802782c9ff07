import type * as PlotNs from '@observablehq/plot';
import { fmtValue, type AxisValue, type ParallelLayout } from './parallel-layout';
import type { SweepChart } from './sweep-chart';

type Plot = typeof PlotNs;

/** One vertex of a trial's polyline: the axis it sits on (`a`, an index) and its height there. */
interface Vertex {
	id: string;
	label: string;
	a: number;
	y: number | null;
	objective: number | null;
	title: string;
}

const show = (v: AxisValue) => (typeof v === 'number' ? fmtValue(v) : v ? v : '—');

/** A trial's tooltip: which trial, which run, and every value the chart places it by. */
function titleOf(chart: SweepChart, i: number, best: boolean, status: string): string {
	const t = chart.trials[i];
	const head = `${t.label} · run ${t.id.slice(0, 10)}${best ? ' ★ best' : ''}${status === 'finished' ? '' : ` (${status})`}`;
	const keys = [...chart.params, ...chart.metrics];
	return [head, ...keys.map((k) => `${k}: ${show(t.values[k])}`)].join('\n');
}

/** About the width of one character of the axis names (11px bold) and ticks (10px), for the margins. */
const LABEL_CHAR = 7;
const TICK_CHAR = 6;

/** Room for the first axis's centred name on the left, and the last axis's name and tick texts on the right. */
function margins(layout: ParallelLayout): { left: number; right: number } {
	const first = layout.axes[0];
	const last = layout.axes.at(-1);
	const half = (key = '') => Math.ceil((key.length * LABEL_CHAR) / 2) + 6;
	const ticks = Math.max(0, ...(last?.ticks ?? []).map((t) => t.text.length)) * TICK_CHAR + 14;
	return { left: Math.max(24, half(first?.key)), right: Math.max(40, half(last?.key), ticks) };
}

/**
 * Observable Plot options for the parallel-coordinates chart: one vertical rule per axis with its ticks and name,
 * one polyline per trial coloured by the objective (lower is better: blue), the best trial drawn last and thick,
 * trials without the objective dashed grey. Each polyline's `aria-label` names its trial; each group's
 * `aria-description` says which kind of line it holds, so a test (or a screen reader) can tell them apart.
 */
export function parallelOptions(
	Plot: Plot,
	o: { chart: SweepChart; layout: ParallelLayout; width: number; height: number }
): PlotNs.PlotOptions {
	const { chart, layout } = o;
	const n = layout.axes.length;
	const vertices: Vertex[][] = layout.lines.map((l, i) => {
		const title = titleOf(chart, i, l.best, l.status);
		return l.ys.map((y, a) => ({ id: l.id, label: l.label, a, y, objective: l.objective, title }));
	});
	const plain = vertices.filter((_, i) => !layout.lines[i].best && layout.lines[i].objective !== null).flat();
	const unscored = vertices
		.filter((_, i) => !layout.lines[i].best && layout.lines[i].objective === null)
		.flat();
	const best = vertices.filter((_, i) => layout.lines[i].best).flat();
	const scored = layout.lines.some((l) => l.objective !== null);
	const axes = layout.axes.map((axis, a) => ({ a, y: 1, key: axis.key }));
	const ticks = layout.axes.flatMap((axis, a) => axis.ticks.map((t) => ({ a, ...t })));
	const { left, right } = margins(layout);
	const plotWidth = o.width - left - right;
	// Tick marks are 8px wide whatever the number of axes: half of that in axis units.
	const half = 4 / (plotWidth / Math.max(n - 1, 1));
	const line = { x: 'a', y: 'y', z: 'id', ariaLabel: (d: Vertex) => d.label, title: (d: Vertex) => d.title };
	return {
		width: o.width,
		height: o.height,
		marginTop: 34,
		marginBottom: 14,
		marginLeft: left,
		marginRight: right,
		x: { domain: n > 1 ? [0, n - 1] : [-0.5, 0.5], axis: null },
		y: { domain: [0, 1], axis: null },
		color: scored
			? {
					type: 'linear',
					// Two ends with no pale middle: every line stays visible on white, blue the best.
					range: ['#1f4fd1', '#e8590c'],
					interpolate: 'hcl',
					legend: true,
					label: `${chart.objective} (lower is better)`
				}
			: undefined,
		marks: [
			Plot.ruleX(axes, { x: 'a', y1: 0, y2: 1, stroke: '#8a8a8a', ariaDescription: 'axes' }),
			Plot.line(unscored, {
				...line,
				stroke: '#9a9a9a',
				strokeWidth: 1.5,
				strokeDasharray: '4,3',
				ariaDescription: `trials without ${chart.objective}`
			}),
			Plot.line(plain, {
				...line,
				stroke: 'objective',
				strokeWidth: 1.8,
				strokeOpacity: 0.9,
				ariaDescription: 'trials'
			}),
			Plot.line(best, {
				...line,
				stroke: best.some((v) => v.objective !== null) ? 'objective' : '#111',
				strokeWidth: 4.5,
				ariaDescription: 'best trial'
			}),
			Plot.dot(
				vertices.flat().filter((v) => v.y !== null),
				{ x: 'a', y: 'y', r: 3, fill: '#333', title: 'title', ariaDescription: 'trial values' }
			),
			Plot.ruleY(ticks, {
				y: 'y',
				x1: (d: { a: number }) => d.a - half,
				x2: (d: { a: number }) => d.a + half,
				stroke: '#8a8a8a'
			}),
			Plot.text(ticks, {
				x: 'a',
				y: 'y',
				text: 'text',
				dx: 7,
				textAnchor: 'start',
				fontSize: 10,
				fill: '#555',
				// A white halo keeps a tick readable where a trial's line crosses it.
				stroke: 'white',
				strokeWidth: 3,
				paintOrder: 'stroke',
				ariaDescription: 'axis ticks'
			}),
			Plot.text(axes, {
				x: 'a',
				y: 'y',
				text: 'key',
				dy: -18,
				fontSize: 11,
				fontWeight: 600,
				ariaDescription: 'axis labels'
			})
		]
	} as PlotNs.PlotOptions;
}
