import { trainApi } from './client';
import { classificationReport, regressionReport } from '../ml/metrics';
import { decodeRegression } from '../ml/preprocess';
import type { ModelArtifacts } from './engine/artifacts';
import type { Backend, Encoded, EvaluationReport, Preprocessing, Task } from '../ml/types';

/** Score encoded rows with a saved model: predictions in the train worker, metrics here (pure, tested). */
export async function testReport(opts: {
	prep: Preprocessing;
	task: Task;
	test: Encoded;
	artifacts: ModelArtifacts;
	backend?: Backend;
}): Promise<EvaluationReport> {
	const { prep, test } = opts;
	const res = await trainApi().predict({
		artifacts: opts.artifacts,
		x: test.x,
		rows: test.rows,
		width: test.width,
		backend: opts.backend
	});
	if (!res.ok) {
		const e = new Error(res.error.message);
		e.name = res.error.name;
		throw e;
	}
	if (prep.target.task === 'regression') {
		return regressionReport(decodeRegression(prep, test.y), decodeRegression(prep, res.values));
	}
	return classificationReport(Int32Array.from(test.y), res.values, prep.target.classes);
}

/** The few numbers a run is sorted and compared by; NaN (an undefined AUC, say) is left out, not stored. */
export function reportSummary(
	report: EvaluationReport,
	extra: Record<string, number> = {}
): Record<string, number> {
	const s: Record<string, number> =
		report.task === 'regression'
			? { test_mae: report.mae, test_rmse: report.rmse, test_r2: report.r2 }
			: {
					test_accuracy: report.accuracy,
					test_f1_macro: report.macro.f1,
					test_auc: report.roc.reduce((a, r) => a + r.auc, 0) / Math.max(report.roc.length, 1)
				};
	return Object.fromEntries(Object.entries({ ...s, ...extra }).filter(([, v]) => Number.isFinite(v)));
}
