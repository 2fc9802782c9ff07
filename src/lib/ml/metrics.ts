/**
 * Evaluation metrics over plain typed arrays, shared by the evaluate cell in the browser and the Worker's
 * server-side evaluation. Definitions follow scikit-learn, so numbers match what users check them against:
 *   - precision, recall, F1 per class; a zero denominator gives 0 (sklearn's zero_division=0); macro = the
 *     unweighted mean over all classes, F1 included (the mean of the F1s, not the F1 of the means);
 *   - ROC one-vs-rest, one point per distinct score, AUC by the trapezoid rule: tied scores move the curve
 *     diagonally, which counts a tied positive/negative pair as half, as the Mann–Whitney statistic does;
 *   - average precision = Σ (Rₙ − Rₙ₋₁) · Pₙ over distinct thresholds, without interpolation;
 *   - R² = 1 − SS_res / SS_tot; for a constant yTrue it is 1 when every prediction is exact, else 0 (sklearn's
 *     force_finite), so a report never holds an infinity.
 * NaN marks a value with no definition: AUC of a class with no positive or no negative rows, AP of a class
 * without positives (their curves are then empty). JSON turns NaN into null: the contract must allow it.
 */
import type { ClassificationReport, RegressionReport } from './types';

/** Curves keep at most this many points (endpoints included); AUC and AP use every threshold regardless. */
export const MAX_CURVE_POINTS = 1000;
/** The residual plot's sample size. */
export const MAX_RESIDUALS = 2000;

/** `cap` evenly strided indices of 0…m − 1, first and last included; all of them when m ≤ cap. */
function strided(m: number, cap: number): number[] {
	if (m <= cap) return Array.from({ length: m }, (_, i) => i);
	return Array.from({ length: cap }, (_, i) => Math.round((i * (m - 1)) / (cap - 1)));
}

interface Curves {
	auc: number;
	roc: { fpr: number; tpr: number }[];
	averagePrecision: number;
	pr: { recall: number; precision: number }[];
}

/** ROC and PR of `scores` against `positive`, one threshold per distinct score, highest first. */
export function curves(scores: Float64Array, positive: Uint8Array): Curves {
	const n = scores.length;
	const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
	let P = 0;
	for (let i = 0; i < n; i++) P += positive[i];
	const N = n - P;

	// Counts (fp, tp) after each threshold, in integers so collinearity below is exact.
	const fps = [0];
	const tps = [0];
	const pr: { recall: number; precision: number }[] = [{ recall: 0, precision: 1 }];
	let tp = 0;
	let fp = 0;
	let ap = 0;
	for (let i = 0; i < n;) {
		const s = scores[order[i]];
		const before = tp;
		for (; i < n && scores[order[i]] === s; i++) {
			if (positive[order[i]]) tp++;
			else fp++;
		}
		fps.push(fp);
		tps.push(tp);
		if (P > 0) {
			ap += ((tp - before) / P) * (tp / (tp + fp));
			pr.push({ recall: tp / P, precision: tp / (tp + fp) });
		}
	}

	let auc = NaN;
	let roc: Curves['roc'] = [];
	if (P > 0 && N > 0) {
		let area = 0;
		for (let i = 1; i < fps.length; i++) area += ((fps[i] - fps[i - 1]) * (tps[i] + tps[i - 1])) / 2;
		auc = area / (P * N);
		// Runs of positives (or negatives) are straight lines: only their ends matter for the plot.
		const kept = [0];
		for (let i = 1; i < fps.length - 1; i++) {
			const a = kept[kept.length - 1];
			const straight =
				(fps[i] - fps[a]) * (tps[i + 1] - tps[a]) === (tps[i] - tps[a]) * (fps[i + 1] - fps[a]);
			if (!straight) kept.push(i);
		}
		kept.push(fps.length - 1);
		roc = strided(kept.length, MAX_CURVE_POINTS).map((j) => ({
			fpr: fps[kept[j]] / N,
			tpr: tps[kept[j]] / P
		}));
	}
	return {
		auc,
		roc,
		averagePrecision: P > 0 ? ap : NaN,
		pr: P > 0 ? strided(pr.length, MAX_CURVE_POINTS).map((j) => pr[j]) : []
	};
}

