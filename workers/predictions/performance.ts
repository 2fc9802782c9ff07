import type { PerformanceWindow } from '../../src/lib/contract';
import { classificationReport } from '../../src/lib/ml/metrics';

/**
 * Live performance per time window and version, from the log object's outcomes joined with their labels: the
 * evaluate cell's own definitions (src/lib/ml/metrics.ts, scikit-learn's) on the labelled rows, and the estimated
 * accuracy (confidence-based, as NannyML's CBPE) on every row, labelled or not.
 */

export type JoinedOutcome = {
	at: number;
	version: number;
	kind: 'class' | 'value' | 'none';
	predicted: string | null;
	/** JSON of the class probabilities, or null. */
	probs: string | null;
	value: number | null;
	/** The label's text (classifier) or value (regressor), or null when none has come. */
	labelText: string | null;
	labelValue: number | null;
};

export function performanceWindows(rows: JoinedOutcome[], windowMs: number): PerformanceWindow[] {
	const groups = new Map<string, JoinedOutcome[]>();
	for (const r of rows) {
		const start = Math.floor(r.at / windowMs) * windowMs;
		const key = `${start}\n${r.version}`;
		const g = groups.get(key);
		if (g) g.push(r);
		else groups.set(key, [r]);
	}
	return [...groups.entries()]
		.map(([key, g]) => {
			const [start, version] = key.split('\n').map(Number);
			return { start, windowMs, version, ...figures(g) };
		})
		.sort((a, b) => a.start - b.start || a.version - b.version);
}

function figures(rows: JoinedOutcome[]): Omit<PerformanceWindow, 'start' | 'windowMs' | 'version'> {
	const classes = rows.filter((r) => r.kind === 'class');
	const values = rows.filter((r) => r.kind === 'value');
	const empty = {
		predictions: rows.length,
		labelled: 0,
		task: null,
		accuracy: null,
		macroF1: null,
		auc: null,
		mae: null,
		rmse: null,
		estimatedAccuracy: null
	};
	if (classes.length >= values.length && classes.length > 0) return { ...empty, ...classification(classes) };
	if (values.length > 0) return { ...empty, ...regression(values) };
	return empty;
}

function classification(rows: JoinedOutcome[]) {
	const parsed = rows.map((r) => ({
		...r,
		p: r.probs ? (JSON.parse(r.probs) as Record<string, number>) : null
	}));
	const withProbs = parsed.filter((r) => r.p);
	const estimatedAccuracy = withProbs.length
		? withProbs.reduce((a, r) => a + Math.max(...Object.values(r.p!)), 0) / withProbs.length
		: null;
	const labelled = parsed.filter((r) => r.labelText !== null);
	const out = {
		task: 'classification' as const,
		labelled: labelled.length,
		estimatedAccuracy,
		accuracy: null as number | null,
		macroF1: null as number | null,
		auc: null as number | null
	};
	if (!labelled.length) return out;
	const names = labelled[0].p ? Object.keys(labelled[0].p) : null;
	if (names && names.length >= 2 && labelled.every((r) => r.p && names.every((n) => n in r.p!))) {
		const k = names.length;
		const probs = new Float32Array(labelled.length * k);
		const truth = new Int32Array(labelled.length);
		labelled.forEach((r, i) => {
			names.forEach((n, c) => (probs[i * k + c] = r.p![n]));
			truth[i] = names.indexOf(r.labelText!);
		});
		if (truth.every((t) => t >= 0)) {
			const report = classificationReport(truth, probs, names);
			const aucs = report.roc.map((r) => r.auc).filter((a) => Number.isFinite(a));
			return {
				...out,
				accuracy: report.accuracy,
				macroF1: report.macro.f1,
				auc: aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : null
			};
		}
	}
	// No probabilities to rank by: accuracy from the labels alone.
	return { ...out, accuracy: labelled.filter((r) => r.predicted === r.labelText).length / labelled.length };
}

function regression(rows: JoinedOutcome[]) {
	const labelled = rows.filter((r) => r.labelValue !== null && r.value !== null);
	if (!labelled.length) return { task: 'regression' as const, labelled: 0, mae: null, rmse: null };
	let abs = 0;
	let sq = 0;
	for (const r of labelled) {
		const e = r.labelValue! - r.value!;
		abs += Math.abs(e);
		sq += e * e;
	}
	return {
		task: 'regression' as const,
		labelled: labelled.length,
		mae: abs / labelled.length,
		rmse: Math.sqrt(sq / labelled.length)
	};
}
