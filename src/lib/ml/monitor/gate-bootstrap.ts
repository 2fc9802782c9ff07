/**
 * The paired bootstrap of a metric difference between a challenger and the champion on one hold-out (issue 13).
 * Each resample draws n row indices with replacement and scores *both* models on those same rows, so what the two
 * have in common (the hard rows, the easy rows) cancels out of the difference: that pairing is what makes the
 * interval narrower than comparing two separate intervals.
 *
 * Sign: `difference` is positive when the challenger is better, whatever the metric:
 *   accuracy, macroF1 (higher is better):  challenger − champion;
 *   mae, rmse (lower is better):           champion − challenger (the error the challenger removes).
 *
 * Metrics, as src/lib/ml/metrics.ts defines them (scikit-learn's definitions), computed here from counts and sums
 * because a resample needs only those: metrics.ts builds ROC/PR curves and residual samples, thousands of times
 * too much work per resample. The tests check the point values against metrics.ts. Cost: one mulberry32 draw per
 * row per resample; 100,000 rows × 2,000 resamples take about 2 s for a label metric and 5 s for MAE/RMSE in Node.
 *   accuracy = share of rows where the predicted label is the true one;
 *   macroF1  = the unweighted mean over classes of F1 = 2·TP / (predicted + support), 0 when both are 0 (sklearn's
 *              zero_division = 0). The classes are 0…classes − 1 when `classes` is given (the model's class list,
 *              as metrics.ts averages over), else every label seen in yTrue or either model's predictions on the
 *              whole hold-out. The set is fixed for every resample, so both models are always averaged over the
 *              same classes; a class missing from a resample scores 0 for both and leaves the difference alone.
 *   mae = mean |y − ŷ|,  rmse = √(mean (y − ŷ)²).
 *
 * Interval: the percentile bootstrap (scipy.stats.bootstrap's method='percentile'): the α/2 and 1 − α/2 quantiles,
 * α = 1 − confidence, of the resampled differences, by linear interpolation between order statistics (NumPy's and
 * scipy.stats.quantile's default, "type 7"). Resampling uses mulberry32(seed) (src/lib/ml/random.ts), drawing
 * resample by resample, row by row, index = ⌊u·n⌋, so a seed gives the same interval in every engine.
 */
import { mulberry32 } from '../random';
import {
	checkConfidence,
	checkMetric,
	checkPaired,
	finiteColumn,
	GateInputError,
	labelColumn,
	lowerIsBetter,
	type GateMetric
} from './gate-input';

export const DEFAULT_RESAMPLES = 2000;
/** Fewer resamples leave a 95 % interval's tails resting on two or three values each. */
export const MIN_RESAMPLES = 100;
export const MAX_RESAMPLES = 1_000_000;

export interface PairedBootstrapInput {
	/** True labels (class indices) for accuracy / macroF1, true values for mae / rmse. */
	yTrue: ArrayLike<number>;
	/** The champion's predictions on the same rows, in the same order. */
	champion: ArrayLike<number>;
	/** The challenger's predictions on the same rows, in the same order. */
	challenger: ArrayLike<number>;
	metric: GateMetric;
	/** Number of bootstrap resamples; an integer in 100…1,000,000. Default 2000. */
	resamples?: number;
	/** Two-sided confidence of the interval, strictly between 0 and 1. Default 0.95. */
	confidence?: number;
	/** mulberry32 seed (an integer; taken modulo 2^32). Default 0, so an unseeded call still repeats. */
	seed?: number;
	/** macroF1 only: average over classes 0…classes − 1 (see the module comment). */
	classes?: number;
}

export interface PairedBootstrapResult {
	metric: GateMetric;
	rows: number;
	resamples: number;
	confidence: number;
	seed: number;
	/** The metric of each model on the whole hold-out. */
	champion: number;
	challenger: number;
	/** On the whole hold-out; positive = challenger better (see the module comment). */
	difference: number;
	/** Percentile interval of the difference at `confidence`: [lower, upper]. */
	interval: [number, number];
	/** Share of resamples where the difference is > 0 (the challenger strictly better). */
	shareBetter: number;
}

/** Scores both models on the rows `idx` (with repeats) and returns [champion, challenger]. */
type Scorer = (idx: Uint32Array) => [number, number];

