/**
 * The one-sample two-sided Kolmogorov distribution Pr(D_n ≥ x), scipy.stats.kstwo.sf(x, n), which ks_2samp's
 * asymptotic branch evaluates at n = round(n1·n2/(n1 + n2)). A port of scipy/stats/_ksstats.py (_kolmogn), which
 * follows Simard & L'Ecuyer (2011), "Computing the Two-Sided Kolmogorov-Smirnov Distribution", J. Stat. Softw.
 * 39(11): Ruben–Gambino closed forms at the ends, the Durbin matrix (Marsaglia–Tsang–Wang 2003) and Pomeranz
 * (1974) recursions for small n, the Pelz–Good (1976) asymptotic series for large n, and twice the one-sided
 * Smirnov tail where the two one-sided events cannot both happen. The region boundaries are SciPy's, so each
 * (n, x) takes the same algorithm as in SciPy and the answers agree far below the 1e-6 we test.
 */

const E128 = 2 ** 128;
const EM128 = 2 ** -128;
const LOG_2PI = Math.log(2 * Math.PI);
const SQRT2PI = Math.sqrt(2 * Math.PI);
const SQRT3 = Math.sqrt(3);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const MIN_LOG = -708;
/** xsf/cephes const.h MINLOG, log(2^-1075): exp() of anything below is 0. */
const CEPHES_MINLOG = -745.1332191019412;
const SMIRNOV_MAX_COMPUTE_N = 1000000;
const STIRLING = [
	-0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
	-0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333
];

const clip01 = (p: number): number => (p < 0 ? 0 : p > 1 ? 1 : p);

/** log(n!/n^n) by Stirling's series with n·log n removed up front (_log_nfactorial_div_n_pow_n). */
function logNFactorialDivNPowN(n: number): number {
	const rn = 1 / n;
	const u = rn / n;
	let poly = 0;
	for (const c of STIRLING) poly = poly * u + c;
	return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** Square matrix product (row-major, size m). */
function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array<ArrayBuffer> {
	const c = new Float64Array(m * m);
	for (let i = 0; i < m; i++)
		for (let k = 0; k < m; k++) {
			const aik = a[i * m + k];
			if (aik === 0) continue;
			for (let j = 0; j < m; j++) c[i * m + j] += aik * b[k * m + j];
		}
	return c;
}

/** Pr(D_n ≤ d) by the Durbin matrix, as Marsaglia, Tsang & Wang (2003) evaluate it (_kolmogn_DMTW). */
function kolmognDMTW(n: number, d: number): number {
	if (d >= 1) return 1;
	const nd = n * d;
	if (nd <= 0.5) return 0;
	const k = Math.ceil(nd);
	const h = k - nd;
	const m = 2 * k - 1;
	let H = new Float64Array(m * m);
	const v = new Float64Array(m);
	const w = new Float64Array(m);
	let fac = 1;
	for (let j = 1; j <= m; j++) {
		w[j - 1] = fac;
		fac /= j;
		v[j - 1] = (1 - h ** j) * fac;
	}
	const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
	v[m - 1] = (1 + tt) * fac;
	for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)];
	for (let r = 0; r < m; r++) H[r * m] = v[r];
	for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];

	let Hpwr = new Float64Array(m * m);
	for (let i = 0; i < m; i++) Hpwr[i * m + i] = 1;
	let nn = n;
	let expnt = 0;
	let Hexpnt = 0;
	while (nn > 0) {
		if (nn % 2) {
			Hpwr = matmul(Hpwr, H, m);
			expnt += Hexpnt;
		}
		H = matmul(H, H, m);
		Hexpnt *= 2;
		if (Math.abs(H[(k - 1) * m + (k - 1)]) > E128) {
			for (let i = 0; i < H.length; i++) H[i] /= E128;
			Hexpnt += 128;
		}
		nn = Math.floor(nn / 2);
	}
	let p = Hpwr[(k - 1) * m + (k - 1)];
	for (let i = 1; i <= n; i++) {
		p = (i * p) / n;
		if (Math.abs(p) < EM128) {
			p *= E128;
			expnt -= 128;
		}
	}
	if (expnt !== 0) p *= 2 ** expnt;
	return clip01(p);
}

