import type { Notebook, RunOutput, TrainCell, TrainConfig } from '$lib/notebook/schema';
import type { Outcome } from '$lib/notebook/execute';
import type { DataApi } from '$lib/data/data.worker';
import type { Datasets } from '$lib/data/datasets.svelte';
import type { Remote } from 'comlink';
import * as tracking from '$lib/tracking/runs';
import { trainApi } from './client';
import { expandSweep, parseSpace } from './sweep';
import { sweepScore } from '../ml/sweep-score';
import { ConfigError, modelSpec } from './model-spec';
import { stableHash } from '../ml/config-hash';
import type { TrainProgress } from '../ml/types';
import { prepareTable, type Prepared } from './prepare-table';
import { trainRun } from './train-run';
import { fail } from './cell-error';

export interface TrainerDeps {
	notebook: () => Notebook;
	datasets: Datasets;
	data: () => Remote<DataApi>;
}

/**
 * Train cells: pipe the table from the data worker to the train worker, and there check it, split, fit
 * preprocessing on the training rows only, encode, train (the training session) and score the test split; record
 * everything as a run in IndexedDB here. The page never holds the rows (docs/architecture.md, "The training
 * session"); `staged` collects the handles to release when the cell ends, however it ends.
 */
export function createTrainer(deps: TrainerDeps) {
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
			const prepared = await prepareTable(deps, cell, c, staged);
			if ('ok' in prepared) return prepared;
			if (variants.length === 1 && c.sweep.mode === 'off') {
				const one = await trainRun(deps, cell, variants[0], prepared, null, onProgress);
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
			const one = await trainRun(deps, cell, v, p, parent.id, onProgress);
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