function classificationScorer(
	metric: 'accuracy' | 'macroF1',
	yTrue: ArrayLike<number>,
	champion: ArrayLike<number>,
	challenger: ArrayLike<number>,
	classes: number | undefined,
	what: string
): Scorer {
	const y = labelColumn(yTrue, `${what}: yTrue`, classes);
	const p0 = labelColumn(champion, `${what}: champion`, classes);
	const p1 = labelColumn(challenger, `${what}: challenger`, classes);
	const n = y.length;
	// A classification metric depends on a row only through its (label, champion's, challenger's) triple, so each
	// row is mapped once to the id of its distinct triple and a resample only counts ids: one increment per drawn
	// row, then the metric from at most min(n, k³) cells. The counts are integers, so this is exact, not a shortcut.
	const cellOf = new Int32Array(n);
	const ids = new Map<string, number>();
	const ty: number[] = [];
	const t0: number[] = [];
	const t1: number[] = [];
	for (let i = 0; i < n; i++) {
		const key = `${y[i]},${p0[i]},${p1[i]}`;
		let id = ids.get(key);
		if (id === undefined) {
			id = ty.length;
			ids.set(key, id);
			ty.push(y[i]);
			t0.push(p0[i]);
			t1.push(p1[i]);
		}
		cellOf[i] = id;
	}
	const cells = ty.length;
	const w = new Float64Array(cells);
	const count = (idx: Uint32Array) => {
		w.fill(0);
		for (let j = 0; j < idx.length; j++) w[cellOf[idx[j]]]++;
	};
	if (metric === 'accuracy')
		return (idx) => {
			count(idx);
			let s0 = 0;
			let s1 = 0;
			for (let c = 0; c < cells; c++) {
				if (t0[c] === ty[c]) s0 += w[c];
				if (t1[c] === ty[c]) s1 += w[c];
			}
			return [s0 / n, s1 / n];
		};

	// The class set, compacted to slots 0…k − 1.
	let labels: number[];
	if (classes !== undefined) labels = Array.from({ length: classes }, (_, c) => c);
	else labels = [...new Set([...y, ...p0, ...p1])].sort((a, b) => a - b);
	const slot = new Map(labels.map((l, i) => [l, i]));
	const k = labels.length;
	const sy = Int32Array.from(ty, (v) => slot.get(v) as number);
	const s0 = Int32Array.from(t0, (v) => slot.get(v) as number);
	const s1 = Int32Array.from(t1, (v) => slot.get(v) as number);
	const support = new Float64Array(k);
	const pred0 = new Float64Array(k);
	const pred1 = new Float64Array(k);
	const tp0 = new Float64Array(k);
	const tp1 = new Float64Array(k);
	const macro = (tp: Float64Array, pred: Float64Array) => {
		let s = 0;
		for (let c = 0; c < k; c++) {
			const d = pred[c] + support[c];
			s += d === 0 ? 0 : (2 * tp[c]) / d;
		}
		return s / k;
	};
	return (idx) => {
		count(idx);
		support.fill(0);
		pred0.fill(0);
		pred1.fill(0);
		tp0.fill(0);
		tp1.fill(0);
		for (let c = 0; c < cells; c++) {
			const m = w[c];
			support[sy[c]] += m;
			pred0[s0[c]] += m;
			pred1[s1[c]] += m;
			if (s0[c] === sy[c]) tp0[sy[c]] += m;
			if (s1[c] === sy[c]) tp1[sy[c]] += m;
		}
		return [macro(tp0, pred0), macro(tp1, pred1)];
	};
}

function regressionScorer(
	metric: 'mae' | 'rmse',
	yTrue: ArrayLike<number>,
	champion: ArrayLike<number>,
	challenger: ArrayLike<number>,
	what: string
): Scorer {
	const y = finiteColumn(yTrue, `${what}: yTrue`);
	const p0 = finiteColumn(champion, `${what}: champion`);
	const p1 = finiteColumn(challenger, `${what}: challenger`);
	const n = y.length;
	const loss = metric === 'mae' ? (e: number) => Math.abs(e) : (e: number) => e * e;
	const e0 = y.map((v, i) => loss(v - p0[i]));
	const e1 = y.map((v, i) => loss(v - p1[i]));
	const finish = metric === 'mae' ? (s: number) => s / n : (s: number) => Math.sqrt(s / n);
	return (idx) => {
		let s0 = 0;
		let s1 = 0;
		for (let j = 0; j < idx.length; j++) {
			s0 += e0[idx[j]];
			s1 += e1[idx[j]];
		}
		return [finish(s0), finish(s1)];
	};
}

