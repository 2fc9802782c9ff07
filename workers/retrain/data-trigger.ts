import {
	dataChangedSchema,
	type DataChanged,
	type DataChangedResult,
	type Lineage,
	type RetrainTask
} from '../../src/lib/contract';
import { openRetrain } from './tasks';

/**
 * The "new data" trigger (docs/architecture.md, "Monitoring"): a notebook's browser reports the fingerprints of its
 * datasets; every model whose champion was trained in that notebook on a dataset of the same name whose bytes differ
 * now gets a retraining task. The trigger's reference is a digest of the changed bytes, so reporting the same data
 * again (each time the notebook opens) opens nothing more: not while the task is open, nor after it closed, until
 * the champion or the bytes change.
 */

const DEFAULT_ALIAS = 'champion';

interface ChampionRow {
	model_name: string;
	version: number;
	lineage: string | null;
}

async function digest(text: string): Promise<string> {
	const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
	return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const short = (sha: string) => `${sha.slice(0, 12)}…`;

export async function dataChanged(
	db: D1Database,
	workspaceId: string,
	input: DataChanged,
	now = Date.now()
): Promise<DataChangedResult> {
	const { notebookId, datasets } = dataChangedSchema.parse(input);
	const seen = new Map(datasets.map((d) => [d.name.toLowerCase(), d.sha256]));
	const { results } = await db
		.prepare(
			`SELECT a.model_name, a.version, r.lineage FROM model_aliases a
			 JOIN model_versions v ON v.workspace_id = a.workspace_id AND v.model_name = a.model_name AND v.version = a.version
			 JOIN runs r ON r.workspace_id = v.workspace_id AND r.id = v.source_run_id
			 WHERE a.workspace_id = ? AND a.alias = ? AND r.notebook_id = ? AND r.deleted_at IS NULL
			 ORDER BY a.model_name`
		)
		.bind(workspaceId, DEFAULT_ALIAS, notebookId)
		.all<ChampionRow>();
	const changed: DataChangedResult['changed'] = [];
	for (const row of results) {
		const sources = row.lineage ? ((JSON.parse(row.lineage) as Lineage).dataFingerprint?.sources ?? []) : [];
		// A dataset the browser does not have is not new data: only bytes it has and the champion did not see count.
		const differ = sources
			.filter((s) => seen.has(s.name.toLowerCase()) && seen.get(s.name.toLowerCase()) !== s.sha256)
			.map((s) => ({ name: s.name, trainedOn: s.sha256, now: seen.get(s.name.toLowerCase())! }));
		if (!differ.length) continue;
		const ref = `data:${await digest(JSON.stringify(differ.map((d) => [d.name.toLowerCase(), d.now]).sort()))}`;
		const before = await db
			.prepare(
				`SELECT body FROM retrain_tasks WHERE workspace_id = ? AND model_name = ?
				 AND json_extract(body, '$.triggerRef') = ? AND json_extract(body, '$.championVersion') = ?
				 ORDER BY created_at DESC LIMIT 1`
			)
			.bind(workspaceId, row.model_name, ref, row.version)
			.first<{ body: string }>();
		const base = { model: row.model_name, championVersion: row.version, datasets: differ };
		if (before) {
			changed.push({ ...base, task: JSON.parse(before.body) as RetrainTask, outcome: 'seen' });
			continue;
		}
		const reason = differ
			.map(
				(d) =>
					`dataset ${d.name} has new bytes (${short(d.now)}; v${row.version} was trained on ${short(d.trainedOn)})`
			)
			.join('; ')
			.slice(0, 500);
		const { task, joined } = await openRetrain(
			db,
			workspaceId,
			row.model_name,
			{ trigger: 'data', triggerRef: ref, reason, alias: DEFAULT_ALIAS },
			now
		);
		changed.push({ ...base, task, outcome: joined ? 'joined' : 'opened' });
	}
	return { changed };
}
