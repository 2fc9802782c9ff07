/**
 * The pure geometry of a parallel-coordinates chart: every axis normalised to [0, 1] (0 at the bottom), with
 * its ticks, and each trial as one list of heights, one per axis. Drawing is parallel-spec.ts's job.
 */

/** A value as a trial recorded it: a param's text ("0.01", "64,32", "adam") or a metric's number. */
export type AxisValue = string | number | null | undefined;

/** linear / log: numbers; point: categories in the order they first appear; constant: one value, mid-height. */
export type AxisScale = 'linear' | 'log' | 'point' | 'constant';

export interface AxisTick {
	y: number;
	text: string;
}

export interface Axis {
	key: string;
	kind: 'param' | 'metric';
	scale: AxisScale;
	ticks: AxisTick[];
}

export interface ChartTrial {
	id: string;
	label: string;
	/** finished, failed, cancelled, interrupted, running: anything but finished is said on the chart. */
	status: string;
	values: Record<string, AxisValue>;
}

export interface Line {
	id: string;
	label: string;
	status: string;
	best: boolean;
	/** One height per axis, in the axes' order; null where the trial has no value for that axis. */
	ys: (number | null)[];
	/** The objective's raw value, which colours the line; null when the trial has none. */
	objective: number | null;
}

export interface ParallelLayout {
	axes: Axis[];
	lines: Line[];
}

/** Values spanning at least this factor are drawn on a log axis, so a 1e-4…1e-1 learning rate is not one dot. */
export const LOG_SPAN = 10;

/** Nothing recorded: no value, an empty text, or a number that is not one (a diverged loss). */
const present = (v: AxisValue): v is string | number =>
	typeof v === 'number' ? Number.isFinite(v) : v !== null && v !== undefined && v !== '';

function asNumber(v: string | number): number {
	return typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v);
}

export const fmtValue = (v: number): string => String(Number(v.toPrecision(3)));

/** One axis: its scale, its ticks and the height of each value (null for a missing one). */
export function normaliseAxis(values: readonly AxisValue[]): {
	scale: AxisScale;
	ticks: AxisTick[];
	ys: (number | null)[];
} {
	const given = values.filter(present);
	if (given.length === 0) return { scale: 'constant', ticks: [], ys: values.map(() => null) };
	const numeric = given.every((v) => Number.isFinite(asNumber(v)));
	if (!numeric) return pointAxis(values);
	const nums = given.map(asNumber);
	const min = Math.min(...nums);
	const max = Math.max(...nums);
	const y = (v: AxisValue) => (present(v) && Number.isFinite(asNumber(v)) ? asNumber(v) : null);
	if (min === max) {
		return {
			scale: 'constant',
			ticks: [{ y: 0.5, text: fmtValue(min) }],
			ys: values.map((v) => (y(v) === null ? null : 0.5))
		};
	}
	if (min > 0 && max / min >= LOG_SPAN) {
		const lo = Math.log10(min);
		const span = Math.log10(max) - lo;
		const at = (v: number) => (Math.log10(v) - lo) / span;
		return {
			scale: 'log',
			ticks: logTicks(min, max, at),
			ys: values.map((v) => {
				const n = y(v);
				return n === null ? null : at(n);
			})
		};
	}
	const at = (v: number) => (v - min) / (max - min);
	return {
		scale: 'linear',
		ticks: [0, 1, 2, 3, 4].map((i) => ({ y: i / 4, text: fmtValue(min + ((max - min) * i) / 4) })),
		ys: values.map((v) => {
			const n = y(v);
			return n === null ? null : at(n);
		})
	};
}

/** The ends, and each power of ten between them that is not crowded against an end. */
function logTicks(min: number, max: number, at: (v: number) => number): AxisTick[] {
	const ticks: AxisTick[] = [{ y: 0, text: fmtValue(min) }];
	for (let p = Math.ceil(Math.log10(min)); p <= Math.floor(Math.log10(max)); p++) {
		const y = at(10 ** p);
		if (y > 0.08 && y < 0.92) ticks.push({ y, text: fmtValue(10 ** p) });
	}
	ticks.push({ y: 1, text: fmtValue(max) });
	return ticks;
}

/** Categories spread evenly in the order the trials first tried them (a grid's own order); one alone sits mid-height. */
function pointAxis(values: readonly AxisValue[]) {
	const domain = [...new Set(values.filter(present).map(String))];
	const at = (i: number) => (domain.length === 1 ? 0.5 : i / (domain.length - 1));
	return {
		scale: (domain.length === 1 ? 'constant' : 'point') as AxisScale,
		ticks: domain.map((text, i) => ({ y: at(i), text })),
		ys: values.map((v) => (present(v) ? at(domain.indexOf(String(v))) : null))
	};
}

/** Every trial on every axis: the params first, then the metrics, the objective among them. */
export function parallelLayout(o: {
	trials: readonly ChartTrial[];
	params: readonly string[];
	metrics: readonly string[];
	objective: string;
	bestId: string | null;
}): ParallelLayout {
	const keys = [
		...o.params.map((key) => ({ key, kind: 'param' as const })),
		...o.metrics.map((key) => ({ key, kind: 'metric' as const }))
	];
	const columns = keys.map(({ key, kind }) => ({
		key,
		kind,
		...normaliseAxis(o.trials.map((t) => t.values[key]))
	}));
	return {
		axes: columns.map(({ key, kind, scale, ticks }) => ({ key, kind, scale, ticks })),
		lines: o.trials.map((t, i) => {
			const raw = t.values[o.objective];
			const objective = present(raw) && Number.isFinite(asNumber(raw)) ? asNumber(raw) : null;
			return {
				id: t.id,
				label: t.label,
				status: t.status,
				best: t.id === o.bestId,
				ys: columns.map((c) => c.ys[i]),
				objective
			};
		})
	};
}

/**
 * What the chart cannot show as a line, in words: trials without a metric ("2 trials have no val_loss: trial 3,
 * trial 4") and trials that did not finish, so none is dropped silently.
 */
export function trialNotes(layout: ParallelLayout): string[] {
	const notes: string[] = [];
	layout.axes.forEach((axis, a) => {
		if (axis.kind !== 'metric') return;
		const without = layout.lines.filter((l) => l.ys[a] === null).map((l) => l.label);
		if (without.length === 0) return;
		const n = without.length;
		notes.push(`${n} trial${n === 1 ? ' has' : 's have'} no ${axis.key}: ${without.join(', ')}`);
	});
	for (const l of layout.lines) {
		if (l.status !== 'finished')
			notes.push(`${l.label} ${l.status === 'running' ? 'is still running' : l.status}`);
	}
	return notes;
}
