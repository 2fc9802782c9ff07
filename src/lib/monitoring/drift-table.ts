import type { DriftReport } from '$lib/contract';
import { PREDICTION_COLUMN } from '$lib/contract';

/**
 * A drift report as a notebook table (drift_<model>): one row per window, version and feature, so SQL can ask what
 * the page draws (which features drift most often, since when). Columns: window_start (ms), window (ISO), window_ms,
 * version, rows, latency_p50_ms, latency_p99_ms, feature ("prediction" for the output), kind, test, score,
 * threshold, drifted (null where no result), current_count, reference_count, note, dataset_drift, drift_share.
 */
export function driftRows(report: DriftReport): Record<string, unknown>[] {
	return report.windows.flatMap((w) =>
		w.features.map((f) => ({
			window_start: w.start,
			window: new Date(w.start).toISOString(),
			window_ms: w.windowMs,
			version: w.version,
			rows: w.rows,
			latency_p50_ms: w.latencyP50,
			latency_p99_ms: w.latencyP99,
			feature: f.feature === PREDICTION_COLUMN ? 'prediction' : f.feature,
			kind: f.kind,
			test: f.test,
			score: f.score,
			threshold: f.threshold,
			drifted: f.drifted,
			current_count: f.currentCount,
			reference_count: f.referenceCount,
			note: f.note ?? null,
			dataset_drift: w.datasetDrift,
			drift_share: w.share
		}))
	);
}

export function driftTableFile(model: string, report: DriftReport): File {
	const text = driftRows(report)
		.map((r) => JSON.stringify(r))
		.join('\n');
	return new File([text], `drift_${model.replace(/[^A-Za-z0-9]+/g, '_')}.ndjson`, {
		type: 'application/x-ndjson'
	});
}
