import { rawInputs } from '../ml/transforms';
import type { Notebook, PredictCell } from '$lib/notebook/schema';
import type { Outcome } from '$lib/notebook/execute';
import { fail } from './cell-error';
import { resultTable } from '$lib/notebook/cells';
import type { Remote } from 'comlink';
import type { DataApi } from '$lib/data/data.worker';
import type { Datasets } from '$lib/data/datasets.svelte';
import { quoteIdent } from '$lib/data/sql-ident';
import { artifactsOf, getRun } from '$lib/tracking/runs';
import { trainApi } from './client';
import { pipeFrame } from './frame-pipe';
import type { Preprocessing } from '../ml/types';

/**
 * Predict cells score a table with a run's model into a named table: the input columns, `predicted` and, for a
 * classifier, `prob_<class>`. Rows leave DuckDB as columns (Arrow-built), predictions go back as Arrow, and
 * DuckDB joins them by position, so later SQL and chart cells read the result like any cell's table.
 */
export function createPredictor(deps: {
	notebook: () => Notebook;
	datasets: Datasets;
	data: () => Remote<DataApi>;
}) {
	return async function predict(cell: PredictCell, job: number): Promise<Outcome> {
		const train = deps.notebook().cells.find((c) => c.id === cell.trainCellId && c.kind === 'train');
		const fromCell =
			train?.kind === 'train' && train.output?.kind === 'run'
				? (train.output.bestRunId ?? train.output.runId)
				: '';
		const runId = cell.runId || fromCell;
		if (!runId) return fail('NoModel', 'Pick a train cell that has a finished run (run it first).');
		if (!cell.data) return fail('NoData', 'Pick a table to predict.');
		const run = await getRun(runId);
		if (!run)
			return fail('RunNotFound', `Run ${runId.slice(0, 10)} is not in this browser any more (deleted?).`);
		if (run.status !== 'finished' && run.status !== 'cancelled')
			return fail(
				'RunNotFinished',
				`Run ${runId.slice(0, 10)} is ${run.status}; only a finished run has a model.`
			);
		const files = new Map((await artifactsOf(runId)).map((a) => [a.name, a.blob]));
		const modelJson = files.get('model.json');
		const weights = files.get('weights.bin');
		const prepBlob = files.get('preprocessing.json');
		if (!modelJson || !weights || !prepBlob)
			return fail('MissingArtifact', `Run ${runId.slice(0, 10)} is missing its model files.`);
		const prep = JSON.parse(await prepBlob.text()) as Preprocessing;
		const attach = await deps.datasets.ensureAttached([cell.data]);
		if (attach) return fail(attach.name, attach.message);
		const have = (await deps.data().tables()).find((t) => t.name === cell.data)?.columns.map((c) => c.name);
		// The raw columns: a feature a declared transform writes is computed from its source when encoding.
		const inputs = [...rawInputs(prep).keys()];
		const missing = have ? inputs.filter((n) => !have.includes(n)) : [];
		if (missing.length)
			return fail(
				'MissingColumns',
				`${cell.data} lacks ${missing.map((m) => `"${m}"`).join(', ')}, which the model needs.`
			);
		// Only the features: the target may be absent (new rows) or hold a class the model never saw. Encoding and
		// scoring run in the train worker, on rows piped there from the data worker.
		const piped = await pipeFrame(deps.data(), trainApi(), {
			table: cell.data,
			columns: inputs
		});
		if (!piped.ok) return fail(piped.error.name, piped.error.message);
		let out;
		try {
			out = await trainApi().predictFrame({
				frame: piped.ref.handle,
				prep,
				artifacts: { modelJson: await modelJson.text(), weights: await weights.arrayBuffer() }
			});
		} finally {
			void trainApi().release([piped.ref.handle]);
		}
		if (!out.ok) return fail(out.error.name, out.error.message);
		const { columns } = out;
		const staging = `_predict_${cell.id}`;
		const inserted = await deps.data().insertColumns({ table: staging, columns });
		if (!inserted.ok) return fail(inserted.error.name, inserted.error.message);
		// Input columns named like a prediction column give way to it (predicting a predictions table again).
		const clash = (have ?? []).filter((n) => columns.some((c) => c.name.toLowerCase() === n.toLowerCase()));
		const exclude = clash.length ? ` EXCLUDE (${clash.map(quoteIdent).join(', ')})` : '';
		const sql = `SELECT s.*${exclude}, p.* FROM ${quoteIdent(cell.data)} AS s POSITIONAL JOIN ${quoteIdent(staging)} AS p`;
		const ran = await deps.data().run({ sql, resultTable: resultTable(cell)!, job });
		await deps.data().drop({ table: staging });
		if (!ran.ok) return fail(ran.error.name, ran.error.message);
		return {
			ok: true,
			live: ran.browsable,
			output: {
				kind: 'table',
				table: ran.table ?? '',
				columns: ran.columns,
				rowCount: ran.rowCount,
				elapsedMs: ran.elapsedMs,
				preview: ran.preview
			}
		};
	};
}
