import type { ChartSpec } from '$lib/notebook/schema';
import type { ChartData } from '$lib/data/types';

const n = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 6 });

/** What the reader must know to trust the picture: what was summed or sampled, and what was folded or binned. */
export function chartNotes(spec: ChartSpec, data: ChartData): string[] {
	const notes: string[] = [];
	const rows = `${n(data.totalRows)} row${data.totalRows === 1 ? '' : 's'}`;
	if (data.shape === 'rows') {
		if (data.sampled)
			notes.push(
				`Points are a random sample: ${n(data.rowCount)} of ${rows} are drawn. Bar, line, area and histogram charts use every row.`
			);
	} else if (data.y === 'count') notes.push(`Counted over all ${rows}.`);
	else if (data.y === 'sum') notes.push(`${spec.y} summed over all ${rows}.`);
	if (data.unplaced > 0)
		notes.push(
			`${n(data.unplaced)} row${data.unplaced === 1 ? ' has' : 's have'} no ${spec.x} and cannot be placed on the x axis.`
		);
	const names = { x: spec.x, color: spec.color, facet: spec.facet };
	for (const role of ['x', 'color', 'facet'] as const) {
		const f = data.folded[role];
		if (!f) continue;
		const rest = f.of - f.kept;
		notes.push(
			`${names[role]} has ${n(f.of)} values: the ${n(f.kept)} largest are drawn and the other ${n(rest)} are added up as "Other (${n(rest)} more)".`
		);
	}
	if (data.binWidth !== null && data.shape === 'groups') {
		const width = data.temporal.includes('x') ? duration(data.binWidth) : n(data.binWidth);
		notes.push(`${spec.x} has too many values to draw one by one: they are summed in bins of ${width}.`);
	}
	return notes;
}

function duration(ms: number): string {
	const units: [string, number][] = [
		['day', 86_400_000],
		['hour', 3_600_000],
		['minute', 60_000],
		['second', 1000]
	];
	const [unit, size] = units.find(([, size]) => ms >= size) ?? ['millisecond', 1];
	const v = Number((ms / size).toPrecision(3));
	return `${n(v)} ${unit}${v === 1 ? '' : 's'}`;
}
