import { proxy } from 'comlink';
import type { Notebook, RunOutput, TrainCell, TrainConfig } from '$lib/notebook/schema';
import type { Outcome } from '$lib/notebook/execute';
import type { DataApi } from '$lib/data/data.worker';
import type { Datasets } from '$lib/data/datasets.svelte';
import type { Remote } from 'comlink';
import * as tracking from '$lib/tracking/runs';
import { trainApi, type TrainResult } from './client';
import { holdRunLock } from '$lib/tracking/run-lock';
import { expandSweep, parseSpace } from './sweep';
import { sweepScore } from '../ml/sweep-score';
import { ConfigError, modelSpec, runParams, trainParams } from './model-spec';
import { strategyFractions, type TimeFormat } from '../ml/split-strategies';
import { columnKind } from '$lib/data/profile-sql';
import { pipeFrame } from './frame-pipe';
import type { FrameRef, PreparedRef } from './engine/prepared';
import { stableHash } from '../ml/config-hash';
import { dataChanges, dataFingerprint } from './lineage';
import { reportSummary } from './report';
import { stopSummary } from './stop-summary';
import { modelShapeKey, type CachedChoice } from './engine/backend-choice';
import { selectFeatures } from './feature-select';
import { summariseWarnings, type WarningLine } from '../ml/warnings';
import { backendNote } from './engine/backend-note';
import type { Task, TrainProgress } from '../ml/types';

export interface TrainerDeps {
	notebook: () => Notebook;
	datasets: Datasets;
	data: () => Remote<DataApi>;
}

const HEARTBEAT_MS = 10_000;

function fail(name: string, message: string): Outcome {
	return { ok: false, output: { kind: 'error', name, message } };
}

/** 'target-has-missing' → 'TargetHasMissing': the data checks' codes in the style of every other cell error. */
const pascal = (code: string) => code.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());

/**
 * Prepared once per train-cell run and shared by its trials (a sweep reads the table once). The rows themselves
 * stay in the train worker: this holds their handles.
 */
interface Prepared {
	frame: FrameRef;
	features: string[];
	task: Task;
	/** A 'table' split's test set, read once like the source. */
	test: FrameRef | undefined;
	/** A time split's column as the note shows it, from its SQL type (a Frame holds dates as epoch ms). */
	timeFormat: TimeFormat;
	fingerprint: tracking.Lineage['dataFingerprint'];
	experimentId: string;
	environment: Omit<tracking.Lineage['environment'], 'backend' | 'backendReason'>;
	warnings: WarningLine[];
	/** How the features were chosen, in words, for the run's params. */
	selection: string;
}

/**
 * Train cells: pipe the table from the data worker to the train worker, and there check it, split, fit
 * preprocessing on the training rows only, encode, train (the training session) and score the test split; record
 * everything as a run in IndexedDB here. The page never holds the rows (docs/architecture.md, "The training
 * session"); `staged` collects the handles to release when the cell ends, however it ends.
 */
