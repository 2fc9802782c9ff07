import { LIMITS, type Mutation } from '$lib/contract';
import { runLog, toPairs } from './outbox';
import type { Artifact, ArtifactMeta, Experiment, MetricRow, Run } from './run-schema';

/** The mutations that describe local records, shared by the tracking writes, imports and the v3 backfill. */

export const experimentCreate = (e: Experiment): Mutation => ({
	type: 'experiment.create',
	experiment: { id: e.id, name: e.name, createdAt: e.createdAt }
});

/** run.create carries the first 100 params and tags; the rest follow as run.log. */
export function runCreate(run: Run): Mutation[] {
	const params = toPairs(run.params);
	const tags = toPairs(run.tags);
	const create: Mutation = {
		type: 'run.create',
		run: {
			id: run.id,
			experimentId: run.experimentId,
			parentId: run.parentId,
			name: run.name.slice(0, LIMITS.nameLength),
			startedAt: run.startedAt,
			notebookId: run.notebookId,
			cellId: run.cellId,
			params: params.slice(0, LIMITS.paramsPerBatch),
			tags: tags.slice(0, LIMITS.tagsPerBatch),
			lineage: run.lineage
		}
	};
	const rest = runLog(run.id, {
		params: params.slice(LIMITS.paramsPerBatch),
		tags: tags.slice(LIMITS.tagsPerBatch)
	});
	return [create, ...rest];
}

export const artifactLink = (a: ArtifactMeta | Artifact): Mutation => ({
	type: 'artifact.link',
	artifact: { runId: a.runId, name: a.name, mediaType: a.mediaType, bytes: a.bytes, sha256: a.sha256 }
});

/** A whole stored run: created, its points, its end, note, files and trash state. */
export function wholeRun(run: Run, rows: readonly Omit<MetricRow, 'id'>[], files: readonly ArtifactMeta[]) {
	const out = [...runCreate(run), ...runLog(run.id, { metrics: rows })];
	out.push(...files.map(artifactLink));
	if (run.status !== 'running' || run.note)
		out.push({
			type: 'run.update',
			runId: run.id,
			...(run.status !== 'running' ? { status: run.status, endedAt: run.endedAt } : {}),
			...(run.note ? { note: run.note } : {})
		});
	if (run.deletedAt != null) out.push({ type: 'run.delete', runId: run.id, deletedAt: run.deletedAt });
	return out;
}

/** Parents before children, so the registry never sees a child whose parent it does not hold yet. */
export function parentsFirst<T extends { id: string; parentId: string | null }>(runs: readonly T[]): T[] {
	const byId = new Map(runs.map((r) => [r.id, r]));
	const out: T[] = [];
	const done = new Set<string>();
	const visit = (r: T, depth: number) => {
		if (done.has(r.id) || depth > runs.length) return;
		const parent = r.parentId ? byId.get(r.parentId) : undefined;
		if (parent) visit(parent, depth + 1);
		if (!done.has(r.id)) {
			done.add(r.id);
			out.push(r);
		}
	};
	for (const r of runs) visit(r, 0);
	return out;
}
