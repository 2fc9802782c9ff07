import type { Notebook } from '$lib/notebook/schema';
import type { DatasetMeta } from '$lib/data/types';
import type { ColumnData } from '../ml/types';

/** A table's shape without its rows: a Frame, or the handle the train worker gives for one. */
export interface FrameShape {
	rowCount: number;
	columns: Pick<ColumnData, 'name' | 'kind'>[];
}
import type { Lineage } from '$lib/tracking/runs';
import { graphNodes, resultTable } from '$lib/notebook/cells';
import { upstream } from '$lib/notebook/graph';

/**
 * What a run was trained on, enough to reproduce it: the query that made the table (the SQL of the cells
 * leading to it, in run order), the datasets under it with their hashes, and the rows and schema it saw.
 */
export function dataFingerprint(
	nb: Notebook,
	datasets: DatasetMeta[],
	source: string,
	frame: FrameShape
): Lineage['dataFingerprint'] {
	const nodes = graphNodes(nb);
	const definer = nb.cells.find((c) => resultTable(c)?.toLowerCase() === source.toLowerCase());
	const chain = definer ? [...upstream(nodes, definer.id), definer.id] : [];
	const queries = chain.flatMap((id) => {
		const c = nb.cells.find((x) => x.id === id);
		return c?.kind === 'sql' ? [`-- ${resultTable(c)}\n${c.source.trim()}`] : [];
	});
	const used = new Set(
		[source, ...chain.flatMap((id) => nodes.find((n) => n.id === id)?.uses ?? [])].map((n) => n.toLowerCase())
	);
	const sources = datasets
		.filter((d) => used.has(d.name.toLowerCase()))
		.map((d) => ({ name: d.name, sha256: d.fingerprint.sha256 }));
	return {
		query: queries.length ? queries.join('\n\n') : `-- dataset\nSELECT * FROM ${source}`,
		sources,
		rowCount: frame.rowCount,
		schema: frame.columns.map((c) => ({ name: c.name, type: c.kind === 'numeric' ? 'DOUBLE' : 'VARCHAR' }))
	};
}

/** Why a re-run's data is not what the last run saw, in words; empty when it is the same. */
export function dataChanges(before: Lineage['dataFingerprint'], now: Lineage['dataFingerprint']): string[] {
	const out: string[] = [];
	if (before.query !== now.query) out.push('the query changed');
	if (before.rowCount !== now.rowCount)
		out.push(`the row count went from ${before.rowCount} to ${now.rowCount}`);
	for (const s of now.sources) {
		const old = before.sources.find((b) => b.name === s.name);
		if (!old) out.push(`dataset ${s.name} is new`);
		else if (old.sha256 !== s.sha256) out.push(`dataset ${s.name} has different bytes`);
	}
	for (const b of before.sources)
		if (!now.sources.some((s) => s.name === b.name)) out.push(`dataset ${b.name} is no longer used`);
	if (JSON.stringify(before.schema) !== JSON.stringify(now.schema)) out.push('the columns changed');
	return out;
}
