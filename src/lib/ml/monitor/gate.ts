/**
 * The promotion gate of continuous training (issue 13): a retrained challenger and the production champion are
 * scored on the same hold-out rows, and the challenger is promoted only when it is better by at least a set margin
 * with statistical confidence. Pairing by row matters: two models' errors on one hold-out are correlated, and a test
 * that ignores it (two separate intervals, an unpaired test) misses real improvements.
 *
 *   accuracy:        McNemar's test on the rows the two models disagree on (gate-mcnemar.ts). Promote when
 *                    p < 1 − confidence AND the challenger got more of those rows right (c > b) AND the accuracy
 *                    difference (c − b)/n ≥ margin. McNemar's p is two-sided, so requiring the challenger's side
 *                    as well makes the gate a one-sided test at (1 − confidence)/2: it errs toward the champion.
 *   macroF1, mae, rmse: the paired percentile bootstrap of the difference (gate-bootstrap.ts). Promote when the
 *                    interval's lower bound > margin, i.e. even the pessimistic end of the interval beats the margin.
 * The difference is positive when the challenger is better, for every metric (for mae/rmse it is champion −
 * challenger), and margin is in the metric's own units (0.01 = one accuracy point, or 0.5 of the target for MAE).
 * Accuracy also gets the bootstrap interval, for display; its decision rests on McNemar.
 *
 * A hold-out of fewer than MIN_GATE_ROWS rows is an outcome, not an error: no promotion, and the reason says so.
 * Malformed input (mismatched lengths, an empty hold-out, NaN or non-label predictions, a bad margin or
 * confidence) throws GateInputError naming what is wrong.
 */
import { holdOutScores, pairedBootstrap, type PairedBootstrapInput } from './gate-bootstrap';
import { checkConfidence, checkMetric, GateInputError, type GateMetric } from './gate-input';
import { mcnemar, type McNemarResult } from './gate-mcnemar';

export * from './gate-input';
export * from './gate-mcnemar';
export * from './gate-bootstrap';

/**
 * The smallest hold-out the gate judges. Below 30 rows a percentile bootstrap interval undercovers badly (it is
 * built from a handful of distinct resample values), and the rule of thumb for McNemar's chi-square is out of
 * reach; retraining on so little new data is not worth a promotion decision either.
 */
export const MIN_GATE_ROWS = 30;

export interface GateInput extends PairedBootstrapInput {
	/** How much better the challenger must be, in the metric's units; ≥ 0. */
	margin: number;
	/** E.g. 0.95: McNemar at p < 0.05, a 95 % bootstrap interval. Strictly between 0 and 1. */
	confidence: number;
	/** accuracy only: force McNemar's exact (true) or chi-square (false) test; by default exact when b + c < 25. */
	exact?: boolean;
}

export interface GateDecision {
	promote: boolean;
	/** One sentence with the numbers the decision rests on. */
	reason: string;
	test: 'mcnemar' | 'bootstrap';
	metric: GateMetric;
	rows: number;
	margin: number;
	confidence: number;
	/** Each model's metric on the whole hold-out. */
	champion: number;
	challenger: number;
	/** Positive = challenger better (champion − challenger for mae/rmse). */
	difference: number;
	/** The paired bootstrap interval of `difference`; null when the hold-out is below MIN_GATE_ROWS. */
	interval: [number, number] | null;
	/** Share of bootstrap resamples where the challenger was better; absent below MIN_GATE_ROWS. */
	shareBetter?: number;
	/** McNemar's p-value (accuracy only). */
	pValue?: number;
	/** McNemar's counts and statistic (accuracy only). */
	mcnemar?: McNemarResult;
}

const METRIC_NAMES: Record<GateMetric, string> = {
	accuracy: 'accuracy',
	macroF1: 'macro F1',
	mae: 'MAE',
	rmse: 'RMSE'
};

/** Four significant digits, or scientific notation for the tiny p-values a large hold-out gives. */
function fmt(x: number): string {
	if (x !== 0 && Math.abs(x) < 1e-4) return x.toExponential(2);
	return String(Number(x.toPrecision(4)));
}

function signed(x: number): string {
	return x > 0 ? `+${fmt(x)}` : fmt(x);
}

