/**
 * Default run names. Training names a run after its model and target ("mlp → species"), so every run of a cell
 * would share one name and runs could not be told apart in the runs table or a comparison's legend. A name already
 * taken in the experiment gets the next free " #N" suffix: "mlp → species", "mlp → species #2", …
 */
export function uniqueRunName(wanted: string, taken: Iterable<string>): string {
	const names = new Set(taken);
	if (!names.has(wanted)) return wanted;
	let n = 2;
	while (names.has(`${wanted} #${n}`)) n++;
	return `${wanted} #${n}`;
}

/**
 * Labels for runs drawn side by side (legends, colour domains): each run gets its own label even when two share a
 * name (an imported copy keeps its name), so a chart never merges two runs into one series.
 */
export function distinctLabels(runs: readonly { id: string; name: string }[]): Map<string, string> {
	const seen = new Map<string, number>();
	for (const r of runs) seen.set(r.name, (seen.get(r.name) ?? 0) + 1);
	return new Map(
		runs.map((r) => [r.id, (seen.get(r.name) ?? 0) > 1 ? `${r.name} (${r.id.slice(-6)})` : r.name])
	);
}
