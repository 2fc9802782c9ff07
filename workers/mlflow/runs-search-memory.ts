import { listRuns, type RunCursor, type RunRecord } from '../registry/read-runs';
import type { Lifecycle } from '../registry/read-experiments';
import { runOut } from './convert';
import { compareValues, matches, type Clause, type Entity, type OrderBy } from './filter';
import { latestMetricsOfRuns } from './runs-read';

/**
 * Run search in memory: every run of the experiments loaded, filtered by the matcher and sorted in JS. It is the
 * reference the SQL search (workers/registry/search-runs.ts) is tested against, and the path the search bench
 * compares it with (bench/search.mjs); the route uses it only when the SEARCH_IN_MEMORY var is "1".
 */

export type RunJson = ReturnType<typeof runOut>;

export function runField(r: RunJson, entity: Entity, key: string): string | number | undefined {
	if (entity === 'metric') {
		const v = r.data.metrics.find((x) => x.key === key)?.value;
		return typeof v === 'number'
			? v
			: v === 'Infinity'
				? Infinity
				: v === '-Infinity'
					? -Infinity
					: undefined;
	}
	if (entity === 'param') return r.data.params.find((x) => x.key === key)?.value;
	if (entity === 'tag') return r.data.tags.find((x) => x.key === key)?.value;
	return (r.info as Record<string, string | number | undefined>)[key];
}

export async function searchRunsInMemory(
	db: D1Database,
	workspaceId: string,
	o: { experimentIds: string[]; lifecycle: Lifecycle; clauses: Clause[]; order: OrderBy[] }
): Promise<RunJson[]> {
	const all: RunRecord[] = [];
	for (let after: RunCursor | null = null; ;) {
		const p = await listRuns(db, workspaceId, {
			experimentIds: o.experimentIds,
			lifecycle: o.lifecycle,
			limit: 50_000,
			after
		});
		all.push(...p.runs);
		if (!p.next) break;
		after = p.next;
	}
	const latest = await latestMetricsOfRuns(
		db,
		workspaceId,
		all.map((r) => r.id)
	);
	const rows = all.map((r) => runOut(r, latest.get(r.id) ?? []));
	const hits = rows.filter((r) => o.clauses.every((cl) => matches(cl, runField(r, cl.entity, cl.key))));
	const sorts = [...o.order, { entity: 'attribute' as const, key: 'start_time', desc: true }];
	return hits.sort((a, b) => {
		for (const s of sorts) {
			const r = compareValues(runField(a, s.entity, s.key), runField(b, s.entity, s.key), s.desc);
			if (r) return r;
		}
		return a.info.run_id < b.info.run_id ? -1 : 1;
	});
}
