import { describe, expect, it } from 'vitest';
import { classificationReport, regressionReport } from '../../../src/lib/ml/metrics';
import {
	binomHalfCdf,
	gateDecision,
	GateInputError,
	holdOutScores,
	MCNEMAR_EXACT_BELOW,
	mcnemar,
	mcnemarFromCounts,
	MIN_GATE_ROWS,
	pairedBootstrap,
	quantileSorted,
	type GateInput
} from '../../../src/lib/ml/monitor/gate';
import { mulberry32 } from '../../../src/lib/ml/random';

/** Labels for n rows where the champion is right except on `champWrong`, the challenger except on `chalWrong`. */
function labelled(n: number, champWrong: (i: number) => boolean, chalWrong: (i: number) => boolean) {
	const yTrue = Array.from({ length: n }, (_, i) => i % 3);
	const champion = yTrue.map((y, i) => (champWrong(i) ? (y + 1) % 3 : y));
	const challenger = yTrue.map((y, i) => (chalWrong(i) ? (y + 2) % 3 : y));
	return { yTrue, champion, challenger };
}

/** A hold-out with exactly b rows only the champion gets right and c only the challenger, among n. */
function discordant(n: number, b: number, c: number) {
	return labelled(
		n,
		(i) => i >= b && i < b + c,
		(i) => i < b
	);
}

describe('mcnemar by hand', () => {
	it('b = 10, c = 2: exact, p = 2·(C(12,0) + C(12,1) + C(12,2))/2^12 = 158/4096', () => {
		const r = mcnemarFromCounts(10, 2);
		expect(r).toEqual({ b: 10, c: 2, statistic: 2, pValue: 158 / 4096, exact: true });
	});

	it('b = 0, c = 0: no discordant rows, p = 1 (exact or forced chi-square)', () => {
		expect(mcnemarFromCounts(0, 0)).toEqual({ b: 0, c: 0, statistic: 0, pValue: 1, exact: true });
		// statsmodels' chi-square branch would divide by zero here; the gate reads it as "no evidence".
		expect(mcnemarFromCounts(0, 0, { exact: false })).toEqual({
			b: 0,
			c: 0,
			statistic: 0,
			pValue: 1,
			exact: false
		});
	});

	it('b = 30, c = 12: b + c = 42 ≥ 25, so the corrected chi-square (17²/42)', () => {
		const r = mcnemarFromCounts(30, 12);
		expect(r.exact).toBe(false);
		expect(r.statistic).toBe(289 / 42);
		// χ²₁ survival = erfc(√(x/2)); SciPy's chi2.sf(289/42, 1) = 0.008711912962379598.
		expect(r.pValue).toBeCloseTo(0.008711912962379598, 15);
	});

	it('switches to the chi-square at b + c = 25', () => {
		expect(MCNEMAR_EXACT_BELOW).toBe(25);
		expect(mcnemarFromCounts(24, 0)).toMatchObject({ exact: true, statistic: 0, pValue: 2 * 2 ** -24 });
		expect(mcnemarFromCounts(25, 0)).toMatchObject({ exact: false, statistic: 23.04 });
		expect(mcnemarFromCounts(25, 0, { exact: true }).pValue).toBe(2 * 2 ** -25);
		expect(mcnemarFromCounts(10, 2, { exact: false }).statistic).toBe(49 / 12);
		expect(mcnemarFromCounts(10, 2, { exact: false, correction: false }).statistic).toBe(64 / 12);
	});

	it('is symmetric in b and c and caps p at 1 when they are equal', () => {
		expect(mcnemarFromCounts(7, 3).pValue).toBe(mcnemarFromCounts(3, 7).pValue);
		expect(mcnemarFromCounts(6, 6).pValue).toBe(1);
	});

	it('counts b and c from paired flags (booleans or 0/1); concordant rows do not count', () => {
		const champ = [true, true, false, false, 1, 0] as const;
		const chal = [false, true, true, false, 1, 1] as const;
		const r = mcnemar(champ, chal);
		expect([r.b, r.c]).toEqual([1, 2]);
		expect(r.pValue).toBe(1); // 2·P(X ≤ 1 | 3, ½) = 2·4/8
	});

	it('binomHalfCdf is exact for small n (summed in integers) and smooth above n = 1000', () => {
		expect(binomHalfCdf(0, 1)).toBe(0.5);
		expect(binomHalfCdf(2, 5)).toBe(0.5);
		expect(binomHalfCdf(3, 10)).toBe(176 / 1024);
		expect(binomHalfCdf(10, 10)).toBe(1);
		// n = 1001 is odd: P(X ≤ 500) = ½ exactly by symmetry, from the Loader path.
		expect(binomHalfCdf(500, 1001)).toBeCloseTo(0.5, 14);
		expect(binomHalfCdf(5000, 10001)).toBeCloseTo(0.5, 13);
	});
});

