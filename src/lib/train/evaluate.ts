import type { EvaluateCell, Notebook } from '$lib/notebook/schema';
import type { Outcome } from '$lib/notebook/execute';
import { fail } from './cell-error';
import type { Remote } from 'comlink';
import type { DataApi } from '$lib/data/data.worker';
import type { Datasets } from '$lib/data/datasets.svelte';
import { artifactsOf, getRun, saveArtifacts } from '$lib/tracking/runs';
import { trainApi } from './client';
import { pipeFrame } from './frame-pipe';
import type { EvaluationReport, Preprocessing } from '../ml/types';

/**
 * Evaluate cells score a run's model: on its own test split (the report saved with the run), or on any table
 * that has the model's feature and target columns, encoded with the preprocessing fit at training time.
 */
export function createEvaluator(deps: {
	notebook: () => Notebook;
	datasets: Datasets;
	data: () => Remote<DataApi>;
}) {
	return async function evaluate(cell: EvaluateCell): Promise<Outcome> {
		const train = deps.notebook().cells.find((c) => c.id === cell.trainCellId && c.kind === 'train');
		const fromCell =
			train?.kind === 'train' && train.output?.kind === 'run'
				? (train.output.bestRunId ?? train.output.runId)
				: '';
		const runId = cell.runId || fromCell;
		if (!runId) return fail('NoModel', 'Pick a train cell that has a finished run (run it first).');
		const run = await getRun(runId);
		if (!run)
			return fail('RunNotFound', `Run ${runId.slice(0, 10)} is not in this browser any more (deleted?).`);
		if (run.status !== 'finished' && run.status !== 'cancelled') {
			return fail(
				'RunNotFinished',
				`Run ${runId.slice(0, 10)} is ${run.status}; only a finished run has a model to score.`
			);
		}
		const files = new Map((await artifactsOf(runId)).map((a) => [a.name, a.blob]));
		if (!cell.data) {
			const saved = files.get('evaluation.json');
			if (!saved)
				return fail('MissingArtifact', `Run ${runId.slice(0, 10)} has no saved test-split evaluation.`);
			const { report } = JSON.parse(await saved.text()) as { report: EvaluationReport };
			return {
				ok: true,
				live: false,
				output: { kind: 'evaluation', runId, data: '', report: report as never, note: '' }
			};
		}
		const modelJson = files.get('model.json');
		const weights = files.get('weights.bin');
		const prepBlob = files.get('preprocessing.json');
		if (!modelJson || !weights || !prepBlob)
			return fail('MissingArtifact', `Run ${runId.slice(0, 10)} is missing its model files.`);
		const prep = JSON.parse(await prepBlob.text()) as Preprocessing;
		const attach = await deps.datasets.ensureAttached([cell.data]);
		if (attach) return fail(attach.name, attach.message);
		// Encoding, scoring and the report run in the train worker, on rows piped there from the data worker:
		// a 1M-row table froze the page for 14-19 s when this ran here (docs/architecture.md).
		const piped = await pipeFrame(deps.data(), trainApi(), { table: cell.data, columns: null });
		if (!piped.ok) return fail(piped.error.name, piped.error.message);
		let scored;
		try {
			scored = await trainApi().evaluateFrame({
				frame: piped.ref.handle,
				table: cell.data,
				prep,
				artifacts: { modelJson: await modelJson.text(), weights: await weights.arrayBuffer() }
			});
		} finally {
			void trainApi().release([piped.ref.handle]);
		}
		if (!scored.ok) return fail(scored.error.name, scored.error.message);
		const { report } = scored;
		const test = { rows: scored.rows };
		await saveArtifacts(runId, [
			{
				name: `evaluation-${cell.data}.json`,
				mediaType: 'application/json',
				data: JSON.stringify({ table: cell.data, rows: test.rows, report })
			}
		]);
		return {
			ok: true,
			live: false,
			output: { kind: 'evaluation', runId, data: cell.data, report: report as never, note: '' }
		};
	};
}
