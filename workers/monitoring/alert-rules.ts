import type { AlertRule, DriftWindow, PerformanceWindow } from '../../src/lib/contract';
import { PREDICTION_COLUMN } from '../../src/lib/contract';
import { num } from './windows';

/**
 * Whether an alert rule fires on a window (docs/architecture.md, "Monitoring"): pure, over the same drift and
 * performance windows the API answers, so what fires is what the monitoring page shows.
 */

export interface Firing {
	version: number;
	value: number;
	message: string;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const featureName = (f: string) => (f === PREDICTION_COLUMN ? 'the prediction' : `"${f}"`);

/** Each version's firing for the rule in one window of drift (and performance, for metric rules). */
export function judge(rule: AlertRule, drift: DriftWindow[], performance: PerformanceWindow[]): Firing[] {
	const out: Firing[] = [];
	const t = rule.threshold ?? 0;
	const versionOk = (v: number) => rule.version === undefined || rule.version === v;
	const at = (v: number) => `v${v}`;
	if (rule.kind === 'metric_floor' || rule.kind === 'metric_ceiling' || rule.kind === 'estimated_floor') {
		for (const p of performance) {
			if (!versionOk(p.version)) continue;
			if (rule.kind === 'estimated_floor') {
				const e = p.estimatedAccuracy;
				if (e !== null && p.predictions >= rule.minRows && e < t)
					out.push({
						version: p.version,
						value: e,
						message: `${at(p.version)}: estimated accuracy ${pct(e)} is under ${pct(t)} (${p.predictions} predictions, no labels needed).`
					});
				continue;
			}
			const m = p[rule.metric as 'accuracy' | 'macroF1' | 'auc' | 'mae' | 'rmse'];
			if (m === null || p.labelled < rule.minRows) continue;
			const bad = rule.kind === 'metric_floor' ? m < t : m > t;
			if (bad)
				out.push({
					version: p.version,
					value: m,
					message: `${at(p.version)}: ${rule.metric} ${num(m)} is ${rule.kind === 'metric_floor' ? 'under' : 'over'} ${num(t)} on ${p.labelled} labelled predictions.`
				});
		}
		return out;
	}
	if (rule.kind === 'error_rate') {
		for (const w of drift) {
			if (!versionOk(w.version) || w.requests < rule.minRows) continue;
			const errors =
				rule.errors === 'server'
					? w.serverErrors
					: rule.errors === 'client'
						? w.clientErrors
						: w.clientErrors + w.serverErrors;
			const share = errors / w.requests;
			const what =
				rule.errors === 'server' ? 'server errors' : rule.errors === 'client' ? 'refused requests' : 'errors';
			if (share > t)
				out.push({
					version: w.version,
					value: share,
					message: `${at(w.version)}: ${pct(share)} ${what} (${errors} of ${w.requests} requests: ${w.clientErrors} refused, ${w.serverErrors} failed) is over ${pct(t)}.`
				});
		}
		return out;
	}
	for (const w of drift) {
		if (!versionOk(w.version) || w.rows < rule.minRows) continue;
		if (rule.kind === 'latency_p99') {
			if (w.latencyP99 !== null && w.latencyP99 > t)
				out.push({
					version: w.version,
					value: w.latencyP99,
					message: `${at(w.version)}: p99 latency ${num(w.latencyP99)} ms is over ${num(t)} ms (${w.rows} predictions).`
				});
		} else if (rule.kind === 'drift_share') {
			const judged = w.features.filter((f) => f.drifted !== null).length;
			if (judged && w.share >= t)
				out.push({
					version: w.version,
					value: w.share,
					message: `${at(w.version)}: ${w.drifted} of ${judged} features drifted (${pct(w.share)}, the rule's level ${pct(t)}): ${w.features
						.filter((f) => f.drifted)
						.map((f) => featureName(f.feature))
						.join(', ')}.`
				});
		} else if (rule.kind === 'feature_drift') {
			const f = w.features.find((x) => x.feature === rule.feature);
			if (f?.drifted && f.score !== null)
				out.push({
					version: w.version,
					value: f.score,
					message: `${at(w.version)}: ${featureName(f.feature)} drifted (${f.test} ${num(f.score)}, threshold ${num(f.threshold ?? 0)}; ${f.currentCount} values against ${f.referenceCount}).`
				});
		}
	}
	return out;
}
