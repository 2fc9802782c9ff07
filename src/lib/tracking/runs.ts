import Dexie from 'dexie';
import { canEnd, findRun, liveRun, parseStoredRun } from './access';
import { db } from './db';
import { guardStorage, TrackingError } from './errors';
import { newId } from './ids';
import { record, runLog, toPairs } from './outbox';
import { runCreate } from './run-mutations';
import { uniqueRunName } from './run-names';
import type { EndStatus, Lineage, Run, RunStatus } from './run-schema';
import { checkParams, checkTags, type ParamValue } from './validate';

/**
 * Runs, following MLflow: params immutable once logged, metrics append-only (metrics.ts), tags overwritable.
 * This module is the one import for callers; the parts live in files along their seams.
 */

export { createExperiment, getOrCreateExperiment, getExperiment, listExperiments } from './experiments';
export { logMetrics, metricHistory, type MetricInput } from './metrics';
export {
	saveArtifacts,
	finishRunWithArtifacts,
	artifactsOf,
	type ArtifactInput,
	type FinishWithArtifacts
} from './artifacts';
export { deleteRun, restoreRun, purgeDeleted } from './trash';
export { TrackingError, type TrackingErrorName } from './errors';
export type { ParamValue } from './validate';
export type { EndStatus, Lineage, Run, RunStatus, Experiment, Artifact, MetricPoint } from './run-schema';

export interface StartRun {
	experimentId: string;
	name: string;
	parentId?: string | null;
	notebookId?: string | null;
	cellId?: string | null;
	params: Record<string, ParamValue>;
	tags?: Record<string, string>;
	lineage: Lineage;
}

export async function startRun(options: StartRun): Promise<Run> {
	const params = checkParams(options.params);
	const tags = checkTags(options.tags ?? {}) as Record<string, string>;
	const now = Date.now();
	const id = newId('run');
	const run: Run = {
		id,
		experimentId: options.experimentId,
		parentId: options.parentId ?? null,
		status: 'running',
		name: options.name.trim() || `run ${id.slice(-6)}`,
		startedAt: now,
		endedAt: null,
		notebookId: options.notebookId ?? null,
		cellId: options.cellId ?? null,
		deletedAt: null,
		params,
		tags,
		note: '',
		lineage: options.lineage,
		summary: {},
		summaryAt: {},
		heartbeatAt: now
	};
	const d = db();
	await guardStorage('starting a run', 4096, () =>
		d.transaction('rw', d.experiments, d.runs, d.outbox, async () => {
			if (!(await d.experiments.get(run.experimentId)))
				throw new TrackingError('ExperimentNotFound', `There is no experiment ${run.experimentId}.`);
			if (run.parentId) await liveRun(d, run.parentId);
			// In the transaction, so two runs started at once cannot take the same name.
			const taken = await d.runs
				.where('[experimentId+startedAt]')
				.between([run.experimentId, -Infinity], [run.experimentId, Infinity])
				.toArray();
			run.name = uniqueRunName(
				run.name,
				taken.map((r) => r.name)
			);
			await d.runs.add(run);
			await record(d, runCreate(run), now);
		})
	);
	return run;
}

/** Immutable (MLflow): a key logged again with the same value is fine, with another value it throws. */
export async function logParams(runId: string, params: Record<string, ParamValue>): Promise<void> {
	const incoming = checkParams(params);
	const d = db();
	await guardStorage('logging params', JSON.stringify(incoming).length * 2, () =>
		d.transaction('rw', d.runs, d.outbox, async () => {
			const run = await liveRun(d, runId);
			for (const [key, value] of Object.entries(incoming)) {
				const old = run.params[key];
				if (old !== undefined && old !== value)
					throw new TrackingError(
						'ParamImmutable',
						`The param "${key}" is already logged as ${JSON.stringify(old)} on run "${run.name}"; ` +
							`it cannot change to ${JSON.stringify(value)}. Params are immutable: start a new run to try another value.`,
						{ runId, key, oldValue: old, newValue: value }
					);
			}
			await d.runs.update(runId, { params: { ...run.params, ...incoming } });
			await record(d, runLog(runId, { params: toPairs(incoming) }));
		})
	);
}

/** Tags are overwritable; a `null` value removes the tag. */
export async function setTags(runId: string, tags: Record<string, string | null>): Promise<void> {
	checkTags(tags);
	const d = db();
	await guardStorage('saving tags', JSON.stringify(tags).length * 2, () =>
		d.transaction('rw', d.runs, d.outbox, async () => {
			const run = await liveRun(d, runId);
			const next = { ...run.tags };
			const set: { key: string; value: string }[] = [];
			const removed: string[] = [];
			for (const [key, value] of Object.entries(tags)) {
				if (value == null) {
					// The registry refuses deleting a tag it does not hold; one never set is nothing to sync.
					if (key in next) removed.push(key);
					delete next[key];
				} else {
					next[key] = value;
					set.push({ key, value });
				}
			}
			await d.runs.update(runId, { tags: next });
			await record(d, [
				...runLog(runId, { tags: set }),
				...removed.map((key) => ({ type: 'run.tag.delete' as const, runId, key }))
			]);
		})
	);
}

