import type { EvaluateCell, Notebook } from '$lib/notebook/schema';
import type { Outcome } from '$lib/notebook/execute';
import type { Remote } from 'comlink';
import type { DataApi } from '$lib/data/data.worker';
import type { Datasets } from '$lib/data/datasets.svelte';
import { artifactsOf, getRun, saveArtifacts } from '$lib/tracking/runs';
import { encode } from '../ml/preprocess';
import { testReport } from './report';
import type { EvaluationReport, Preprocessing, Task } from '../ml/types';

function fail(name: string, message: string): Outcome {
	return { ok: false, output: { kind: 'error', name, message } };
}

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
				output: { kind: 'evaluation', runId, data: '', report: report as never }
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
		const needed = [...prep.features.map((f) => f.name), prep.target.name];
		const res = await deps.data().frame({ table: cell.data, columns: null });
		if (!res.ok) return fail(res.error.name, res.error.message);
		const have = new Set(res.frame.columns.map((c) => c.name));
		const missing = needed.filter((n) => !have.has(n));
		if (missing.length) {
			return fail(
				'MissingColumns',
				`${cell.data} lacks ${missing.map((m) => `"${m}"`).join(', ')}, which the model needs.`
			);
		}
		let encoded;
		try {
			encoded = encode(prep, res.frame);
		} catch (e) {
			return fail(e instanceof Error ? e.name : 'EncodeError', e instanceof Error ? e.message : String(e));
		}
		const keep = Array.from({ length: encoded.rows }, (_, i) => i).filter((i) =>
			Number.isFinite(encoded.y[i])
		);
		if (keep.length === 0)
			return fail(
				'NoLabels',
				`${cell.data} has no rows with a value in "${prep.target.name}" to score against.`
			);
		const task: Task = prep.target.task;
		const test = {
			x: Float32Array.from(
				keep.flatMap((i) => Array.from(encoded.x.subarray(i * encoded.width, (i + 1) * encoded.width)))
			),
			y: Float32Array.from(keep.map((i) => encoded.y[i])),
			rows: keep.length,
			width: encoded.width
		};
		const report = await testReport({
			prep,
			task,
			test,
			artifacts: { modelJson: await modelJson.text(), weights: await weights.arrayBuffer() }
		});
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
			output: { kind: 'evaluation', runId, data: cell.data, report: report as never }
		};
	};
}
