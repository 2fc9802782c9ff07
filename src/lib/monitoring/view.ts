import type { DriftReport, PerformanceWindow } from '$lib/contract';
import { PREDICTION_COLUMN } from '$lib/contract';

/**
 * What the monitoring page draws, from the registry's drift and performance answers (docs/architecture.md,
 * "Monitoring"): plain rows per window, so the charts, the table beside them and the tests read the same numbers.
 */

export interface TrafficPoint {
	start: number;
	version: number;
	rows: number;
	latencyP50: number | null;
	latencyP99: number | null;
	/** Every answer, whatever the log's sample rate; refused (4xx) and failed (5xx) apart. */
	requests: number;
	clientErrors: number;
	serverErrors: number;
	errorRate: number | null;
}

export type HeatState = 'drift' | 'ok' | 'none';

export interface HeatCell {
	start: number;
	version: number;
	feature: string;
	state: HeatState;
	/** e.g. "ks p = 0.0003 < 0.05" or "wasserstein 0.23 ≥ 0.1"; why there is none otherwise. */
	detail: string;
}

export interface PerformancePoint {
	start: number;
	version: number;
	metric: string;
	value: number;
	/** Real (on labelled rows) or estimated from the probabilities before labels. */
	kind: 'real' | 'estimated';
}

export interface WindowSummary {
	start: number;
	version: number;
	rows: number;
	requests: number;
	errorRate: number | null;
	drifted: string[];
	share: number;
	datasetDrift: boolean;
	accuracy: number | null;
	estimatedAccuracy: number | null;
}

export interface MonitorView {
	traffic: TrafficPoint[];
	heat: HeatCell[];
	features: string[];
	performance: PerformancePoint[];
	windows: WindowSummary[];
	/** Over every window: requests answered and those answered with an error (4xx or 5xx). */
	totalRequests: number;
	totalErrors: number;
	/** Versions with no reference profile, and why. */
	missing: { version: number; reason: string }[];
	totalRows: number;
}

/** A moment as the monitoring panels list it: UTC, to the minute ("2026-12-03 09:41"). */
export const minuteOf = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** The prediction's column reads as "prediction" on the page. */
export const featureLabel = (f: string) => (f === PREDICTION_COLUMN ? 'prediction' : f);

const P_VALUE_TESTS = new Set(['ks', 'chisquare', 'z']);

function fmt(x: number): string {
	if (x === 0) return '0';
	const a = Math.abs(x);
	return a < 1e-3 || a >= 1e5 ? x.toExponential(1) : String(Number(x.toPrecision(3)));
}

function detailOf(f: DriftReport['windows'][number]['features'][number]): string {
	if (f.drifted === null || f.score === null || f.threshold === null || f.test === null)
		return f.note ?? 'no result';
	if (P_VALUE_TESTS.has(f.test))
		return `${f.test} p = ${fmt(f.score)} ${f.drifted ? '<' : '≥'} ${fmt(f.threshold)}`;
	return `${f.test} ${fmt(f.score)} ${f.drifted ? '≥' : '<'} ${fmt(f.threshold)}`;
}

export function monitorView(drift: DriftReport, performance: PerformanceWindow[]): MonitorView {
	const traffic = drift.windows.map((w) => ({
		start: w.start,
		version: w.version,
		rows: w.rows,
		latencyP50: w.latencyP50,
		latencyP99: w.latencyP99,
		requests: w.requests,
		clientErrors: w.clientErrors,
		serverErrors: w.serverErrors,
		errorRate: w.errorRate
	}));
	const features: string[] = [];
	const heat: HeatCell[] = [];
	for (const w of drift.windows)
		for (const f of w.features) {
			const name = featureLabel(f.feature);
			if (!features.includes(name)) features.push(name);
			heat.push({
				start: w.start,
				version: w.version,
				feature: name,
				state: f.drifted === null ? 'none' : f.drifted ? 'drift' : 'ok',
				detail: detailOf(f)
			});
		}
	const perf = new Map(performance.map((p) => [`${p.start}:${p.version}`, p]));
	const points: PerformancePoint[] = [];
	for (const p of performance) {
		const add = (metric: string, value: number | null, kind: PerformancePoint['kind']) => {
			if (value !== null && Number.isFinite(value))
				points.push({ start: p.start, version: p.version, metric, value, kind });
		};
		add('accuracy', p.accuracy, 'real');
		add('macro F1', p.macroF1, 'real');
		add('AUC', p.auc, 'real');
		add('MAE', p.mae, 'real');
		add('RMSE', p.rmse, 'real');
		add('accuracy', p.estimatedAccuracy, 'estimated');
	}
	const windows = drift.windows.map((w) => {
		const p = perf.get(`${w.start}:${w.version}`);
		return {
			start: w.start,
			version: w.version,
			rows: w.rows,
			requests: w.requests,
			errorRate: w.errorRate,
			drifted: w.features.filter((f) => f.drifted).map((f) => featureLabel(f.feature)),
			share: w.share,
			datasetDrift: w.datasetDrift,
			accuracy: p?.accuracy ?? null,
			estimatedAccuracy: p?.estimatedAccuracy ?? null
		};
	});
	return {
		traffic,
		heat,
		features,
		performance: points,
		windows,
		missing: drift.references
			.filter((r) => r.source === null)
			.map((r) => ({ version: r.version, reason: r.missing ?? 'no reference profile' })),
		totalRows: traffic.reduce((n, t) => n + t.rows, 0),
		totalRequests: traffic.reduce((n, t) => n + t.requests, 0),
		totalErrors: traffic.reduce((n, t) => n + t.clientErrors + t.serverErrors, 0)
	};
}
