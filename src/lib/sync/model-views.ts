import { db as defaultDb, type EdgebookDB } from '$lib/tracking/db';
import { getModel, listModels } from './models';

/** What the Models page shows of one registered model (read from IndexedDB: works offline). */
export interface ModelVersionView {
	id: string;
	/** Null until the registry has numbered it (the version was registered offline). */
	version: number | null;
	sourceRunId: string | null;
	createdAt: number;
	description: string;
	lineage: {
		query: string;
		rowCount: number;
		sources: { name: string; sha256: string }[];
		configHash: string;
	} | null;
}
export interface ModelView {
	name: string;
	description: string;
	/** alias → version id */
	aliases: Record<string, string>;
	versions: ModelVersionView[];
}

/** Every registered model with its versions and each version's data lineage, as the Models page shows them. */
export async function modelViews(o: { db?: EdgebookDB } = {}): Promise<ModelView[]> {
	const d = o.db ?? defaultDb();
	const out: ModelView[] = [];
	for (const m of await listModels({ db: d })) {
		const detail = await getModel(m.name, { db: d });
		if (!detail) continue;
		const runIds = [...new Set(detail.versions.flatMap((v) => (v.sourceRunId ? [v.sourceRunId] : [])))];
		const runs = new Map((await d.runs.bulkGet(runIds)).flatMap((r) => (r ? [[r.id, r] as const] : [])));
		out.push({
			name: detail.name,
			description: detail.description,
			aliases: detail.aliases,
			versions: detail.versions.map((v) => {
				const run = v.sourceRunId ? runs.get(v.sourceRunId) : undefined;
				const fp = run?.lineage.dataFingerprint;
				// Runs logged outside a notebook (an MLflow client) carry no fingerprint: say so, not "0 rows".
				const known = run && (fp!.query !== '' || fp!.sources.length > 0);
				return {
					id: v.id,
					version: v.version,
					sourceRunId: v.sourceRunId,
					createdAt: v.createdAt,
					description: v.description,
					lineage: known
						? {
								query: fp!.query,
								rowCount: fp!.rowCount,
								sources: fp!.sources,
								configHash: run.lineage.configHash
							}
						: null
				};
			})
		});
	}
	return out;
}
