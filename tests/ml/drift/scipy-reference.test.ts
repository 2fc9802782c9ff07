import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
	chi2Sf,
	chiSquare,
	chiSquareFromCounts,
	chiSquareTest,
	chooseStatTest,
	driftTest,
	jensenShannonDistance,
	jensenShannonFromCounts,
	jensenShannonTest,
	kolmogorovSf,
	ks2samp,
	normalCdf,
	psi,
	psiFromCounts,
	wassersteinDistance,
	wassersteinNorm,
	zTestFromCounts,
	zTestProportions,
	type Category,
	type FeatureKind,
	type StatTestName
} from '../../../src/lib/ml/drift';

// Reference values from scripts/reference/drift-scipy.py (SciPy 1.17.1 called as Evidently's stattests call it).
// Tolerances: statistics |Δ| ≤ 1e-9·max(1, |ref|) (absolute, relative above 1); p-values |Δ| ≤ 1e-6·|ref|
// (relative, so tiny p-values are held to their digits too). Evidently's Z-test computes 2·(1 − Φ(|z|)), whose
// rounding is quantised at 2^-53, so its p-value gets an extra absolute 1e-15.
interface Case {
	name: string;
	kind: FeatureKind;
	reference: (number | string)[];
	current: (number | string)[];
	ks?: { statistic: number; pvalue: number; method: 'exact' | 'asymp' };
	wasserstein?: number;
	wassersteinNorm?: number;
	jensenshannon: number;
	jensenshannonBase2: number;
	psi: number;
	chisquare: { statistic: number; pvalue: number; dof: number };
	z?: { statistic: number; pvalue: number };
	defaultTest: StatTestName;
	counts: { edges?: number[]; ref: Record<string, number>; cur: Record<string, number> };
}
// Non-finite numbers travel as "nan" / "inf" / "-inf" (no category in the file is spelled so).
const NON_FINITE: Record<string, number> = { nan: NaN, inf: Infinity, '-inf': -Infinity };
const ref = JSON.parse(readFileSync(new URL('./scipy-reference.json', import.meta.url), 'utf8'), (_k, v) =>
	typeof v === 'string' && v in NON_FINITE ? NON_FINITE[v] : v
);
const cases: Case[] = ref.cases;

const decode = (xs: (number | string)[], _kind: FeatureKind): Category[] => xs;

function stat(actual: number, expected: number, what: string): void {
	if (!Number.isFinite(expected)) {
		expect(actual, what).toBe(expected);
		return;
	}
	const tol = 1e-9 * Math.max(1, Math.abs(expected));
	expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}
function pval(actual: number, expected: number, what: string, abs = 0): void {
	if (Number.isNaN(expected)) {
		expect(actual, what).toBeNaN();
		return;
	}
	expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
		1e-6 * Math.abs(expected) + abs
	);
}

