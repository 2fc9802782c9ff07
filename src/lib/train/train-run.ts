import { proxy } from 'comlink';
import type { RunOutput, TrainCell, TrainConfig } from '$lib/notebook/schema';
import type { Outcome } from '$lib/notebook/execute';
import * as tracking from '$lib/tracking/runs';
import { trainApi, type TrainResult } from './client';
import { holdRunLock } from '$lib/tracking/run-lock';
import { modelSpec, runParams, trainParams } from './model-spec';
import type { PreparedRef } from './engine/prepared';
import { stableHash } from '../ml/config-hash';
import { reportSummary } from './report';
import { stopSummary } from './stop-summary';
import { modelShapeKey, type CachedChoice } from './engine/backend-choice';
import { backendNote } from './engine/backend-note';
import type { TrainProgress } from '../ml/types';
import type { TrainerDeps } from './trainer';
import type { Prepared } from './prepare-table';
import { fail, pascal } from './cell-error';
import { REFERENCE_ARTIFACT } from '../ml/monitor/reference';

const HEARTBEAT_MS = 10_000;

/**
 * One trial as a tracked run: split and encode in the train worker, start the run, drive the training session,
 * score the test split there, and write the run with its artifacts; the trial's encoded split is freed at the end.
 */
export async function trainRun(
	deps: TrainerDeps,
	cell: TrainCell,
	c: TrainConfig,
	p: Prepared,
	parentId: string | null,
	onProgress: (e: TrainProgress) => void
): Promise<{ output: RunOutput } | { error: Outcome }> {
	// The validation set is what the worker early-stops on: the strategy's validation rows (split-sets.ts).
	const split = await trainApi().split({
		frame: p.frame.handle,
		test: p.test?.handle,
		config: {
			split: c.split,
			splitColumn: c.splitColumn,
			testTable: c.testTable,
			seed: c.seed,
			validation: c.validation,
			test: c.test,
			target: c.target,
			declared: p.declared
		},
		features: p.features,
		task: p.task,
		timeFormat: p.timeFormat
	});
	if (!split.ok) return { error: fail(split.error.name, split.error.message) };
	if ('refused' in split) return { error: fail(pascal(split.refused.code), split.refused.message) };
	try {
		return await trainOn(deps, cell, c, p, parentId, onProgress, split);
	} finally {
		// A sweep's trials each encode their own split: free each as it ends, not at the sweep's end.
		void trainApi().release([split.handle]);
	}
}