/** The q-quantile of sorted values by linear interpolation between order statistics (NumPy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
	const h = (sorted.length - 1) * q;
	const lo = Math.floor(h);
	const hi = Math.min(lo + 1, sorted.length - 1);
	return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function checkResamples(resamples: unknown, what: string): number {
	if (
		typeof resamples !== 'number' ||
		!Number.isInteger(resamples) ||
		resamples < MIN_RESAMPLES ||
		resamples > MAX_RESAMPLES
	)
		throw new GateInputError(
			`${what}: resamples must be an integer in ${MIN_RESAMPLES}…${MAX_RESAMPLES}, got ${String(resamples)}`
		);
	return resamples;
}

interface Prepared {
	metric: GateMetric;
	rows: number;
	score: Scorer;
	/** +1 when higher is better, −1 for the error metrics, so sign·(challenger − champion) > 0 means better. */
	sign: number;
}

/** Validates the hold-out for `metric` and builds its scorer; every refusal is a GateInputError. */
function prepare(input: PairedBootstrapInput, what: string): Prepared {
	if (input == null || typeof input !== 'object') throw new GateInputError(`${what}: needs an input object`);
	const { yTrue, champion, challenger, classes } = input;
	const metric = checkMetric(input.metric, what);
	if (classes !== undefined) {
		if (metric !== 'macroF1')
			throw new GateInputError(`${what}: classes applies to macroF1 only, not to ${metric}`);
		if (typeof classes !== 'number' || !Number.isInteger(classes) || classes < 2)
			throw new GateInputError(`${what}: classes must be an integer ≥ 2, got ${String(classes)}`);
	}
	const rows = checkPaired({ yTrue, champion, challenger }, what);
	const score =
		metric === 'mae' || metric === 'rmse'
			? regressionScorer(metric, yTrue, champion, challenger, what)
			: classificationScorer(metric, yTrue, champion, challenger, classes, what);
	return { metric, rows, score, sign: lowerIsBetter(metric) ? -1 : 1 };
}

export interface HoldOutScores {
	metric: GateMetric;
	rows: number;
	champion: number;
	challenger: number;
	/** Positive = challenger better. */
	difference: number;
}

/** Both models' metric on the whole hold-out, with the same checks as `pairedBootstrap` and no resampling. */
export function holdOutScores(
	input: Omit<PairedBootstrapInput, 'resamples' | 'confidence' | 'seed'>,
	what = 'holdOutScores'
): HoldOutScores {
	const { metric, rows, score, sign } = prepare(input, what);
	const [champion, challenger] = score(Uint32Array.from({ length: rows }, (_, i) => i));
	return { metric, rows, champion, challenger, difference: sign * (challenger - champion) + 0 };
}

/**
 * The paired percentile bootstrap of challenger-vs-champion on one hold-out (see the module comment). `what`
 * names the caller in error messages.
 */
export function pairedBootstrap(
	input: PairedBootstrapInput,
	what = 'pairedBootstrap'
): PairedBootstrapResult {
	const { metric, rows: n, score, sign } = prepare(input, what);
	const resamples = checkResamples(input.resamples ?? DEFAULT_RESAMPLES, what);
	const confidence = checkConfidence(input.confidence ?? 0.95, what);
	const seed = input.seed ?? 0;
	if (typeof seed !== 'number' || !Number.isInteger(seed))
		throw new GateInputError(`${what}: seed must be an integer, got ${String(seed)}`);

	const [m0, m1] = score(Uint32Array.from({ length: n }, (_, i) => i));
	const rng = mulberry32(seed);
	const idx = new Uint32Array(n);
	const diffs = new Float64Array(resamples);
	let better = 0;
	for (let r = 0; r < resamples; r++) {
		for (let j = 0; j < n; j++) idx[j] = Math.floor(rng() * n);
		const [s0, s1] = score(idx);
		diffs[r] = sign * (s1 - s0) + 0; // + 0 turns −0 (equal models, sign −1) into 0
		if (diffs[r] > 0) better++;
	}
	diffs.sort();
	const alpha = (1 - confidence) / 2;
	return {
		metric,
		rows: n,
		resamples,
		confidence,
		seed,
		champion: m0,
		challenger: m1,
		difference: sign * (m1 - m0) + 0,
		interval: [quantileSorted(diffs, alpha), quantileSorted(diffs, 1 - alpha)],
		shareBetter: better / resamples
	};
}
