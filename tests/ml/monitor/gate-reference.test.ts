import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
	mcnemar,
	mcnemarFromCounts,
	pairedBootstrap,
	type GateMetric
} from '../../../src/lib/ml/monitor/gate';
import { mulberry32 } from '../../../src/lib/ml/random';

// Reference values from scripts/reference/gate-statsmodels.py: statsmodels' mcnemar transcribed onto SciPy 1.17.1
// (binom.cdf, chi2.sf), and the paired bootstrap's interval taken by scipy.stats.bootstrap(method='percentile')
// from the same mulberry32 resamples. Tolerances: statistics |Δ| ≤ 1e-12·max(1, |ref|); p-values
// |Δ| ≤ 1e-9·|ref| (relative, so tiny p-values are held to their digits too); bootstrap numbers 1e-12 absolute
// (they are sums in a different order, nothing more).
interface McNemarCase {
	b: number;
	c: number;
	exact: boolean;
	correction: boolean;
	statistic: number;
	pvalue: number;
}
interface McNemarRows {
	championCorrect: (0 | 1)[];
	challengerCorrect: (0 | 1)[];
	b: number;
	c: number;
	exact: boolean;
	statistic: number;
	pvalue: number;
}
interface BootstrapCase {
	name: string;
	metric: GateMetric;
	yTrue: number[];
	champion: number[];
	challenger: number[];
	resamples: number;
	confidence: number;
	seed: number;
	classes?: number;
	championScore: number;
	challengerScore: number;
	difference: number;
	interval: [number, number];
	shareBetter: number;
	firstIndices: number[];
}
const ref = JSON.parse(readFileSync(new URL('./gate-reference.json', import.meta.url), 'utf8')) as {
	mcnemar: McNemarCase[];
	mcnemarRows: McNemarRows[];
	bootstrap: BootstrapCase[];
};

function closeStatistic(actual: number, expected: number) {
	expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}
function closeP(actual: number, expected: number) {
	expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected));
}

describe('mcnemar against statsmodels (on SciPy)', () => {
	it('has the cases', () => expect(ref.mcnemar.length).toBeGreaterThanOrEqual(20));
	for (const r of ref.mcnemar)
		it(`b=${r.b} c=${r.c} ${r.exact ? 'exact' : `chi-square${r.correction ? ' corrected' : ''}`}`, () => {
			const got = mcnemarFromCounts(r.b, r.c, { exact: r.exact, correction: r.correction });
			expect(got.exact).toBe(r.exact);
			closeStatistic(got.statistic, r.statistic);
			closeP(got.pValue, r.pvalue);
		});

	for (const r of ref.mcnemarRows)
		it(`${r.championCorrect.length} paired rows, test chosen by b + c < 25`, () => {
			const got = mcnemar(r.championCorrect, r.challengerCorrect);
			expect([got.b, got.c, got.exact]).toEqual([r.b, r.c, r.exact]);
			closeStatistic(got.statistic, r.statistic);
			closeP(got.pValue, r.pvalue);
		});
});

describe('pairedBootstrap against scipy.stats.bootstrap on the same resamples', () => {
	it('draws the indices the script drew', () => {
		for (const r of ref.bootstrap) {
			const rng = mulberry32(r.seed);
			const n = r.yTrue.length;
			expect(Array.from({ length: 10 }, () => Math.floor(rng() * n))).toEqual(r.firstIndices);
		}
	});
	for (const r of ref.bootstrap)
		it(r.name, () => {
			const got = pairedBootstrap({
				yTrue: r.yTrue,
				champion: r.champion,
				challenger: r.challenger,
				metric: r.metric,
				resamples: r.resamples,
				confidence: r.confidence,
				seed: r.seed,
				classes: r.classes
			});
			expect(got.champion).toBeCloseTo(r.championScore, 12);
			expect(got.challenger).toBeCloseTo(r.challengerScore, 12);
			expect(got.difference).toBeCloseTo(r.difference, 12);
			expect(got.interval[0]).toBeCloseTo(r.interval[0], 12);
			expect(got.interval[1]).toBeCloseTo(r.interval[1], 12);
			expect(got.shareBetter).toBe(r.shareBetter);
		});
});
