import { listExperiments, type Lifecycle } from '../registry/read-experiments';
import { experimentOut } from './convert';
import { compareValues, matches, type Clause, type OrderBy } from './filter';

/**
 * Experiment search in memory: the reference the SQL search (workers/registry/search-experiments.ts) is tested
 * against. `tagsOf` reads the experiments' tags (experimentTags in experiments.ts).
 */
export async function searchExperimentsInMemory(
	db: D1Database,
	workspaceId: string,
	tagsOf: (ids: string[]) => Promise<Map<string, Record<string, string>>>,
	o: { lifecycle: Lifecycle; clauses: Clause[]; order: OrderBy[] }
) {
	const all = await listExperiments(db, workspaceId, { lifecycle: o.lifecycle });
	const tags = await tagsOf(all.map((e) => e.id));
	const rows = all.map((e) => experimentOut(e, tags.get(e.id) ?? {}));
	const field = (e: (typeof rows)[number], entity: string, key: string) =>
		entity === 'tag'
			? tags.get(e.experiment_id)?.[key]
			: (e[key as 'name' | 'creation_time' | 'last_update_time' | 'experiment_id'] as string | number);
	const hits = rows.filter((e) => o.clauses.every((cl) => matches(cl, field(e, cl.entity, cl.key))));
	// MLflow's default order: newest first, then id.
	const sorts = o.order.length ? o.order : [{ entity: 'attribute', key: 'creation_time', desc: true }];
	return hits.sort((a, b) => {
		for (const s of sorts) {
			const r = compareValues(field(a, s.entity, s.key), field(b, s.entity, s.key), s.desc);
			if (r) return r;
		}
		return a.experiment_id < b.experiment_id ? -1 : 1;
	});
}
