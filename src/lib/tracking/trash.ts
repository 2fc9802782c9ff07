import { runArtifactsRange } from './artifacts';
import { findRun } from './access';
import { db, type EdgebookDB } from './db';
import { TrackingError } from './errors';
import { runMetricsRange } from './metrics';
import { record } from './outbox';
import type { Run } from './run-schema';

/**
 * Deleting is soft so the runs table can undo. A run goes with its children (a sweep with its trials), all
 * stamped with the same `deletedAt`, so restoring the parent brings back exactly what its delete took away.
 */

/** The run and every descendant, each once (a damaged parent link cannot loop forever). */
async function withDescendants(d: EdgebookDB, root: Run): Promise<Run[]> {
	const out = [root];
	const seen = new Set([root.id]);
	for (let i = 0; i < out.length; i++) {
		const children = await d.runs.where('parentId').equals(out[i].id).toArray();
		for (const c of children)
			if (!seen.has(c.id)) {
				seen.add(c.id);
				out.push(c);
			}
	}
	return out;
}

export async function deleteRun(runId: string): Promise<void> {
	const d = db();
	await d.transaction('rw', d.runs, d.outbox, async () => {
		const root = await findRun(d, runId);
		if (root.deletedAt != null) return;
		const family = (await withDescendants(d, root)).filter((r) => r.deletedAt == null);
		const running = family.find((r) => r.status === 'running');
		if (running)
			throw new TrackingError(
				'RunActive',
				`Run "${running.name}" is still running; stop it before deleting${running.id === runId ? ' it' : ` "${root.name}"`}.`,
				{ runId: running.id }
			);
		const now = Date.now();
		for (const r of family) await d.runs.update(r.id, { deletedAt: now });
		await record(
			d,
			family.map((r) => ({ type: 'run.delete', runId: r.id, deletedAt: now })),
			now
		);
	});
}

export async function restoreRun(runId: string): Promise<void> {
	const d = db();
	await d.transaction('rw', d.runs, d.outbox, async () => {
		const root = await findRun(d, runId);
		if (root.deletedAt == null) return;
		const stamp = root.deletedAt;
		const back = (await withDescendants(d, root)).filter((r) => r.deletedAt === stamp);
		for (const r of back) await d.runs.update(r.id, { deletedAt: null });
		await record(
			d,
			back.map((r) => ({ type: 'run.restore', runId: r.id }))
		);
	});
}

/** Remove runs deleted before `olderThanMs` ago for good, with their metrics and files. Returns how many. */
export async function purgeDeleted(options: { olderThanMs?: number; now?: number } = {}): Promise<number> {
	const cutoff = (options.now ?? Date.now()) - (options.olderThanMs ?? 0);
	const d = db();
	return d.transaction('rw', d.runs, d.metrics, d.artifacts, async () => {
		const ids = (await d.runs.where('deletedAt').belowOrEqual(cutoff).primaryKeys()) as string[];
		for (const id of ids) {
			await runMetricsRange(d, id).delete();
			await runArtifactsRange(d, id).delete();
			// A child restored on its own outlives its purged parent: it becomes a top-level run.
			await d.runs.where('parentId').equals(id).modify({ parentId: null });
		}
		await d.runs.bulkDelete(ids);
		return ids.length;
	});
}
