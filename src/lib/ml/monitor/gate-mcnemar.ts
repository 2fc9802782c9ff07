/**
 * McNemar's test on paired correct/incorrect flags, defined as statsmodels.stats.contingency_tables.mcnemar
 * (statsmodels 82c59e3, Aug 2026) on the 2×2 table of the two models' correctness, whose off-diagonal cells are
 *   b = rows the champion got right and the challenger wrong,   c = rows the challenger got right and the champion wrong.
 * statsmodels, line for line (n1, n2 = table[0, 1], table[1, 0]; the test is symmetric in them):
 *   exact=True:   statistic = np.minimum(n1, n2)
 *                 pvalue = stats.binom.cdf(statistic, n1 + n2, 0.5) * 2;  pvalue = np.minimum(pvalue, 1)
 *   exact=False:  statistic = (np.abs(n1 - n2) - corr) ** 2 / (1.0 * (n1 + n2))   (corr = 1 with correction)
 *                 pvalue = stats.chi2.sf(statistic, 1)
 * The rows both models got right or both got wrong carry no information about which is better; only b and c count.
 *
 * Exact or asymptotic: the binomial test when b + c < 25, the continuity-corrected chi-square otherwise — the
 * common textbook rule (the chi-square approximation is poor for fewer discordant pairs; statsmodels itself
 * defaults to exact). A caller may force either with `exact`.
 *
 * One deliberate divergence: with b + c = 0 (the models agree on every row) statsmodels' asymptotic branch divides
 * by zero (an infinite statistic and p = 0 with the correction, NaN without). Here any b + c = 0 gives statistic 0
 * and p-value 1: no discordant row is no evidence of a difference. Its exact branch already gives p = 1 there.
 *
 * The correction is statsmodels' too: with b = c the corrected statistic is 1/(b + c), not 0 (|b − c| − 1 < 0 is
 * squared), so p is a little below 1. That is kept so the numbers match.
 */
import { chi2Sf } from '../drift/special';
import { checkPaired, flagColumn, GateInputError } from './gate-input';

/** Below this many discordant rows (b + c) the exact binomial test is used, from it on the chi-square. */
export const MCNEMAR_EXACT_BELOW = 25;

export interface McNemarOptions {
	/** Force the binomial test (true) or the chi-square (false); by default exact when b + c < 25. */
	exact?: boolean;
	/** Continuity correction of the chi-square (ignored by the exact test). Default true, as statsmodels. */
	correction?: boolean;
}

export interface McNemarResult {
	/** Rows the champion got right and the challenger wrong. */
	b: number;
	/** Rows the challenger got right and the champion wrong. */
	c: number;
	/** min(b, c) for the exact test; the (corrected) chi-square statistic otherwise. */
	statistic: number;
	/** Two-sided p-value of "both models are equally accurate". */
	pValue: number;
	exact: boolean;
}

const LN_SQRT_2PI = 0.9189385332046728; // log √(2π)
const LN_2PI = 1.8378770664093453; // log 2π

/** n! for n ≤ 18, exact in a double (18! < 2^53). */
function factorial(n: number): number {
	let f = 1;
	for (let i = 2; i <= n; i++) f *= i;
	return f;
}

/**
 * Loader's stirlerr(n) = log n! − (n + ½)·log n + n − log √(2π), the error of Stirling's formula, for integers
 * n ≥ 0. Small n from the exact factorial; from 16 on, the asymptotic series with Loader's cut-offs (R's
 * stirlerr.c), which is accurate to double precision there.
 */
function stirlerr(n: number): number {
	if (n === 0) return 0;
	if (n <= 15) return Math.log(factorial(n)) - (n + 0.5) * Math.log(n) + n - LN_SQRT_2PI;
	const S0 = 1 / 12;
	const S1 = 1 / 360;
	const S2 = 1 / 1260;
	const S3 = 1 / 1680;
	const S4 = 1 / 1188;
	const nn = n * n;
	if (n > 500) return (S0 - S1 / nn) / n;
	if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
	if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
	return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** Loader's bd0(x, m) = x·log(x/m) + m − x, by a series where x ≈ m so the cancellation does not cost digits. */
function bd0(x: number, m: number): number {
	if (Math.abs(x - m) < 0.1 * (x + m)) {
		let v = (x - m) / (x + m);
		let s = (x - m) * v;
		let ej = 2 * x * v;
		v *= v;
		for (let j = 1; j < 1000; j++) {
			ej *= v;
			const s1 = s + ej / (2 * j + 1);
			if (s1 === s) return s1;
			s = s1;
		}
		return s;
	}
	return x * Math.log(x / m) + m - x;
}

/**
 * P(X = k) for X ~ Binomial(n, ½), by Loader's saddle-point form (R's dbinom_raw): relative accuracy near machine
 * precision for any n, where exp(log C(n, k) − n·log 2) from log-gammas would lose digits to the size of the logs.
 */
function binomHalfPmf(k: number, n: number): number {
	if (k === 0 || k === n) return Math.pow(0.5, n);
	const lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, n / 2) - bd0(n - k, n / 2);
	const lf = LN_2PI + Math.log(k) + Math.log1p(-k / n);
	return Math.exp(lc - 0.5 * lf);
}