export async function setNote(runId: string, note: string): Promise<void> {
	const d = db();
	await guardStorage('saving the note', note.length * 2, () =>
		d.transaction('rw', d.runs, d.outbox, async () => {
			await liveRun(d, runId);
			await d.runs.update(runId, { note });
			await record(d, [{ type: 'run.update', runId, note }]);
		})
	);
}

export async function finishRun(runId: string, status: EndStatus): Promise<void> {
	const d = db();
	await d.transaction('rw', d.runs, d.outbox, async () => {
		const run = await liveRun(d, runId);
		if (!canEnd(run, status)) return;
		const now = Date.now();
		await d.runs.update(runId, { status, endedAt: now, heartbeatAt: now });
		await record(d, [{ type: 'run.update', runId, status, endedAt: now }], now);
	});
}

/**
 * The tab running a run is alive. A run another tab marked 'interrupted' (a throttled background tab can miss
 * heartbeats) comes back to 'running'; a heartbeat after the run ended is ignored.
 */
export async function heartbeat(runId: string): Promise<void> {
	const d = db();
	await d.transaction('rw', d.runs, async () => {
		const run = await findRun(d, runId);
		if (run.deletedAt != null) return;
		const now = Date.now();
		if (run.status === 'running') await d.runs.update(runId, { heartbeatAt: now });
		else if (run.status === 'interrupted')
			await d.runs.update(runId, { status: 'running', endedAt: null, heartbeatAt: now });
	});
}

/** On app load: runs still 'running' with no heartbeat for `staleAfterMs` (their tab closed) → 'interrupted'. */
export async function markInterruptedRuns(options: {
	staleAfterMs: number;
	now?: number;
	/**
	 * When the caller can tell for sure (a Web Lock held by the training tab), a run that is not alive is
	 * interrupted at once instead of after `staleAfterMs`.
	 */
	isAlive?: (runId: string) => boolean;
}): Promise<string[]> {
	const cutoff = (options.now ?? Date.now()) - options.staleAfterMs;
	const alive = options.isAlive;
	const d = db();
	return d.transaction('rw', d.runs, d.outbox, async () => {
		const stale = await d.runs
			.where('status')
			.equals('running' satisfies RunStatus)
			// A run pulled from the registry runs in another browser: its heartbeats never reach this one.
			.filter((r) => r.origin !== 'remote' && (alive ? !alive(r.id) : !(r.heartbeatAt >= cutoff)))
			.toArray();
		for (const r of stale) {
			// endedAt is the last sign of life, the best guess of when the tab went away.
			const endedAt = r.heartbeatAt ?? null;
			await d.runs.update(r.id, { status: 'interrupted', endedAt });
			await record(d, [{ type: 'run.update', runId: r.id, status: 'interrupted', endedAt }]);
		}
		return stale.map((r) => r.id);
	});
}

export async function getRun(runId: string): Promise<Run | null> {
	const raw = await db().runs.get(runId);
	return raw ? parseStoredRun(raw, runId) : null;
}

export interface ListRuns {
	experimentId?: string;
	/** A run id: its children; `null`: top-level runs only; left out: all. */
	parentId?: string | null;
	includeDeleted?: boolean;
}

/** Newest first. Damaged records are left out here (getRun names them), so one bad run cannot hide the rest. */
export async function listRuns(options: ListRuns = {}): Promise<Run[]> {
	const d = db();
	const { experimentId, parentId, includeDeleted = false } = options;
	const query =
		typeof parentId === 'string'
			? d.runs.where('parentId').equals(parentId)
			: experimentId !== undefined
				? d.runs
						.where('[experimentId+startedAt]')
						.between([experimentId, Dexie.minKey], [experimentId, Dexie.maxKey])
				: d.runs.orderBy('startedAt');
	const raw = await query.toArray();
	const runs = raw.flatMap((r) => {
		try {
			return [parseStoredRun(r, String((r as { id?: unknown }).id))];
		} catch {
			return [];
		}
	});
	return runs
		.filter(
			(r) =>
				(includeDeleted || r.deletedAt == null) &&
				(experimentId === undefined || r.experimentId === experimentId) &&
				(parentId === undefined || r.parentId === parentId)
		)
		.sort((a, b) => b.startedAt - a.startedAt);
}