export function createTrainer(deps: TrainerDeps) {
	async function prepare(cell: TrainCell, c: TrainConfig, staged: string[]): Promise<Prepared | Outcome> {
		if (!c.source) return fail('ConfigError', 'Pick the table to train on.');
		if (!c.target) return fail('ConfigError', 'Pick the target column.');
		const byTable = c.split === 'table' && c.testTable !== '';
		if (byTable && c.testTable === c.source)
			return fail(
				'ConfigError',
				`The test table must be another table than the training table "${c.source}".`
			);
		const attach = await deps.datasets.ensureAttached(byTable ? [c.source, c.testTable] : [c.source]);
		if (attach) return fail(attach.name, attach.message);
		const res = await pipeFrame(deps.data(), trainApi(), { table: c.source, columns: null });
		if (!res.ok) return fail(res.error.name, res.error.message);
		const frame = res.ref;
		staged.push(frame.handle);
		let test: FrameRef | undefined;
		if (byTable) {
			const t = await pipeFrame(deps.data(), trainApi(), { table: c.testTable, columns: null });
			if (!t.ok) return fail(t.error.name, t.error.message);
			test = t.ref;
			staged.push(test.handle);
		}
		const selection = selectFeatures(
			c,
			frame.columns.map((col) => col.name)
		);
		if (!selection.ok) return fail('FeatureSelectionError', selection.message);
		const features = selection.features;
		const checked = await trainApi().check(frame.handle, {
			target: c.target,
			features,
			task: c.task === 'auto' ? undefined : c.task,
			fractions: strategyFractions(c),
			split:
				c.split === 'random'
					? undefined
					: {
							strategy: c.split,
							column: c.splitColumn,
							seed: c.seed,
							testTable: c.testTable,
							test: test?.handle
						}
		});
		if (!checked.ok) return fail(checked.error.name, checked.error.message);
		const { check } = checked;
		if (!check.ok) return fail(pascal(check.code), check.message);
		const nb = deps.notebook();
		const fingerprint = dataFingerprint(nb, deps.datasets.list, c.source, frame);
		const warnings: WarningLine[] = summariseWarnings(check.warnings);
		const previous = (await tracking.listRuns({})).find((r) => r.cellId === cell.id && r.parentId === null);
		if (previous) {
			const changes = dataChanges(previous.lineage.dataFingerprint, fingerprint);
			if (changes.length)
				warnings.push(`The data changed since run ${previous.id.slice(0, 10)}: ${changes.join('; ')}.`);
		}
		const probe = await trainApi().probe();
		const experiment = await tracking.getOrCreateExperiment(c.experiment);
		return {
			frame,
			features,
			task: check.task,
			test,
			timeFormat: c.split === 'time' ? await timeFormatOf(c.source, c.splitColumn) : 'number',
			fingerprint,
			experimentId: experiment.id,
			environment: {
				adapter: probe.adapter
					? `${probe.adapter.vendor} ${probe.adapter.architecture} ${probe.adapter.description}`.trim() +
						(probe.adapter.isFallbackAdapter ? ' (software)' : '')
					: null,
				userAgent: navigator.userAgent,
				libraries: { ...probe.versions, edgebook: '0.1.0' }
			},
			warnings,
			selection: selection.describe
		};
	}

	async function timeFormatOf(table: string, column: string): Promise<TimeFormat> {
		const info = (await deps.data().tables()).find((t) => t.name === table);
		const type = info?.columns.find((col) => col.name === column)?.type.toUpperCase() ?? '';
		if (columnKind(type) !== 'temporal') return 'number';
		return type === 'DATE' ? 'date' : 'timestamp';
	}

	async function runOne(
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
				target: c.target
			},
			features: p.features,
			task: p.task,
			timeFormat: p.timeFormat
		});
		if (!split.ok) return { error: fail(split.error.name, split.error.message) };
		if ('refused' in split) return { error: fail(pascal(split.refused.code), split.refused.message) };
		try {
			return await trainOn(cell, c, p, parentId, onProgress, split);
		} finally {
			// A sweep's trials each encode their own split: free each as it ends, not at the sweep's end.
			void trainApi().release([split.handle]);
		}
	}

	async function trainOn(
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

	async function train(
		cell: TrainCell,
		_job: number,
		onProgress: (e: TrainProgress) => void
	): Promise<Outcome> {
		const c = JSON.parse(JSON.stringify(cell.config)) as TrainConfig;
		let variants: TrainConfig[];
		try {
			variants = expandSweep(c);
			variants.forEach(modelSpec);
		} catch (e) {
			if (e instanceof ConfigError) return fail(e.name, e.message);
			throw e;
		}
		const staged: string[] = [];
		try {
			const prepared = await prepare(cell, c, staged);
			if ('ok' in prepared) return prepared;
			if (variants.length === 1 && c.sweep.mode === 'off') {
				const one = await runOne(cell, variants[0], prepared, null, onProgress);
				return 'error' in one ? one.error : { ok: true, output: one.output, live: false };
			}
			return await sweep(cell, c, variants, prepared, onProgress);
		} catch (e) {
			if (e instanceof Error && e.name === 'StorageFull') return fail(e.name, e.message);
			throw e;
		} finally {
			if (staged.length) void trainApi().release(staged);
		}
	}

	/** Trials one after another in the worker, as child runs; the best by validation loss is marked. */
	async function sweep(
		cell: TrainCell,
		c: TrainConfig,
		variants: TrainConfig[],
		p: Prepared,
		onProgress: (e: TrainProgress) => void
	): Promise<Outcome> {
		const parent = await tracking.startRun({
			experimentId: p.experimentId,
			name: `sweep (${c.sweep.mode}, ${variants.length} trials) → ${c.target}`,
			notebookId: deps.notebook().id,
			cellId: cell.id,
			params: { sweep_mode: c.sweep.mode, sweep_space: c.sweep.space, trials: String(variants.length) },
			lineage: {
				dataFingerprint: p.fingerprint,
				configHash: await stableHash(c),
				seed: c.seed,
				environment: { ...p.environment, backend: c.backend, backendReason: 'per trial' }
			}
		});
		const trials: RunOutput['trials'] = [];
		const swept = Object.keys(parseSpace(c.sweep.space));
		let cancelled = false;
		for (const [i, v] of variants.entries()) {
			onProgress({ kind: 'trial', index: i + 1, of: variants.length, runId: parent.id });
			const one = await runOne(cell, v, p, parent.id, onProgress);
			if ('error' in one) {
				await tracking.finishRun(parent.id, 'failed');
				return one.error;
			}
			// The values this trial tried, for each swept key, so its row says what it was.
			const values = v as unknown as Record<string, unknown>;
			const tried = Object.fromEntries(swept.map((k) => [k, String(values[k])]));
			trials.push({ runId: one.output.runId, params: tried, summary: one.output.summary });
			if (one.output.status === 'cancelled') {
				cancelled = true;
				break;
			}
		}
		// The val_loss of the weights the trial kept (sweep-score.ts); a trial without one never wins.
		const score = (s: Record<string, number>) => sweepScore(s) ?? Infinity;
		const best = trials.reduce((a, b) => (score(b.summary) < score(a.summary) ? b : a));
		await tracking.setTags(parent.id, { 'edgebook.best_run': best.runId });
		await tracking.finishRunWithArtifacts(parent.id, {
			status: cancelled ? 'cancelled' : 'finished',
			summary: best.summary,
			artifacts: []
		});
		return {
			ok: true,
			live: false,
			output: {
				kind: 'run',
				runId: parent.id,
				status: cancelled ? 'cancelled' : 'finished',
				backend: (await tracking.getRun(best.runId))?.tags['edgebook.backend'] ?? '',
				summary: best.summary,
				trials,
				bestRunId: best.runId,
				warnings: p.warnings,
				stop: '',
				split: trials.length ? ((await tracking.getRun(best.runId))?.tags['edgebook.split'] ?? '') : '',
				backendNote: '',
				featureCount: p.features.length
			}
		};
	}

	return {
		train,
		async cancel(): Promise<void> {
			await trainApi().cancel();
		}
	};
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