/**
 * `probs` is rows × k row-major with k = classes.length, or, for two classes, rows × 1 holding the probability of
 * classes[1] (a sigmoid output). The prediction is the most probable class, the first on a tie, so a sigmoid
 * output of exactly 0.5 predicts classes[0]. Throws RangeError on shapes that disagree or labels out of range.
 */
export function classificationReport(
	yTrue: Int32Array,
	probs: Float32Array,
	classes: string[]
): ClassificationReport {
	const n = yTrue.length;
	const k = classes.length;
	if (k < 2) throw new RangeError(`Need at least 2 classes, got ${k}.`);
	if (n === 0) throw new RangeError('No rows to evaluate.');
	const sigmoid = k === 2 && probs.length === n;
	if (!sigmoid && probs.length !== n * k)
		throw new RangeError(
			`probs has ${probs.length} values; expected ${n} × ${k}${k === 2 ? ` or ${n}` : ''}.`
		);
	const score = sigmoid
		? (i: number, c: number) => (c === 1 ? probs[i] : 1 - probs[i])
		: (i: number, c: number) => probs[i * k + c];

	const confusion = classes.map(() => new Array<number>(k).fill(0));
	let correct = 0;
	for (let i = 0; i < n; i++) {
		const actual = yTrue[i];
		if (!(actual >= 0 && actual < k))
			throw new RangeError(`Row ${i} has label ${actual}, outside 0…${k - 1}.`);
		let predicted = 0;
		for (let c = 1; c < k; c++) if (score(i, c) > score(i, predicted)) predicted = c;
		confusion[actual][predicted]++;
		if (predicted === actual) correct++;
	}

	const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
	const perClass = classes.map((label, c) => {
		const support = confusion[c].reduce((s, v) => s + v, 0);
		const predictedAs = confusion.reduce((s, row) => s + row[c], 0);
		const precision = ratio(confusion[c][c], predictedAs);
		const recall = ratio(confusion[c][c], support);
		return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
	});
	const mean = (key: 'precision' | 'recall' | 'f1') => perClass.reduce((s, p) => s + p[key], 0) / k;

	const roc: ClassificationReport['roc'] = [];
	const pr: ClassificationReport['pr'] = [];
	for (const c of k === 2 ? [1] : classes.map((_, c) => c)) {
		const scores = new Float64Array(n);
		const positive = new Uint8Array(n);
		for (let i = 0; i < n; i++) {
			scores[i] = score(i, c);
			positive[i] = yTrue[i] === c ? 1 : 0;
		}
		const curve = curves(scores, positive);
		roc.push({ label: classes[c], auc: curve.auc, points: curve.roc });
		pr.push({ label: classes[c], averagePrecision: curve.averagePrecision, points: curve.pr });
	}

	return {
		task: k === 2 ? 'binary' : 'multiclass',
		classes: [...classes],
		accuracy: correct / n,
		macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
		perClass,
		confusion,
		roc,
		pr
	};
}

/** MAE, RMSE, R² and a residual sample (residual = actual − predicted), every MAX_RESIDUALS-th row evenly. */
export function regressionReport(yTrue: Float64Array, yPred: Float64Array): RegressionReport {
	const n = yTrue.length;
	if (yPred.length !== n) throw new RangeError(`yTrue has ${n} rows, yPred ${yPred.length}.`);
	if (n === 0) throw new RangeError('No rows to evaluate.');
	let absolute = 0;
	let squared = 0;
	let sum = 0;
	let constant = true;
	for (let i = 0; i < n; i++) {
		const e = yTrue[i] - yPred[i];
		absolute += Math.abs(e);
		squared += e * e;
		sum += yTrue[i];
		if (yTrue[i] !== yTrue[0]) constant = false;
	}
	const mean = sum / n;
	let total = 0;
	for (let i = 0; i < n; i++) total += (yTrue[i] - mean) ** 2;
	// Tested on the values, not on total === 0: the mean of equal values can be off by an ulp, leaving total tiny.
	const r2 = constant ? (squared === 0 ? 1 : 0) : 1 - squared / total;

	const picks = n <= MAX_RESIDUALS ? n : MAX_RESIDUALS;
	const residuals = Array.from({ length: picks }, (_, j) => {
		const i = Math.floor((j * n) / picks);
		return { predicted: yPred[i], residual: yTrue[i] - yPred[i] };
	});
	return { task: 'regression', mae: absolute / n, rmse: Math.sqrt(squared / n), r2, residuals };
}
