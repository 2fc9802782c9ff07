import type { EvaluationReport } from '../ml/types';

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
