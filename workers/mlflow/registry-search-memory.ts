import { listModels, listModelVersions } from '../registry/read-models';
import { compareValues, matches, type Clause, type OrderBy } from './filter';
import { versionJson } from './models-read';
import { workspace, type Ctx } from './request';

/**
 * Registered-model and model-version search in memory: every row loaded, filtered by the matcher and sorted in
 * JS. The references the SQL search (workers/registry/search-models.ts) is tested against.
 */

export async function searchModelsInMemory(c: Ctx, clauses: Clause[], order: OrderBy[]) {
	const all = await listModels(c.env.DB, workspace(c));
	const hits = all.filter((x) =>
		clauses.every((cl) => matches(cl, cl.entity === 'tag' ? x.tags[cl.key] : x.name))
	);
	const field = (x: (typeof hits)[number], key: string) =>
		key === 'name' ? x.name : key === 'creation_timestamp' ? x.createdAt : x.updatedAt;
	// Ties go to the name, ascending (model_registry.proto).
	return hits.sort((a, b) => {
		for (const o of order) {
			const r = compareValues(field(a, o.key), field(b, o.key), o.desc);
			if (r) return r;
		}
		return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
	});
}

export async function searchVersionsInMemory(c: Ctx, clauses: Clause[], order: OrderBy[]) {
	const db = c.env.DB;
	const names = (await listModels(db, workspace(c))).map((x) => x.name);
	const all = (await Promise.all(names.map((n) => listModelVersions(db, workspace(c), n)))).flat();
	const rows = await Promise.all(all.map(async (v) => ({ id: v.id, json: await versionJson(c, v) })));
	const field = (
		v: (typeof rows)[number]['json'],
		entity: string,
		key: string
	): string | number | undefined => {
		if (entity === 'tag') return v.tags.find((t) => t.key === key)?.value;
		if (key === 'source_path') return v.source;
		if (key === 'version_number') return Number(v.version);
		return v[key as 'name' | 'run_id' | 'creation_timestamp' | 'last_updated_timestamp'];
	};
	const hits = rows.filter((v) => clauses.every((cl) => matches(cl, field(v.json, cl.entity, cl.key))));
	const sorts = [
		...order,
		{ entity: 'attribute', key: 'name', desc: false },
		{ entity: 'attribute', key: 'version_number', desc: true }
	];
	return hits.sort((a, b) => {
		for (const o of sorts) {
			const r = compareValues(field(a.json, o.entity, o.key), field(b.json, o.entity, o.key), o.desc);
			if (r) return r;
		}
		return 0;
	});
}