describe('pairedBootstrap', () => {
	/** A correlated pair of classifiers on n rows: both err on hard rows, each also on its own. */
	function pair(n: number, seed: number) {
		const rng = mulberry32(seed);
		const yTrue: number[] = [];
		const champion: number[] = [];
		const challenger: number[] = [];
		for (let i = 0; i < n; i++) {
			const y = Math.floor(rng() * 3);
			const hard = rng() < 0.12;
			yTrue.push(y);
			champion.push(hard || rng() < 0.1 ? (y + 1) % 3 : y);
			challenger.push(hard || rng() < 0.06 ? (y + 2) % 3 : y);
		}
		return { yTrue, champion, challenger };
	}

	it('matches the normal approximation of the paired accuracy difference at large n', () => {
		const data = pair(4000, 1);
		const d = data.yTrue.map((y, i) => (data.challenger[i] === y ? 1 : 0) - (data.champion[i] === y ? 1 : 0));
		const n = d.length;
		const mean = d.reduce((s, v) => s + v, 0) / n;
		const se = Math.sqrt((d.reduce((s, v) => s + v * v, 0) / n - mean * mean) / n);
		const r = pairedBootstrap({ ...data, metric: 'accuracy', seed: 5 });
		expect(r.difference).toBeCloseTo(mean, 14);
		// 2000 resamples put a 2.5 % quantile within ~0.06·se of its limit; 0.2·se leaves room.
		expect(Math.abs(r.interval[0] - (mean - 1.959964 * se))).toBeLessThan(0.2 * se);
		expect(Math.abs(r.interval[1] - (mean + 1.959964 * se))).toBeLessThan(0.2 * se);
		expect(r.shareBetter).toBeGreaterThan(0.99);
	});

	it('matches the normal approximation of the paired MAE difference at large n', () => {
		const rng = mulberry32(9);
		const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
		const n = 3000;
		const yTrue = Array.from({ length: n }, () => 50 + 10 * normal());
		const champion = yTrue.map((y) => y + 2 * normal());
		const challenger = yTrue.map((y) => y + 1.9 * normal());
		const d = yTrue.map((y, i) => Math.abs(y - champion[i]) - Math.abs(y - challenger[i]));
		const mean = d.reduce((s, v) => s + v, 0) / n;
		const se = Math.sqrt((d.reduce((s, v) => s + v * v, 0) / n - mean * mean) / n);
		const r = pairedBootstrap({ yTrue, champion, challenger, metric: 'mae', seed: 2 });
		expect(r.difference).toBeCloseTo(mean, 12);
		expect(Math.abs(r.interval[0] - (mean - 1.959964 * se))).toBeLessThan(0.2 * se);
		expect(Math.abs(r.interval[1] - (mean + 1.959964 * se))).toBeLessThan(0.2 * se);
	});

	it('covers the true difference about 95 % of the time', () => {
		// Champion right w.p. 0.75, challenger w.p. 0.80, independently: the true difference is 0.05.
		const rng = mulberry32(77);
		let covered = 0;
		const trials = 200;
		for (let t = 0; t < trials; t++) {
			const n = 200;
			const yTrue = new Array<number>(n).fill(1);
			const champion = yTrue.map(() => (rng() < 0.75 ? 1 : 0));
			const challenger = yTrue.map(() => (rng() < 0.8 ? 1 : 0));
			const r = pairedBootstrap({ yTrue, champion, challenger, metric: 'accuracy', resamples: 400, seed: t });
			if (r.interval[0] <= 0.05 && 0.05 <= r.interval[1]) covered++;
		}
		expect(covered / trials).toBeGreaterThan(0.88);
		expect(covered / trials).toBeLessThan(0.99);
	});

	it('is deterministic for a seed, and the seed matters', () => {
		const data = pair(300, 3);
		const a = pairedBootstrap({ ...data, metric: 'macroF1', seed: 42 });
		const b = pairedBootstrap({ ...data, metric: 'macroF1', seed: 42 });
		const c = pairedBootstrap({ ...data, metric: 'macroF1', seed: 43 });
		expect(b).toEqual(a);
		expect(c.interval).not.toEqual(a.interval);
		expect(c.difference).toBe(a.difference);
		// mulberry32 takes the seed modulo 2^32.
		expect(pairedBootstrap({ ...data, metric: 'accuracy', seed: -1 })).toMatchObject({
			interval: pairedBootstrap({ ...data, metric: 'accuracy', seed: 4294967295 }).interval
		});
		// Unseeded calls repeat too (seed 0).
		expect(pairedBootstrap({ ...data, metric: 'accuracy' }).interval).toEqual(
			pairedBootstrap({ ...data, metric: 'accuracy', seed: 0 }).interval
		);
	});

	it('agrees with src/lib/ml/metrics.ts on the whole hold-out', () => {
		const data = pair(500, 4);
		const probs = new Float32Array(500 * 3);
		const probs1 = new Float32Array(500 * 3);
		data.champion.forEach((p, i) => (probs[i * 3 + p] = 1));
		data.challenger.forEach((p, i) => (probs1[i * 3 + p] = 1));
		const y = Int32Array.from(data.yTrue);
		const r0 = classificationReport(y, probs, ['a', 'b', 'c']);
		const r1 = classificationReport(y, probs1, ['a', 'b', 'c']);
		const acc = holdOutScores({ ...data, metric: 'accuracy' });
		expect([acc.champion, acc.challenger]).toEqual([r0.accuracy, r1.accuracy]);
		const f1 = holdOutScores({ ...data, metric: 'macroF1' });
		expect(f1.champion).toBeCloseTo(r0.macro.f1, 14);
		expect(f1.challenger).toBeCloseTo(r1.macro.f1, 14);
		expect(f1.difference).toBeCloseTo(r1.macro.f1 - r0.macro.f1, 14);

		const yTrue = Float64Array.from({ length: 200 }, (_, i) => Math.sin(i) * 10);
		const champion = yTrue.map((v, i) => v + ((i % 7) - 3));
		const challenger = yTrue.map((v, i) => v + ((i % 5) - 2) * 0.5);
		const e0 = regressionReport(yTrue, champion);
		const e1 = regressionReport(yTrue, challenger);
		const mae = holdOutScores({ yTrue, champion, challenger, metric: 'mae' });
		const rmse = holdOutScores({ yTrue, champion, challenger, metric: 'rmse' });
		expect(mae.champion).toBeCloseTo(e0.mae, 14);
		expect(mae.challenger).toBeCloseTo(e1.mae, 14);
		expect(rmse.champion).toBeCloseTo(e0.rmse, 14);
		// Lower error is better, so the difference is champion − challenger: positive here.
		expect(mae.difference).toBeCloseTo(e0.mae - e1.mae, 14);
		expect(mae.difference).toBeGreaterThan(0);
		expect(rmse.difference).toBeCloseTo(e0.rmse - e1.rmse, 14);
	});

	it('averages macro F1 over a fixed class set: the union seen, or 0…classes − 1', () => {
		// Class 2 only ever predicted by the challenger (wrongly): it counts, with F1 0, for both.
		const yTrue = [0, 0, 1, 1];
		const champion = [0, 0, 1, 1];
		const challenger = [0, 2, 1, 1];
		const seen = holdOutScores({ yTrue, champion, challenger, metric: 'macroF1' });
		expect(seen.champion).toBeCloseTo(2 / 3, 15);
		expect(seen.challenger).toBeCloseTo((2 / 3 + 1) / 3, 15);
		const four = holdOutScores({ yTrue, champion, challenger, metric: 'macroF1', classes: 4 });
		expect(four.champion).toBeCloseTo(2 / 4, 15);
	});

	it('edge cases: identical models, a single row, a constant difference', () => {
		const data = pair(100, 6);
		const same = pairedBootstrap({ ...data, challenger: data.champion, metric: 'rmse', resamples: 100 });
		expect(same).toMatchObject({ difference: 0, interval: [0, 0], shareBetter: 0 });
		const one = pairedBootstrap({ yTrue: [1], champion: [0], challenger: [1], metric: 'accuracy' });
		expect(one).toMatchObject({ difference: 1, interval: [1, 1], shareBetter: 1 });
		// Every absolute error smaller by exactly 1: every resample's MAE difference is 1.
		const yTrue = Array.from({ length: 50 }, (_, i) => i);
		const r = pairedBootstrap({
			yTrue,
			champion: yTrue.map((v) => v + 3),
			challenger: yTrue.map((v) => v - 2),
			metric: 'mae'
		});
		expect(r.interval[0]).toBeCloseTo(1, 12);
		expect(r.interval[1]).toBeCloseTo(1, 12);
	});

	it('quantileSorted interpolates linearly between order statistics (NumPy type 7)', () => {
		const xs = [1, 2, 3, 4, 5];
		expect(quantileSorted(xs, 0)).toBe(1);
		expect(quantileSorted(xs, 1)).toBe(5);
		expect(quantileSorted(xs, 0.5)).toBe(3);
		expect(quantileSorted(xs, 0.1)).toBeCloseTo(1.4, 15);
	});
});

