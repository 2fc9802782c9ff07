/**
 * The special functions behind the p-values: log-gamma, the regularized incomplete gamma functions (for the
 * chi-square survival function) and erfc / the normal CDF (for the Z-test). They follow Cephes (igam.c, ndtr.c,
 * now xsf/cephes in SciPy): a power series for P(a, x) when x < max(1, a), Legendre's continued fraction for
 * Q(a, x) otherwise, each iterated to machine epsilon, so Q keeps its relative accuracy far into the tail
 * (p-values of 1e-300 are still right to ~1e-13 relative). erfc is Q(1/2, x²), which inherits the same accuracy
 * without another table of coefficients.
 */

const MACHEP = 1.1102230246251565e-16; // 2^-53, Cephes' MACHEP
const MAXLOG = 709.782712893384; // log(DBL_MAX)
const BIG = 4.503599627370496e15; // 2^52, Cephes' big
const BIGINV = 2.220446049250313e-16;
const LOG_SQRT_2PI = 0.9189385332046728;

// Lanczos approximation, g = 7, n = 9 (Godfrey's coefficients): |relative error of Γ| < 2e-15 for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
	0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
	12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7
];

/** log Γ(x) for x > 0 (Lanczos; reflection is not needed: every caller has a > 0). */
export function logGamma(x: number): number {
	if (!(x > 0)) return NaN;
	if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
	const z = x - 1;
	let s = LANCZOS[0];
	for (let i = 1; i < LANCZOS.length; i++) s += LANCZOS[i] / (z + i);
	const t = z + LANCZOS_G + 0.5;
	return LOG_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** log of the common prefactor x^a e^{-x} / Γ(a). */
function logPrefactor(a: number, x: number): number {
	return a * Math.log(x) - x - logGamma(a);
}

/** Power series for P(a, x) (Cephes igam_series). */
function igamSeries(a: number, x: number): number {
	const ax = logPrefactor(a, x);
	if (ax < -MAXLOG) return 0;
	let r = a;
	let c = 1;
	let ans = 1;
	for (let i = 0; i < 100000; i++) {
		r += 1;
		c *= x / r;
		ans += c;
		if (c / ans <= MACHEP) break;
	}
	return (ans * Math.exp(ax)) / a;
}

/** Continued fraction for Q(a, x) (Cephes igamc_continued_fraction). */
function igamcFraction(a: number, x: number): number {
	const ax = logPrefactor(a, x);
	if (ax < -MAXLOG) return 0;
	let y = 1 - a;
	let z = x + y + 1;
	let c = 0;
	let pkm2 = 1;
	let qkm2 = x;
	let pkm1 = x + 1;
	let qkm1 = z * x;
	let ans = pkm1 / qkm1;
	for (let i = 0; i < 100000; i++) {
		c += 1;
		y += 1;
		z += 2;
		const yc = y * c;
		const pk = pkm1 * z - pkm2 * yc;
		const qk = qkm1 * z - qkm2 * yc;
		let t = 1;
		if (qk !== 0) {
			const r = pk / qk;
			t = Math.abs((ans - r) / r);
			ans = r;
		}
		pkm2 = pkm1;
		pkm1 = pk;
		qkm2 = qkm1;
		qkm1 = qk;
		if (Math.abs(pk) > BIG) {
			pkm2 *= BIGINV;
			pkm1 *= BIGINV;
			qkm2 *= BIGINV;
			qkm1 *= BIGINV;
		}
		if (t <= MACHEP) break;
	}
	return ans * Math.exp(ax);
}

/** Regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a) (scipy.special.gammainc). */
export function gammaP(a: number, x: number): number {
	if (Number.isNaN(a) || Number.isNaN(x) || x < 0 || a < 0) return NaN;
	if (a === 0) return x > 0 ? 1 : NaN;
	if (x === 0) return 0;
	if (x === Infinity) return 1;
	if (x > 1 && x > a) return 1 - igamcFraction(a, x);
	return igamSeries(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a) (scipy.special.gammaincc). */
export function gammaQ(a: number, x: number): number {
	if (Number.isNaN(a) || Number.isNaN(x) || x < 0 || a < 0) return NaN;
	if (a === 0) return x > 0 ? 0 : NaN;
	if (x === 0) return 1;
	if (x === Infinity) return 0;
	if (x < 1 || x < a) return 1 - igamSeries(a, x);
	return igamcFraction(a, x);
}

/**
 * Survival function of the chi-square distribution with `df` degrees of freedom: Q(df/2, x/2), as
 * scipy.special.chdtrc (which scipy.stats.chisquare uses through _SimpleChi2.sf). x < 0 gives 1.
 */
export function chi2Sf(x: number, df: number): number {
	if (Number.isNaN(x)) return NaN;
	if (x < 0) return 1;
	return gammaQ(df / 2, x / 2);
}

/** Complementary error function, erfc(x) = Q(1/2, x²) for x ≥ 0 and 2 − erfc(−x) below. */
export function erfc(x: number): number {
	if (Number.isNaN(x)) return NaN;
	if (x < 0) return 2 - erfc(-x);
	return gammaQ(0.5, x * x);
}

/** erf(x) = P(1/2, x²)·sign(x): accurate near 0, where 1 − erfc would cancel. */
export function erf(x: number): number {
	if (Number.isNaN(x)) return NaN;
	return x < 0 ? -gammaP(0.5, x * x) : gammaP(0.5, x * x);
}

/**
 * Standard normal CDF Φ(a) computed as Cephes ndtr (scipy.special.ndtr, behind scipy.stats.norm.cdf):
 * 0.5 + 0.5·erf(a/√2) near 0, 0.5·erfc(|a|/√2) (or one minus it) in the tails. Keeping the same branches keeps
 * the same rounding where Evidently computes 1 − Φ(|z|) (its Z-test does).
 */
export function normalCdf(a: number): number {
	if (Number.isNaN(a)) return NaN;
	const x = a * Math.SQRT1_2;
	const z = Math.abs(x);
	if (z < Math.SQRT1_2) return 0.5 + 0.5 * erf(x);
	const y = 0.5 * erfc(z);
	return x > 0 ? 1 - y : y;
}