/** Up to this n the CDF is summed exactly in integers, and rounded once. */
const EXACT_SUM_MAX_N = 1000;

/** Σ_{i ≤ k} C(n, i) / 2^n with every C(n, i) an exact BigInt: one rounding (Number), one exact scaling by 2^-n. */
function binomHalfCdfExact(k: number, n: number): number {
	let term = BigInt(1);
	let sum = term;
	for (let i = 1; i <= k; i++) {
		term = (term * BigInt(n - i + 1)) / BigInt(i);
		sum += term;
	}
	return Number(sum) / Math.pow(2, n);
}

/**
 * P(X ≤ k) for X ~ Binomial(n, ½) and 0 ≤ k ≤ n/2 (scipy.stats.binom.cdf(k, n, 0.5)). For n ≤ 1000 it is summed
 * exactly (so the textbook cases come out to the last bit); above, the term at k by Loader's method, then the lower
 * terms by the ratio P(i − 1)/P(i) = i/(n − i + 1) ≤ 1 until they no longer change the sum. Both agree with
 * SciPy's to ~1e-14 relative (tests/ml/monitor/gate-reference.json).
 */
export function binomHalfCdf(k: number, n: number): number {
	if (k >= n) return 1;
	if (n <= EXACT_SUM_MAX_N) return binomHalfCdfExact(k, n);
	let term = binomHalfPmf(k, n);
	let sum = term;
	for (let i = k; i > 0 && term > sum * 1e-17; i--) {
		term *= i / (n - i + 1);
		sum += term;
	}
	return sum;
}

/** McNemar's test from the discordant counts b and c (see the module comment). */
export function mcnemarFromCounts(b: number, c: number, options: McNemarOptions = {}): McNemarResult {
	for (const [name, v] of [
		['b', b],
		['c', c]
	] as const)
		if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
			throw new GateInputError(
				`mcnemarFromCounts: ${name} must be a count (an integer ≥ 0), got ${String(v)}`
			);
	if (options.exact !== undefined && typeof options.exact !== 'boolean')
		throw new GateInputError(
			`mcnemarFromCounts: exact must be true, false or left out, got ${String(options.exact)}`
		);
	const exact = options.exact ?? b + c < MCNEMAR_EXACT_BELOW;
	if (b + c === 0) return { b, c, statistic: 0, pValue: 1, exact };
	if (exact) {
		const statistic = Math.min(b, c);
		return { b, c, statistic, pValue: Math.min(binomHalfCdf(statistic, b + c) * 2, 1), exact };
	}
	const corr = (options.correction ?? true) ? 1 : 0;
	const statistic = (Math.abs(b - c) - corr) ** 2 / (b + c);
	return { b, c, statistic, pValue: chi2Sf(statistic, 1), exact };
}

/** Per hold-out row, whether a model got it right: booleans or 0/1 (a Uint8Array of 0/1 is accepted as is). */
export type CorrectFlags = ArrayLike<boolean | 0 | 1> | Uint8Array;

/** McNemar's test on the two models' correctness, paired by hold-out row (true/1 = that model got the row right). */
export function mcnemar(
	championCorrect: CorrectFlags,
	challengerCorrect: CorrectFlags,
	options: McNemarOptions = {}
): McNemarResult {
	checkPaired({ championCorrect, challengerCorrect }, 'mcnemar');
	const champion = flagColumn(championCorrect, 'mcnemar: championCorrect');
	const challenger = flagColumn(challengerCorrect, 'mcnemar: challengerCorrect');
	let b = 0;
	let c = 0;
	for (let i = 0; i < champion.length; i++) {
		if (champion[i] && !challenger[i]) b++;
		else if (challenger[i] && !champion[i]) c++;
	}
	return mcnemarFromCounts(b, c, options);
}
