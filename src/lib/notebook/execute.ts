import type {
	Cell,
	CellError,
	EvaluateCell,
	EvaluationOutput,
	OnnxCell,
	PredictCell,
	RunOutput,
	SqlOutput,
	TrainCell
} from './schema';
import type { TrainProgress } from '$lib/ml/types';
import { resultTable } from './cells';
import { referencedNames } from '$lib/data/sql-text';
import type { ChartData, DataError } from '$lib/data/types';
import type { Remote } from 'comlink';
import type { DataApi } from '$lib/data/data.worker';

export interface CellContext {
	api: () => Remote<DataApi>;
	/**
	 * Attach the datasets among these names that this tab's DuckDB does not have yet. When `signal` aborts (the
	 * cell's Cancel) the attach is stopped and this answers a `Cancelled` error within the cancel grace period.
	 */
	ensureAttached: (names: string[], opts?: { signal?: AbortSignal }) => Promise<DataError | null>;
	/** Stop a job; when DuckDB does not take the interrupt in time this restarts the engine. */
	cancel: (job: number) => Promise<unknown>;
	/** Tell the notebook when the engine restarted (its tables are gone); returns the unsubscribe. */
	onEngineRestart?: (listener: () => void) => () => void;
	/** Training and evaluation live in src/lib/train; the notebook only schedules them. */
	train: (cell: TrainCell, job: number, onProgress: (p: TrainProgress) => void) => Promise<Outcome>;
	evaluate: (cell: EvaluateCell, job: number) => Promise<Outcome>;
	/** Scores a table with a run's model into the cell's named table (src/lib/train/predict-cell.ts). */
	predict?: (cell: PredictCell, job: number) => Promise<Outcome>;
	/** Scores a table with an imported ONNX graph (src/lib/train/onnx-cell.ts). */
	onnx?: (cell: OnnxCell, job: number) => Promise<Outcome>;
}

export type Outcome =
	| { ok: true; output: SqlOutput | RunOutput | EvaluationOutput | null; live: boolean; chart?: ChartData }
	| { ok: false; output: CellError };

function asCellError(e: DataError): CellError {
	return { kind: 'error', name: e.name, message: e.message, line: e.line, column: e.column };
}

export interface RunOptions {
	/** The job number a Cancel names (src/lib/data/client.ts). */
	job: number;
	/** Aborted by the cell's Cancel: ends waits that are not calls under `job` (attaching a dataset). */
	signal?: AbortSignal;
	onProgress?: (p: TrainProgress) => void;
}

/** Run one cell against the data worker. The scheduler decides order; this only does the work. */
export async function executeCell(cell: Cell, ctx: CellContext, opts: RunOptions): Promise<Outcome> {
	const { job, signal } = opts;
	const onProgress = opts.onProgress ?? (() => {});
	switch (cell.kind) {
		case 'markdown':
			return { ok: true, output: null, live: false };
		case 'sql': {
			const attachError = await ctx.ensureAttached(referencedNames(cell.source), { signal });
			if (attachError) return { ok: false, output: asCellError(attachError) };
			const res = await ctx.api().run({ sql: cell.source, resultTable: resultTable(cell)!, job });
			if (!res.ok) return { ok: false, output: asCellError(res.error) };
			return {
				ok: true,
				live: res.browsable,
				output: {
					kind: 'table',
					table: res.table ?? '',
					columns: res.columns,
					rowCount: res.rowCount,
					elapsedMs: res.elapsedMs,
					preview: res.preview
				}
			};
		}
		case 'chart': {
			const { source, x, y, color, facet } = cell.spec;
			if (!source)
				return {
					ok: false,
					output: { kind: 'error', name: 'ChartSpecError', message: 'Pick a table or cell result to chart.' }
				};
			if (!x)
				return {
					ok: false,
					output: { kind: 'error', name: 'ChartSpecError', message: 'Pick a column for x.' }
				};
			if (cell.spec.mark !== 'histogram' && !y) {
				return {
					ok: false,
					output: {
						kind: 'error',
						name: 'ChartSpecError',
						message: `A ${cell.spec.mark} chart needs a column for y.`
					}
				};
			}
			const attachError = await ctx.ensureAttached([source], { signal });
			if (attachError) return { ok: false, output: asCellError(attachError) };
			const res = await ctx.api().chart({ table: source, mark: cell.spec.mark, x, y, color, facet });
			if (!res.ok) return { ok: false, output: asCellError(res.error) };
			return { ok: true, output: null, live: false, chart: res.data };
		}
		case 'train':
			return ctx.train(cell, job, onProgress);
		case 'evaluate':
			return ctx.evaluate(cell, job);
		case 'predict':
			if (!ctx.predict)
				return {
					ok: false,
					output: { kind: 'error', name: 'NoPredictor', message: 'Predictions are not available here.' }
				};
			return ctx.predict(cell, job);
		case 'onnx':
			if (!ctx.onnx)
				return {
					ok: false,
					output: { kind: 'error', name: 'NoRuntime', message: 'ONNX models cannot be scored here.' }
				};
			return ctx.onnx(cell, job);
	}
}