describe('gateDecision', () => {
	const gate = (over: Partial<GateInput> & Pick<GateInput, 'yTrue' | 'champion' | 'challenger'>) =>
		gateDecision({ metric: 'accuracy', margin: 0.01, confidence: 0.95, resamples: 500, ...over });

	it('promotes a clearly better challenger on accuracy (McNemar)', () => {
		const d = gate(discordant(1000, 20, 80));
		expect(d.promote).toBe(true);
		expect(d.test).toBe('mcnemar');
		expect(d.mcnemar).toMatchObject({ b: 20, c: 80, exact: false });
		expect(d.difference).toBe(0.06);
		expect(d.pValue).toBeLessThan(1e-8);
		expect(d.interval?.[0]).toBeGreaterThan(0);
		expect(d.reason).toMatch(/^Promote: /);
		expect(d.reason).toContain('0.98'); // challenger accuracy
		expect(d.reason).toContain('0.92'); // champion accuracy
		expect(d.reason).toContain('+0.06');
		expect(d.reason).toContain('80 rows only the challenger got right, 20 only the champion');
	});

	it('keeps the champion against an equal challenger', () => {
		const data = discordant(500, 0, 0);
		const d = gate(data);
		expect(d).toMatchObject({ promote: false, difference: 0, pValue: 1, interval: [0, 0] });
		expect(d.reason).toContain('not more accurate');
		// Same answers by different mistakes: b = c.
		const swapped = gate(discordant(500, 15, 15));
		expect(swapped.promote).toBe(false);
		expect(swapped.pValue).toBeGreaterThan(0.5);
	});

	it('keeps the champion against a worse challenger', () => {
		const d = gate(discordant(1000, 80, 20));
		expect(d.promote).toBe(false);
		expect(d.difference).toBe(-0.06);
		expect(d.reason).toContain('not more accurate');
	});

	it('keeps the champion when better but not significantly so', () => {
		const d = gate({ ...discordant(1000, 10, 16), margin: 0 });
		expect(d.promote).toBe(false);
		expect(d.pValue).toBeGreaterThan(0.05);
		expect(d.reason).toMatch(/is not below 0\.05/);
	});

	it('holds a significant improvement to the margin, inclusive', () => {
		const tooSmall = gate({ ...discordant(1000, 20, 80), margin: 0.1 });
		expect(tooSmall.promote).toBe(false);
		expect(tooSmall.reason).toContain('less than the margin 0.1');
		// 0.06 exactly: (c − b)/n is one rounding, so it meets a margin written 0.06.
		expect(gate({ ...discordant(1000, 20, 80), margin: 0.06 }).promote).toBe(true);
		expect(gate({ ...discordant(1000, 20, 80), margin: 0.0600001 }).promote).toBe(false);
	});

	it('uses the bootstrap lower bound for MAE, with positive meaning a smaller error', () => {
		const rng = mulberry32(12);
		const yTrue = Array.from({ length: 400 }, () => rng() * 100);
		const champion = yTrue.map((y) => y + (rng() - 0.5) * 20);
		const challenger = yTrue.map((y) => y + (rng() - 0.5) * 10);
		const better = gateDecision({
			yTrue,
			champion,
			challenger,
			metric: 'mae',
			margin: 0.5,
			confidence: 0.95
		});
		expect(better.test).toBe('bootstrap');
		expect(better.promote).toBe(true);
		expect(better.difference).toBeGreaterThan(2);
		expect(better.interval?.[0]).toBeGreaterThan(0.5);
		expect(better.reason).toMatch(/^Promote: .*error reduction \+.*95 % paired bootstrap interval/);
		expect(better.pValue).toBeUndefined();

		const worse = gateDecision({
			yTrue,
			champion: challenger,
			challenger: champion,
			metric: 'mae',
			margin: 0,
			confidence: 0.95
		});
		expect(worse.promote).toBe(false);
		expect(worse.reason).toContain('the challenger is not better');

		const equal = gateDecision({
			yTrue,
			champion,
			challenger: champion,
			metric: 'rmse',
			margin: 0,
			confidence: 0.9
		});
		expect(equal).toMatchObject({ promote: false, difference: 0, interval: [0, 0] });

		const bigMargin = gateDecision({
			yTrue,
			champion,
			challenger,
			metric: 'mae',
			margin: 10,
			confidence: 0.95
		});
		expect(bigMargin.promote).toBe(false);
		expect(bigMargin.reason).toContain('lower end is not above the margin 10');
	});

	it('decides macro F1 by the bootstrap too', () => {
		const data = discordant(600, 10, 90);
		const d = gateDecision({ ...data, metric: 'macroF1', margin: 0.05, confidence: 0.95, seed: 1 });
		expect(d).toMatchObject({ test: 'bootstrap', promote: true });
		expect(d.interval?.[0]).toBeGreaterThan(0.05);
	});

	it(`refuses to judge fewer than ${MIN_GATE_ROWS} rows, saying so`, () => {
		expect(MIN_GATE_ROWS).toBe(30);
		const d = gate(discordant(29, 0, 20));
		expect(d).toMatchObject({ promote: false, interval: null, rows: 29 });
		expect(d.difference).toBeCloseTo(20 / 29, 15);
		expect(d.reason).toContain('at least 30 rows');
		expect(gate({ ...discordant(30, 0, 20), margin: 0 }).promote).toBe(true);
	});
});

