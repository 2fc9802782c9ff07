/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, as scipy.stats.ks_2samp(a, b) with method='auto' (SciPy 1.17,
 * scipy/stats/_stats_py.py): the statistic is max |F_a − F_b| over the pooled values (ECDFs by searchsorted
 * 'right', so ties are handled); 'auto' is exact when max(n1, n2) ≤ 10000 and asymptotic otherwise. Exact:
 * D is rounded to h/lcm(n1, n2) and Pr(D ≥ h/lcm) is counted over lattice paths (_compute_prob_outside_square
 * for n1 = n2, else Hodges' inside method in the 1 − p form of Viehmann 2021, arXiv:2102.08037); if that fails
 * numerically SciPy falls back to asymptotic and so do we. Asymptotic: kstwo.sf(D, round(n1·n2/(n1+n2))).
 * Evidently's "ks" stattest calls exactly this and reports drift when p ≤ threshold (0.05 by default).
 */
import { DriftInputError, finiteValues } from './errors';
import { kolmogorovSf } from './kolmogorov';

export interface KsResult {
	statistic: number;
	pvalue: number;
	method: 'exact' | 'asymp';
}

/** SciPy's MAX_AUTO_N: 'auto' tries the exact distribution when both samples have at most this many values. */
export const KS_MAX_EXACT_N = 10000;

function gcd(a: number, b: number): number {
	while (b) [a, b] = [b, a % b];
	return a;
}

/** Number of values of sorted `xs` that are ≤ v, from index `from` on (a merge-walk searchsorted 'right'). */
function upperBound(xs: Float64Array, v: number, from: number): number {
	let i = from;
	while (i < xs.length && xs[i] <= v) i++;
	return i;
}

/** Pr(D_{n,n} ≥ h/n) (_compute_prob_outside_square): 2·Σ(−1)^{k−1} C(2n, n−kh)/C(2n, n) by a Horner scheme. */
function probOutsideSquare(n: number, h: number): number {
	let P = 0;
	for (let k = Math.floor(n / h); k >= 0; k--) {
		let p1 = 1;
		for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
		P = p1 * (1 - P);
	}
	return 2 * P;
}

/** 1 − Pr(all lattice paths stay strictly inside |x/m − y/n| < h/lcm) (_compute_outer_prob_inside_method). */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
	let m = m0;
	let n = n0;
	if (m < n) [m, n] = [n, m];
	const mg = Math.floor(m / g);
	const ng = Math.floor(n / g);
	let minj = 0;
	let maxj = Math.min(Math.ceil(h / mg), n + 1);
	let curlen = maxj - minj;
	const lenA = Math.min(2 * maxj + 2, n + 1);
	const A = new Float64Array(lenA).fill(1);
	for (let j = minj; j < maxj; j++) A[j] = 0;
	for (let i = 1; i <= m; i++) {
		const lastminj = minj;
		const lastlen = curlen;
		minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
		minj = Math.min(minj, n);
		maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
		if (maxj <= minj) return 1;
		let val = minj === 0 ? 0 : 1;
		for (let jj = 0; jj < maxj - minj; jj++) {
			const j = jj + minj;
			val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
			A[jj] = val;
		}
		curlen = maxj - minj;
		if (lastlen > curlen) for (let c = maxj - minj; c < maxj - minj + (lastlen - curlen); c++) A[c] = 1;
	}
	return A[maxj - minj - 1];
}

/** Rounds half to even, as np.round. */
function roundHalfEven(x: number): number {
	const r = Math.round(x);
	return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Two-sided two-sample KS test. NaN and ±Infinity are dropped first, as Evidently does before any stattest
 * (SciPy itself would propagate NaN); an empty sample is refused.
 */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
	const x = finiteValues(a, 'ks2samp: first sample').sort();
	const y = finiteValues(b, 'ks2samp: second sample').sort();
	const n1 = x.length;
	const n2 = y.length;
	// max over the pooled values of cdf1 − cdf2 and of cdf2 − cdf1 (SciPy's maxS and clipped minS); walking both
	// sorted samples visits every pooled value once.
	let i = 0;
	let j = 0;
	let maxS = -Infinity;
	let minS = 0;
	while (i < n1 || j < n2) {
		const v = j >= n2 || (i < n1 && x[i] <= y[j]) ? x[i] : y[j];
		i = upperBound(x, v, i);
		j = upperBound(y, v, j);
		const diff = i / n1 - j / n2;
		if (diff > maxS) maxS = diff;
		if (-diff > minS) minS = -diff;
	}
	if (minS > 1) minS = 1;
	let d = minS > maxS ? minS : maxS;
	const g = gcd(n1, n2);
	let method: 'exact' | 'asymp' = Math.max(n1, n2) <= KS_MAX_EXACT_N ? 'exact' : 'asymp';
	let prob = NaN;
	if (method === 'exact') {
		const lcm = (n1 / g) * n2;
		const h = roundHalfEven(d * lcm);
		d = (h * 1.0) / lcm;
		if (h === 0) prob = 1;
		else {
			prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
			if (!(prob >= 0 && prob <= 1)) method = 'asymp';
		}
	}
	if (method === 'asymp') {
		const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
		const en = (m * n) / (m + n);
		prob = kolmogorovSf(roundHalfEven(en), d);
	}
	if (Number.isNaN(prob))
		throw new DriftInputError(`ks2samp: no p-value for D = ${d}, n1 = ${n1}, n2 = ${n2}`);
	return { statistic: d, pvalue: Math.min(1, Math.max(0, prob)), method };
}