describe(`drift statistics agree with SciPy ${ref.scipy} as Evidently calls it`, () => {
	for (const c of cases) {
		const a = decode(c.reference, c.kind);
		const b = decode(c.current, c.kind);
		describe(c.name, () => {
			if (c.ks) {
				it('ks_2samp', () => {
					const r = ks2samp(a as number[], b as number[]);
					expect(r.method).toBe(c.ks!.method);
					stat(r.statistic, c.ks!.statistic, 'D');
					pval(r.pvalue, c.ks!.pvalue, 'p');
				});
				it('wasserstein', () => {
					const fa = (a as number[]).filter(Number.isFinite);
					const fb = (b as number[]).filter(Number.isFinite);
					stat(wassersteinDistance(fa, fb), c.wasserstein!, 'W1');
					stat(wassersteinNorm(a as number[], b as number[]), c.wassersteinNorm!, 'W1 normed');
				});
			}
			it('Jensen–Shannon (Evidently binning, natural log) and PSI', () => {
				stat(jensenShannonTest(a, b, c.kind), c.jensenshannon, 'JS');
				stat(jensenShannonTest(a, b, c.kind, 2), c.jensenshannonBase2, 'JS base 2');
				stat(psi(a, b, c.kind), c.psi, 'PSI');
			});
			it('counts-based JS and PSI equal the raw-data ones on Evidently bins', () => {
				stat(jensenShannonFromCounts(c.counts.ref, c.counts.cur), c.jensenshannon, 'JS from counts');
				stat(psiFromCounts(c.counts.ref, c.counts.cur), c.psi, 'PSI from counts');
			});
			it('chi-square', () => {
				const r = chiSquareTest(a, b);
				expect(r.dof).toBe(c.chisquare.dof);
				stat(r.statistic, c.chisquare.statistic, 'chi2');
				pval(r.pvalue, c.chisquare.pvalue, 'p');
				const rc = chiSquareFromCounts(
					c.counts.edges ? countsOfValues(a, b).ref : c.counts.ref,
					c.counts.edges ? countsOfValues(a, b).cur : c.counts.cur
				);
				stat(rc.statistic, c.chisquare.statistic, 'chi2 from counts');
			});
			if (c.z) {
				it('Z-test', () => {
					const r = zTestProportions(a, b);
					stat(r.statistic, c.z!.statistic, 'z');
					pval(r.pvalue, c.z!.pvalue, 'p', 1e-15);
					if (c.kind === 'categorical')
						pval(zTestFromCounts(c.counts.ref, c.counts.cur).pvalue, c.z!.pvalue, 'p', 1e-15);
				});
			}
			it('default test and its verdict', () => {
				const chosen = chooseStatTest(a, b, c.kind);
				expect(chosen.name).toBe(c.defaultTest);
				const r = driftTest(chosen.name, a, b, undefined, c.kind);
				const expected =
					chosen.name === 'ks'
						? c.ks!.pvalue <= 0.05
						: chosen.name === 'chisquare'
							? c.chisquare.pvalue < 0.05
							: chosen.name === 'z'
								? c.z!.pvalue < 0.05
								: chosen.name === 'wasserstein'
									? c.wassersteinNorm! >= 0.1
									: c.jensenshannon >= 0.1;
				expect(r.drifted).toBe(expected);
			});
		});
	}
});

function countsOfValues(a: Category[], b: Category[]) {
	const count = (xs: Category[]) => {
		const m = new Map<Category, number>();
		for (const x of xs) if (typeof x !== 'number' || Number.isFinite(x)) m.set(x, (m.get(x) ?? 0) + 1);
		return m;
	};
	return { ref: count(a), cur: count(b) };
}

describe('distribution functions against SciPy', () => {
	it('kstwo.sf over every branch of _kolmogn', () => {
		for (const { n, x, sf } of ref.kstwoSf) pval(kolmogorovSf(n, x), sf, `kstwo.sf(${x}, ${n})`);
	});
	it('chi2.sf', () => {
		for (const { df, x, sf } of ref.chi2Sf) pval(chi2Sf(x, df), sf, `chi2.sf(${x}, ${df})`);
	});
	it('norm.cdf', () => {
		for (const { x, cdf } of ref.normalCdf) pval(normalCdf(x), cdf, `norm.cdf(${x})`);
	});
	it('scipy.stats.chisquare on frequencies', () => {
		for (const c of ref.chiSquare) {
			const r = chiSquare(c.observed, c.expected);
			expect(r.dof).toBe(c.dof);
			stat(r.statistic, c.statistic, 'chi2');
			pval(r.pvalue, c.pvalue, 'p');
		}
	});
	it('scipy.spatial.distance.jensenshannon', () => {
		for (const c of ref.jensenShannon) {
			stat(jensenShannonDistance(c.p, c.q), c.base2, 'base 2');
			stat(jensenShannonDistance(c.p, c.q, Math.E), c.baseE, 'base e');
		}
	});
	it('weighted wasserstein_distance', () => {
		for (const c of ref.weightedWasserstein)
			stat(wassersteinDistance(c.u, c.v, c.uWeights, c.vWeights), c.value, 'W1 weighted');
	});
});