async function trainOn(
	deps: TrainerDeps,
	cell: TrainCell,
	c: TrainConfig,
	p: Prepared,
	parentId: string | null,
	onProgress: (e: TrainProgress) => void,
	split: PreparedRef
): Promise<{ output: RunOutput } | { error: Outcome }> {
	const { prep, note, rows, handle: sets } = split;
	const spec = modelSpec(c);
	const classes = prep.target.task === 'regression' ? 0 : prep.target.classes.length;
	const run = await tracking.startRun({
		experimentId: p.experimentId,
		name: `${c.model} → ${c.target}`,
		parentId,
		notebookId: deps.notebook().id,
		cellId: cell.id,
		params: {
			...runParams(c, p.task, p.features),
			...featureParams(p),
			split_rows: `${rows.train}/${rows.validation}/${rows.test}`
		},
		lineage: {
			dataFingerprint: p.fingerprint,
			configHash: await stableHash({
				config: { ...c, sweep: undefined, ...unusedSplitFields(c) },
				features: p.features
			}),
			seed: c.seed,
			environment: {
				...p.environment,
				backend: c.backend,
				backendReason: 'chosen when training starts (see tags)'
			}
		}
	});
	const beat = setInterval(() => void tracking.heartbeat(run.id).catch(() => undefined), HEARTBEAT_MS);
	// Metrics are written as epochs arrive, in order, without holding up training.
	let writes = Promise.resolve();
	const metric = p.task === 'regression' ? 'mae' : 'accuracy';
	const progress = (e: TrainProgress) => {
		onProgress(e);
		if (e.kind !== 'epoch') return;
		const points = [
			{ key: 'loss', value: e.loss },
			{ key: 'val_loss', value: e.valLoss },
			{ key: metric, value: e.metric },
			{ key: `val_${metric}`, value: e.valMetric }
		].filter((m) => Number.isFinite(m.value));
		writes = writes.then(() =>
			tracking
				.logMetrics(
					run.id,
					points.map((m) => ({ ...m, step: e.epoch }))
				)
				.catch(() => undefined)
		);
	};
	const shapeKey = `edgebook.backend.${modelShapeKey(spec, prep.width, classes)}`;
	const cached: CachedChoice | null = c.backend === 'auto' ? readCache(shapeKey) : null;
	try {
		const res: TrainResult = await holdRunLock(run.id, (): Promise<TrainResult> =>
			// The training session on the sets prepared in the worker: no rows cross here.
			trainApi().trainPrepared(
				{
					sets,
					spec,
					task: p.task,
					classes,
					params: trainParams(c),
					preference: c.backend,
					cached
				},
				proxy(progress)
			)
		);
		await writes;
		if (!res.ok) {
			await tracking.setTags(run.id, {
				'edgebook.error': `${res.error.name}: ${res.error.message}`.slice(0, 8000)
			});
			await tracking.finishRun(run.id, 'failed');
			return { error: fail(res.error.name, res.error.message) };
		}
		if (c.backend === 'auto' && !cached) writeCache(shapeKey, { backend: res.backend, trials: res.trials });
		const backendFallback = backendNote({ used: res.backend, failures: res.failures });
		const scored = await trainApi().scoreTest({ sets, artifacts: res.artifacts, backend: res.backend });
		if (!scored.ok) throw Object.assign(new Error(scored.error.message), { name: scored.error.name });
		const { report } = scored;
		const stop = stopSummary(res.history, {
			restoredEpoch: res.restoredEpoch,
			stoppedEarly: res.stoppedEarly,
			planned: c.epochs,
			patience: c.patience,
			metric
		});
		const summary = reportSummary(report, stop.summary);
		await tracking.setTags(run.id, {
			'edgebook.backend': res.backend,
			'edgebook.backend_requested': c.backend,
			'edgebook.backend_reason': res.reason.slice(0, 8000),
			...(backendFallback ? { 'edgebook.backend_fallback': backendFallback.slice(0, 8000) } : {}),
			'edgebook.epochs': String(res.epochs),
			'edgebook.stopped_early': String(res.stoppedEarly),
			'edgebook.split': note,
			...(res.restoredEpoch === null ? {} : { 'edgebook.best_epoch': String(res.restoredEpoch) })
		});
		const status = res.cancelled ? 'cancelled' : 'finished';
		await tracking.finishRunWithArtifacts(run.id, {
			status,
			summary,
			artifacts: [
				{ name: 'model.json', mediaType: 'application/json', data: res.artifacts.modelJson },
				{ name: 'weights.bin', mediaType: 'application/octet-stream', data: res.artifacts.weights },
				{ name: 'preprocessing.json', mediaType: 'application/json', data: JSON.stringify(prep) },
				// What monitoring compares production windows with (docs/architecture.md, "Monitoring").
				{ name: REFERENCE_ARTIFACT, mediaType: 'application/json', data: JSON.stringify(scored.reference) },
				{
					name: 'evaluation.json',
					mediaType: 'application/json',
					data: JSON.stringify({
						split: 'test',
						...(p.test ? { table: c.testTable } : {}),
						rows: rows.test,
						report
					})
				}
			]
		});
		return {
			output: {
				kind: 'run',
				runId: run.id,
				status,
				backend: res.backend,
				summary,
				trials: [],
				bestRunId: null,
				warnings: p.warnings,
				stop: stop.note,
				split: note,
				backendNote: backendFallback,
				featureCount: p.features.length
			}
		};
	} catch (e) {
		await tracking.finishRun(run.id, 'failed').catch(() => undefined);
		throw e;
	} finally {
		clearInterval(beat);
	}
}

/**
 * Split fields the strategy does not read are left out of the config hash, so a random-split config hashes as it
 * did before split strategies existed, and a stale column or table left in the form does not change it.
 */
function unusedSplitFields(
	c: TrainConfig
): Partial<Record<'split' | 'splitColumn' | 'testTable', undefined>> {
	if (c.split === 'random') return { split: undefined, splitColumn: undefined, testTable: undefined };
	return c.split === 'table' ? { splitColumn: undefined } : { testTable: undefined };
}

/** The params that say what the run learned from; the full list is in its preprocessing.json. */
function featureParams(p: Prepared): Record<string, string> {
	return { feature_count: String(p.features.length), feature_selection: p.selection };
}

function readCache(key: string): CachedChoice | null {
	try {
		const raw = localStorage.getItem(key);
		return raw ? (JSON.parse(raw) as CachedChoice) : null;
	} catch {
		return null;
	}
}

/** The measured choice is cached per device (this browser profile) and model shape, so the trial runs once. */
function writeCache(key: string, choice: CachedChoice): void {
	try {
		localStorage.setItem(key, JSON.stringify(choice));
	} catch {
		// A full or disabled localStorage only costs a new trial next time.
	}
}