function pomeranzJ1J2(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
	let j1: number;
	let j2: number;
	if (i === 0) {
		j1 = -ll - ceilf - 1;
		j2 = ll + ceilf - 1;
	} else {
		const ip1div2 = Math.floor((i + 1) / 2);
		const ip1mod2 = (i + 1) % 2;
		if (ip1mod2 === 0) {
			if (ip1div2 === n + 1) {
				j1 = n - ll - ceilf - 1;
				j2 = n + ll + ceilf - 1;
			} else {
				j1 = ip1div2 - 1 - ll - roundf - 1;
				j2 = ip1div2 + ll - 1 + ceilf - 1;
			}
		} else {
			j1 = ip1div2 - 1 - ll - 1;
			j2 = ip1div2 + ll + roundf - 1;
		}
	}
	return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pr(D_n ≤ x) by the Pomeranz (1974) recursion (_kolmogn_Pomeranz). */
function kolmognPomeranz(n: number, x: number): number {
	const t = n * x;
	const ll = Math.floor(t);
	const f = t - ll;
	const g = Math.min(f, 1 - f);
	const ceilf = f > 0 ? 1 : 0;
	const roundf = f > 0.5 ? 1 : 0;
	const npwrs = 2 * (ll + 1);
	const gpower = new Float64Array(npwrs);
	const twogpower = new Float64Array(npwrs);
	const onem2gpower = new Float64Array(npwrs);
	gpower[0] = twogpower[0] = onem2gpower[0] = 1;
	let expnt = 0;
	const gn = g / n;
	const g2n = (2 * g) / n;
	const om2gn = (1 - 2 * g) / n;
	for (let m = 1; m < npwrs; m++) {
		gpower[m] = (gpower[m - 1] * gn) / m;
		twogpower[m] = (twogpower[m - 1] * g2n) / m;
		onem2gpower[m] = (onem2gpower[m - 1] * om2gn) / m;
	}
	let V0 = new Float64Array(npwrs);
	let V1 = new Float64Array(npwrs);
	V1[0] = 1;
	let V0s = 0;
	let V1s = 0;
	let j1 = pomeranzJ1J2(0, n, ll, ceilf, roundf)[0];
	let j2: number;
	for (let i = 1; i < 2 * n + 2; i++) {
		const k1 = j1;
		[V0, V1] = [V1, V0];
		[V0s, V1s] = [V1s, V0s];
		V1.fill(0);
		[j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
		const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
		const ln2 = j2 - k1 + 1;
		if (ln2 > 0) {
			// np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]), of which entries conv_start.. are kept.
			const off = k1 - V0s;
			const convStart = j1 - k1;
			const convLen = j2 - j1 + 1;
			let vmax = 0;
			for (let c = 0; c < convLen; c++) {
				const kk = convStart + c;
				let s = 0;
				for (let a = Math.max(0, kk - ln2 + 1); a <= Math.min(kk, ln2 - 1); a++)
					s += V0[off + a] * pwrs[kk - a];
				V1[c] = s;
				if (s > vmax) vmax = s;
			}
			if (vmax > 0 && vmax < EM128) {
				for (let c = 0; c < V1.length; c++) V1[c] *= E128;
				expnt -= 128;
			}
			V1s = V0s + j1 - k1;
		}
	}
	let ans = V1[n - V1s];
	for (let m = 1; m <= n; m++) {
		if (Math.abs(ans) > E128) {
			ans *= EM128;
			expnt += 128;
		}
		ans *= m;
	}
	if (expnt !== 0) ans *= 2 ** expnt;
	return clip01(ans);
}

/** Pelz–Good (1976) approximation to Pr(D_n ≤ x) (_kolmogn_PelzGood). */
function kolmognPelzGood(n: number, x: number): number {
	if (x <= 0) return 0;
	if (x >= 1) return 1;
	const z = Math.sqrt(n) * x;
	const z2 = z * z;
	const z3 = z2 * z;
	const z4 = z2 * z2;
	const z6 = z4 * z2;
	const qlog = -PI2 / 8 / z2;
	if (qlog < MIN_LOG) return 0;
	let q = Math.exp(qlog);
	const k1a = -z2;
	const k1b = PI2 / 4;
	const k2a = 6 * z6 + 2 * z4;
	const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
	const k2c = (PI4 * (1 - 2 * z2)) / 16;
	const k3d = (PI6 * (5 - 30 * z2)) / 64;
	const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
	const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
	const k3a = -30 * z6 - 90 * z ** 8;
	const K = [0, 0, 0, 0];
	const maxk = Math.ceil((16 * z) / Math.PI);
	for (let k = maxk; k > 0; k--) {
		const m = 2 * k - 1;
		const m2 = m * m;
		const m4 = m2 * m2;
		const m6 = m4 * m2;
		const qp = q ** (8 * k);
		const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
		for (let i = 0; i < 4; i++) K[i] = K[i] * qp + coeffs[i];
	}
	const den = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
	for (let i = 0; i < 4; i++) K[i] = (K[i] * q * SQRT2PI) / den[i];
	q = Math.exp(-PI2 / 2 / z2);
	let k2extra = 0;
	let k3extra = 0;
	const sqrt3z = SQRT3 * z;
	for (let k = maxk; k > 0; k--) {
		const ks2 = k * k;
		const qp = q ** ks2;
		const kspi = Math.PI * k;
		k2extra += ks2 * qp;
		k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qp;
	}
	K[2] += (k2extra * PI2 * SQRT2PI) / (-36 * z3);
	K[3] += (k3extra * PI2 * SQRT2PI) / (216 * z6);
	let sum = 0;
	for (let i = 0; i < 4; i++) sum += K[i] / n ** (i / 2);
	return sum;
}

/** n·x split exactly into floor and fractional part (xsf modNX, there in double-double). */
function modNX(n: number, x: number): { nxfl: number; alpha: number } {
	const p = n * x;
	// Dekker's two-product error term: n·x = p + e exactly.
	const split = (a: number): [number, number] => {
		const c = 134217729 * a;
		const hi = c - (c - a);
		return [hi, a - hi];
	};
	const [nh, nl] = split(n);
	const [xh, xl] = split(x);
	const e = nh * xh - p + nh * xl + nl * xh + nl * xl;
	let nxfl = Math.floor(p);
	let alpha = p - nxfl + e;
	if (alpha < 0) {
		nxfl -= 1;
		alpha += 1;
	}
	if (alpha >= 1) {
		nxfl += 1;
		alpha -= 1;
	}
	return { nxfl, alpha };
}

/**
 * One-sided Smirnov survival function Pr(D_n⁺ ≥ x), scipy.special.smirnov (xsf/cephes kolmogorov.h), by the
 * Birnbaum–Tingey sum x·Σ_{j=0}^{⌊n(1−x)⌋} C(n,j)(1−x−j/n)^{n−j}(x+j/n)^{j−1}. Its terms are all positive, so
 * summing them in log-space doubles keeps ~1e-13 relative accuracy where Cephes uses double-double.
 */
export function smirnovSf(n: number, x: number): number {
	if (!(n > 0 && x >= 0 && x <= 1)) return NaN;
	if (n === 1) return 1 - x;
	if (x === 0) return 1;
	if (x === 1) return 0;
	const { nxfl, alpha } = modNX(n, x);
	if (nxfl === 0 || (nxfl === 1 && alpha === 0)) return 1 - x * (1 + x) ** (n - 1);
	if (-2 * n * x * x < CEPHES_MINLOG) return 0;
	if (nxfl >= n - 1) return (1 - x) ** n;
	if (n > SMIRNOV_MAX_COMPUTE_N) {
		const logp = -((6 * n * x + 1) ** 2) / 18 / n;
		return logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp);
	}
	// Cephes stops at n − ⌈nx⌉ and, when nx is an integer, one term earlier (that term is 0^{n−j} = 0).
	const last = n - nxfl - 1;
	let logC = 0; // log C(n, 0)
	let sum = 0;
	for (let j = 0; j <= last; j++) {
		if (j > 0) logC += Math.log((n - j + 1) / j);
		const a = (n - j) / n - x; // 1 − x − j/n
		if (a <= 0) break;
		const b = x + j / n;
		const logTerm = logC + (n - j) * Math.log(a) + (j - 1) * Math.log(b);
		sum += Math.exp(logTerm);
	}
	return clip01(x * sum);
}

/**
 * scipy.stats.kstwo.sf(x, n): Pr(D_n ≥ x) for the two-sided one-sample statistic (_kolmogn with cdf=False, and
 * rv_continuous' support checks: 1 at or below 1/(2n), 0 at or above 1).
 */
export function kolmogorovSf(n: number, x: number): number {
	if (!Number.isInteger(n) || n <= 0 || Number.isNaN(x)) return NaN;
	if (x >= 1) return 0;
	if (x <= 0) return 1;
	const t = n * x;
	if (t <= 1) {
		if (t <= 0.5) return 1;
		let prob: number;
		if (n <= 140) {
			prob = 1;
			for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
		} else prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
		return clip01(1 - prob);
	}
	if (t >= n - 1) return clip01(2 * (1 - x) ** n);
	if (x >= 0.5) return clip01(2 * smirnovSf(n, x));
	const nx2 = t * x;
	if (n <= 140) {
		if (nx2 <= 0.754693) return clip01(1 - kolmognDMTW(n, x));
		if (nx2 <= 4) return clip01(1 - kolmognPomeranz(n, x));
		return clip01(2 * smirnovSf(n, x));
	}
	if (nx2 >= 370) return 0;
	if (nx2 >= 2.2) return clip01(2 * smirnovSf(n, x));
	const cdf = n <= 100000 && n * x ** 1.5 <= 1.4 ? kolmognDMTW(n, x) : kolmognPelzGood(n, x);
	return clip01(1 - clip01(cdf));
}
