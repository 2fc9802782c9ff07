import type { Change, MutationOf } from '$lib/contract';
import type { EdgebookDB } from '$lib/tracking/db';
import { foldSummary } from '$lib/tracking/metrics';
import type { Lineage, Run } from '$lib/tracking/run-schema';
import type { MissingArtifact } from '$lib/tracking/sync-schema';
import { artifactRow, missingKey, newMissing } from './missing-artifacts';

/**
 * Remote experiment, run and artifact changes applied to the local tables, inside the pull's transaction.
 * A change is skipped where it cannot apply here (a run this browser purged), never failing the page:
 * the registry already decided it, and a pull that cannot move on would stall every later change.
 */

export interface ApplyContext {
	d: EdgebookDB;
	/** Fields with a local mutation still pending: it reaches the registry after this change, so it wins. */
	pending: Set<string>;
	/** Artifact bytes fetched before the transaction (IndexedDB transactions cannot wait on the network). */
	blobs: Map<string, Blob>;
	/** Why a blob could not be fetched, by sha256: its artifact is recorded in `missing`, retried later. */
	failed?: Map<string, string>;
	/** Artifacts known but not held (missing-artifacts.ts), keyed by missingKey; saved with the page. */
	missing?: Map<string, MissingArtifact>;
	/** When a missing artifact is next tried. */
	retryAt?: number;
	now?: number;
	change: Change;
}

/** Runs logged by MLflow clients carry no data fingerprint; the local record needs one. */
const UNKNOWN_LINEAGE: Lineage = {
	dataFingerprint: { query: '', sources: [], rowCount: 0, schema: [] },
	configHash: '',
	seed: 0,
	environment: {
		backend: 'unknown',
		backendReason: 'logged outside this browser',
		adapter: null,
		userAgent: '',
		libraries: {}
	}
};

export async function applyExperiment(
	c: ApplyContext,
	m: MutationOf<
		| 'experiment.create'
		| 'experiment.rename'
		| 'experiment.delete'
		| 'experiment.restore'
		| 'experiment.tag.set'
		| 'experiment.tag.delete'
	>
): Promise<void> {
	const { d } = c;
	if (m.type === 'experiment.create') {
		const { id, name, createdAt } = m.experiment;
		if ((await d.experiments.get(id)) || (await d.experiments.where('name').equals(name).first())) return;
		// Tags made with the experiment (MLflow's experiments/create) are kept as experiment.tag.set keeps them.
		const tags = m.tags?.length ? { tags: Object.fromEntries(m.tags.map((t) => [t.key, t.value])) } : {};
		await d.experiments.add({ id, name, createdAt, ...tags } as never);
		return;
	}
	const exp = await d.experiments.get(m.experimentId);
	if (!exp) return;
	const raw = exp as typeof exp & { deletedAt?: number | null; tags?: Record<string, string> };
	switch (m.type) {
		case 'experiment.rename':
			if (c.pending.has(`exp:${m.experimentId}:name`)) return;
			if (await d.experiments.where('name').equals(m.name).first()) return; // a local one holds the name
			await d.experiments.update(m.experimentId, { name: m.name });
			return;
		case 'experiment.delete':
			await d.experiments.update(m.experimentId, { deletedAt: raw.deletedAt ?? c.change.at } as never);
			return;
		case 'experiment.restore':
			await d.experiments.update(m.experimentId, { deletedAt: null } as never);
			return;
		case 'experiment.tag.set':
			await d.experiments.update(m.experimentId, { tags: { ...raw.tags, [m.key]: m.value } } as never);
			return;
		case 'experiment.tag.delete': {
			const tags = { ...raw.tags };
			delete tags[m.key];
			await d.experiments.update(m.experimentId, { tags } as never);
			return;
		}
	}
}

async function runCreate(c: ApplyContext, m: MutationOf<'run.create'>) {
	const r = m.run;
	if (await c.d.runs.get(r.id)) return;
	const run: Run = {
		id: r.id,
		experimentId: r.experimentId,
		parentId: r.parentId,
		status: 'running',
		name: r.name,
		startedAt: r.startedAt,
		endedAt: null,
		notebookId: r.notebookId,
		cellId: r.cellId,
		deletedAt: null,
		params: Object.fromEntries(r.params.map((p) => [p.key, p.value])),
		tags: Object.fromEntries(r.tags.map((t) => [t.key, t.value])),
		note: '',
		lineage: r.lineage ?? UNKNOWN_LINEAGE,
		summary: {},
		summaryAt: {},
		heartbeatAt: r.startedAt,
		origin: 'remote'
	};
	await c.d.runs.add(run);
}