describe('bad input is refused by name', () => {
	const ok = discordant(100, 5, 10);
	const base: GateInput = { ...ok, metric: 'accuracy', margin: 0, confidence: 0.95 };
	const cases: [string, () => unknown, RegExp][] = [
		[
			'mismatched lengths',
			() => gateDecision({ ...base, challenger: ok.challenger.slice(1) }),
			/yTrue has 100 rows but challenger has 99/
		],
		[
			'mismatched flags',
			() => mcnemar([true, false], [true]),
			/championCorrect has 2 rows but challengerCorrect has 1/
		],
		[
			'empty hold-out',
			() => gateDecision({ ...base, yTrue: [], champion: [], challenger: [] }),
			/hold-out is empty/
		],
		[
			'NaN prediction (regression)',
			() =>
				pairedBootstrap({ yTrue: [1, 2, 3], champion: [1, 2, 3], challenger: [1, NaN, 3], metric: 'mae' }),
			/challenger must hold finite numbers, got NaN at row 1/
		],
		[
			'Infinity in yTrue',
			() =>
				gateDecision({ ...base, metric: 'rmse', yTrue: ok.yTrue.map((v, i) => (i === 4 ? Infinity : v)) }),
			/yTrue must hold finite numbers, got Infinity at row 4/
		],
		[
			'NaN label (classification)',
			() => gateDecision({ ...base, champion: ok.champion.map((v, i) => (i === 7 ? NaN : v)) }),
			/champion must hold class indices \(integers ≥ 0\), got NaN at row 7/
		],
		[
			'fractional label',
			() => holdOutScores({ yTrue: [0, 1.5], champion: [0, 1], challenger: [0, 1], metric: 'accuracy' }),
			/yTrue must hold class indices .* got 1.5 at row 1/
		],
		[
			'label outside classes',
			() =>
				holdOutScores({ yTrue: [0, 3], champion: [0, 1], challenger: [0, 1], metric: 'macroF1', classes: 3 }),
			/yTrue has class 3 at row 1, outside 0…2/
		],
		[
			'unknown metric',
			() => gateDecision({ ...base, metric: 'auc' as never }),
			/metric must be one of accuracy, macroF1, mae, rmse, got auc/
		],
		[
			'confidence 1',
			() => gateDecision({ ...base, confidence: 1 }),
			/confidence must be a number strictly between 0 and 1, got 1/
		],
		[
			'confidence NaN',
			() => pairedBootstrap({ ...ok, metric: 'accuracy', confidence: NaN }),
			/confidence .* got NaN/
		],
		[
			'negative margin',
			() => gateDecision({ ...base, margin: -0.01 }),
			/margin must be a finite number ≥ 0 in accuracy's units, got -0.01/
		],
		[
			'missing margin',
			() => gateDecision({ ...base, margin: undefined as never }),
			/margin .* got undefined/
		],
		[
			'too few resamples',
			() => pairedBootstrap({ ...ok, metric: 'accuracy', resamples: 50 }),
			/resamples must be an integer in 100…1000000, got 50/
		],
		[
			'fractional seed',
			() => pairedBootstrap({ ...ok, metric: 'accuracy', seed: 1.5 }),
			/seed must be an integer, got 1.5/
		],
		[
			'flag that is not 0/1',
			() => mcnemar([1, 2] as never, [0, 1]),
			/championCorrect must hold true\/false or 1\/0, got 2 at row 1/
		],
		['negative count', () => mcnemarFromCounts(-1, 3), /b must be a count \(an integer ≥ 0\), got -1/],
		['fractional count', () => mcnemarFromCounts(2, 3.5), /c must be a count .* got 3.5/],
		[
			'classes with a regression metric',
			() => pairedBootstrap({ ...ok, metric: 'mae', classes: 3 }),
			/classes applies to macroF1 only, not to mae/
		],
		[
			'exact with a bootstrap metric',
			() => gateDecision({ ...base, metric: 'mae', exact: true }),
			/exact applies to McNemar's test \(accuracy\) only/
		],
		['not an array', () => gateDecision({ ...base, champion: 3 as never }), /champion must be an array/],
		['no input object', () => gateDecision(null as never), /needs an input object/]
	];
	it('has at least 8 kinds', () => expect(cases.length).toBeGreaterThanOrEqual(8));
	for (const [name, run, message] of cases)
		it(name, () => {
			expect(run).toThrow(GateInputError);
			expect(run).toThrow(message);
		});
});