/** Whether to promote the challenger over the champion (see the module comment). */
export function gateDecision(input: GateInput): GateDecision {
	const what = 'gateDecision';
	if (input == null || typeof input !== 'object') throw new GateInputError(`${what}: needs an input object`);
	const metric = checkMetric(input.metric, what);
	const { margin } = input;
	if (typeof margin !== 'number' || !Number.isFinite(margin) || margin < 0)
		throw new GateInputError(
			`${what}: margin must be a finite number ≥ 0 in ${METRIC_NAMES[metric]}'s units, got ${String(margin)}`
		);
	const confidence = checkConfidence(input.confidence, what);
	if (input.exact !== undefined && metric !== 'accuracy')
		throw new GateInputError(`${what}: exact applies to McNemar's test (accuracy) only, not to ${metric}`);
	const test = metric === 'accuracy' ? 'mcnemar' : 'bootstrap';
	const name = METRIC_NAMES[metric];
	const scores = holdOutScores(input, what);
	const { rows } = scores;
	const both = `the challenger's ${name} is ${fmt(scores.challenger)} against the champion's ${fmt(scores.champion)} on ${rows} hold-out rows`;
	const base = {
		test,
		metric,
		rows,
		margin,
		confidence,
		champion: scores.champion,
		challenger: scores.challenger
	} as const;

	if (rows < MIN_GATE_ROWS)
		return {
			...base,
			promote: false,
			reason: `Keep the champion: ${both}, and the gate needs at least ${MIN_GATE_ROWS} rows to judge a difference.`,
			difference: scores.difference,
			interval: null
		};

	const boot = pairedBootstrap({ ...input, confidence }, what);
	const interval = boot.interval;
	const ci = `the ${fmt(confidence * 100)} % paired bootstrap interval of the difference is [${fmt(interval[0])}, ${fmt(interval[1])}] (${boot.resamples} resamples)`;

	if (test === 'mcnemar') {
		const y = Int32Array.from(input.yTrue);
		const m = mcnemar(
			Uint8Array.from(y, (v, i) => (input.champion[i] === v ? 1 : 0)),
			Uint8Array.from(y, (v, i) => (input.challenger[i] === v ? 1 : 0)),
			{ exact: input.exact }
		);
		// (c − b)/n, one rounding: a difference equal to the margin in decimal compares equal to it.
		const difference = (m.c - m.b) / rows;
		const alpha = 1 - confidence;
		const p = `McNemar's ${m.exact ? 'exact binomial' : 'chi-square'} test p = ${fmt(m.pValue)}`;
		const split = `${m.c} rows only the challenger got right, ${m.b} only the champion`;
		const out = {
			...base,
			difference,
			interval,
			shareBetter: boot.shareBetter,
			pValue: m.pValue,
			mcnemar: m
		};
		let reason: string;
		const promote = m.c > m.b && m.pValue < alpha && difference >= margin;
		if (promote)
			reason = `Promote: ${both}, ${signed(difference)} (margin ${fmt(margin)}); ${p} < ${fmt(alpha)} (${split}).`;
		else if (m.c <= m.b)
			reason = `Keep the champion: ${both}; the challenger is not more accurate (${split}).`;
		else if (m.pValue >= alpha)
			reason = `Keep the champion: ${both}, ${signed(difference)}, but ${p} is not below ${fmt(alpha)} (${split}).`;
		else
			reason = `Keep the champion: ${both}; the challenger is better (${p}) but by ${signed(difference)}, less than the margin ${fmt(margin)}.`;
		return { ...out, promote, reason };
	}

	const difference = boot.difference;
	const out = { ...base, difference, interval, shareBetter: boot.shareBetter };
	const gain = metric === 'mae' || metric === 'rmse' ? 'error reduction' : 'difference';
	const promote = interval[0] > margin;
	let reason: string;
	if (promote)
		reason = `Promote: ${both}, ${gain} ${signed(difference)}; ${ci}, entirely above the margin ${fmt(margin)}.`;
	else if (difference <= 0)
		reason = `Keep the champion: ${both}; the challenger is not better (${gain} ${signed(difference)}; ${ci}).`;
	else
		reason = `Keep the champion: ${both}, ${gain} ${signed(difference)}, but ${ci}, whose lower end is not above the margin ${fmt(margin)}.`;
	return { ...out, promote, reason };
}