async function runLog(c: ApplyContext, m: MutationOf<'run.log'>, run: Run) {
	const rows = m.metrics.map((p) => ({ runId: run.id, ...p }));
	if (rows.length) await c.d.metrics.bulkAdd(rows);
	const params = { ...run.params };
	for (const p of m.params) params[p.key] ??= p.value;
	const tags = { ...run.tags };
	for (const t of m.tags) if (!c.pending.has(`run:${run.id}:tag:${t.key}`)) tags[t.key] = t.value;
	await c.d.runs.update(run.id, { params, tags, ...foldSummary(run, rows) });
}

async function runUpdate(c: ApplyContext, m: MutationOf<'run.update'>, run: Run) {
	const patch: Partial<Run> = {};
	const ignored = c.change.result?.statusIgnored === true;
	// The registry's first-end-wins already decided (an ignored status says so); mirror its outcome.
	if (
		m.status !== undefined &&
		m.status !== 'running' &&
		!ignored &&
		!c.pending.has(`run:${run.id}:status`)
	) {
		patch.status = m.status;
		patch.endedAt = m.endedAt ?? c.change.at;
	} else if (m.status === undefined && m.endedAt !== undefined && run.status !== 'running')
		patch.endedAt = m.endedAt;
	if (m.name !== undefined && !c.pending.has(`run:${run.id}:name`)) patch.name = m.name;
	if (m.note !== undefined && !c.pending.has(`run:${run.id}:note`)) patch.note = m.note;
	if (Object.keys(patch).length) await c.d.runs.update(run.id, patch);
}

export async function applyRun(
	c: ApplyContext,
	m: MutationOf<
		| 'run.create'
		| 'run.log'
		| 'run.update'
		| 'run.tag.delete'
		| 'run.delete'
		| 'run.restore'
		| 'artifact.link'
		| 'artifact.delete'
	>
): Promise<void> {
	if (m.type === 'run.create') return runCreate(c, m);
	const runId = m.type === 'artifact.link' ? m.artifact.runId : m.runId;
	const run = (await c.d.runs.get(runId)) as Run | undefined;
	if (!run) return; // purged here, or made before this browser's feed began
	switch (m.type) {
		case 'run.log':
			return runLog(c, m, run);
		case 'run.update':
			return runUpdate(c, m, run);
		case 'run.tag.delete': {
			if (c.pending.has(`run:${run.id}:tag:${m.key}`)) return;
			const tags = { ...run.tags };
			delete tags[m.key];
			await c.d.runs.update(run.id, { tags });
			return;
		}
		case 'run.delete':
			if (run.deletedAt == null) await c.d.runs.update(run.id, { deletedAt: m.deletedAt });
			return;
		case 'run.restore':
			await c.d.runs.update(run.id, { deletedAt: null });
			return;
		case 'artifact.link': {
			const a = m.artifact;
			const blob = c.blobs.get(a.sha256);
			const same = await c.d.artifacts.where('[runId+name]').equals([a.runId, a.name]).first();
			// A path keeps its first bytes (the registry's rule).
			if (same || c.missing?.has(missingKey(a))) return;
			if (blob) {
				await c.d.artifacts.add(artifactRow(a, blob, c.change.seq));
				return;
			}
			// Bytes we could not fetch: named as missing and retried later; the rest of the feed goes on.
			const reason = c.failed?.get(a.sha256);
			if (reason && c.missing)
				c.missing.set(
					missingKey(a),
					newMissing(a, c.change.seq, reason, c.now ?? Date.now(), c.retryAt ?? Date.now())
				);
			return;
		}
		case 'artifact.delete':
			for (const [k, f] of c.missing ?? [])
				if (f.runId === run.id && (f.name === m.path || f.name.startsWith(`${m.path}/`)))
					c.missing?.delete(k);
			await c.d.artifacts
				.where('[runId+name]')
				.between([run.id, ''], [run.id, '\uffff'])
				.filter((f) => f.name === m.path || f.name.startsWith(`${m.path}/`))
				.delete();
			return;
	}
}
