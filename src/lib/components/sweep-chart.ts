import type { RunOutput } from '$lib/notebook/schema';
import type { Run } from '$lib/tracking/run-schema';
import { SWEEP_OBJECTIVE, sweepScore } from '$lib/ml/sweep-score';
import type { ChartTrial } from './parallel-layout';

/** What the parallel-coordinates view of one sweep draws: the trials, the swept keys and the metrics. */
export interface SweepChart {
	trials: ChartTrial[];
	params: string[];
	metrics: string[];
	objective: string;
	bestId: string | null;
}

/** The test split's headline number beside the objective: accuracy for classifiers, MAE for regression. */
const HEADLINE = ['test_accuracy', 'test_mae'];

function metricsOf(summaries: readonly Record<string, number>[]): string[] {
	const headline = HEADLINE.find((k) => summaries.some((s) => Number.isFinite(s[k])));
	return headline ? [SWEEP_OBJECTIVE, headline] : [SWEEP_OBJECTIVE];
}

function valuesOf(params: Record<string, string>, summary: Record<string, number>, metrics: string[]) {
	const values: ChartTrial['values'] = { ...params };
	for (const m of metrics) values[m] = m === SWEEP_OBJECTIVE ? sweepScore(summary) : summary[m];
	return values;
}

/** A train cell's sweep output. A cancelled sweep stopped inside its last trial, which is said so. */
export function chartFromOutput(out: RunOutput): SweepChart {
	const params = [...new Set(out.trials.flatMap((t) => Object.keys(t.params)))];
	const metrics = metricsOf(out.trials.map((t) => t.summary));
	const last = out.trials.length - 1;
	return {
		params,
		metrics,
		objective: SWEEP_OBJECTIVE,
		bestId: out.bestRunId,
		trials: out.trials.map((t, i) => ({
			id: t.runId,
			label: `trial ${i + 1}`,
			status: out.status === 'cancelled' && i === last ? 'cancelled' : 'finished',
			values: valuesOf(t.params, t.summary, metrics)
		}))
	};
}

/** `learningRate` (a sweep space key) → `learning_rate` (the run param it is recorded as, model-spec.ts). */
export const paramName = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The keys of the sweep space the parent run recorded; none when it is not a sweep or the text is damaged. */
export function sweptKeys(parent: Run): string[] {
	try {
		const space: unknown = JSON.parse(parent.params.sweep_space ?? '');
		return space && typeof space === 'object' && !Array.isArray(space) ? Object.keys(space) : [];
	} catch {
		return [];
	}
}

/**
 * A sweep's parent run and its child runs, as the run page has them: trials in the order they ran, failed or
 * interrupted ones included, the best as the sweep tagged it.
 */
export function chartFromRuns(parent: Run, children: readonly Run[]): SweepChart {
	const ordered = [...children].sort((a, b) => a.startedAt - b.startedAt);
	const keys = sweptKeys(parent);
	const metrics = metricsOf(ordered.map((r) => r.summary));
	return {
		params: keys,
		metrics,
		objective: SWEEP_OBJECTIVE,
		bestId: parent.tags['edgebook.best_run'] ?? null,
		trials: ordered.map((r, i) => ({
			id: r.id,
			label: `trial ${i + 1}`,
			status: r.status,
			values: valuesOf(
				Object.fromEntries(keys.map((k) => [k, r.params[paramName(k)] ?? r.params[k] ?? ''])),
				r.summary,
				metrics
			)
		}))
	};
}
