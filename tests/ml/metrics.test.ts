import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classificationReport, curves, MAX_CURVE_POINTS, regressionReport } from '../../src/lib/ml/metrics';
import { mulberry32 } from '../../src/lib/ml/random';

const i32 = (v: number[]) => Int32Array.from(v);
const f32 = (v: number[]) => Float32Array.from(v);
const f64 = (v: number[]) => Float64Array.from(v);
const auc = (y: number[], scores: number[]) => curves(f64(scores), Uint8Array.from(y)).auc;

/** The Mann–Whitney statistic, pair by pair: the definition the trapezoid AUC must match, ties as half. */
function bruteAuc(y: number[], s: number[]): number {
	let wins = 0;
	let pairs = 0;
	y.forEach((yi, i) =>
		y.forEach((yj, j) => {
			if (yi !== 1 || yj !== 0) return;
			pairs++;
			wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
		})
	);
	return wins / pairs;
}

describe('ROC AUC, hand-computed', () => {
	it.each([
		{ name: "sklearn's 4-row example", y: [0, 0, 1, 1], s: [0.1, 0.4, 0.35, 0.8], auc: 0.75 },
		{ name: 'perfect', y: [0, 0, 1, 1], s: [0.1, 0.2, 0.3, 0.4], auc: 1 },
		{ name: 'inverted', y: [0, 0, 1, 1], s: [0.4, 0.3, 0.2, 0.1], auc: 0 },
		{ name: 'a tied pos/neg pair counts half', y: [0, 0, 1, 1], s: [0.2, 0.5, 0.5, 0.9], auc: 0.875 },
		{ name: 'all tied', y: [0, 1, 0, 1], s: [0.5, 0.5, 0.5, 0.5], auc: 0.5 },
		{ name: 'no positives: undefined', y: [0, 0], s: [0.1, 0.2], auc: NaN },
		{ name: 'no negatives: undefined', y: [1, 1], s: [0.1, 0.2], auc: NaN }
	])('$name → $auc', ({ y, s, auc: want }) => expect(auc(y, s)).toBe(want));

	it('walks one point per distinct score and keeps the corners', () => {
		expect(curves(f64([0.1, 0.4, 0.35, 0.8]), Uint8Array.from([0, 0, 1, 1])).roc).toEqual([
			{ fpr: 0, tpr: 0 },
			{ fpr: 0, tpr: 0.5 },
			{ fpr: 0.5, tpr: 0.5 },
			{ fpr: 0.5, tpr: 1 },
			{ fpr: 1, tpr: 1 }
		]);
	});

	it('drops points inside straight runs: a perfect ranking of 100 rows is 3 points', () => {
		const y = Array.from({ length: 100 }, (_, i) => (i < 50 ? 0 : 1));
		const c = curves(f64(y.map((_, i) => i)), Uint8Array.from(y));
		expect(c.roc).toEqual([
			{ fpr: 0, tpr: 0 },
			{ fpr: 0, tpr: 1 },
			{ fpr: 1, tpr: 1 }
		]);
	});

	it(`caps curves at ${MAX_CURVE_POINTS} points, ends kept`, () => {
		const rng = mulberry32(5);
		const y = Array.from({ length: 5000 }, () => (rng() < 0.5 ? 1 : 0));
		const c = curves(f64(y.map(() => rng())), Uint8Array.from(y));
		expect(c.roc.length).toBeLessThanOrEqual(MAX_CURVE_POINTS);
		expect(c.pr.length).toBe(MAX_CURVE_POINTS);
		expect([c.roc[0], c.roc.at(-1)]).toEqual([
			{ fpr: 0, tpr: 0 },
			{ fpr: 1, tpr: 1 }
		]);
		expect(c.pr[0]).toEqual({ recall: 0, precision: 1 });
		expect(c.pr.at(-1)!.recall).toBe(1);
	});
});

describe('average precision, hand-computed', () => {
	it.each([
		// Thresholds 0.8 (P 1, R ½), 0.4, 0.35 (P ⅔, R 1), 0.1: ½·1 + ½·⅔.
		{ name: "sklearn's 4-row example", y: [0, 0, 1, 1], s: [0.1, 0.4, 0.35, 0.8], ap: 5 / 6 },
		{ name: 'perfect', y: [0, 1, 1], s: [0.1, 0.5, 0.9], ap: 1 },
		// 0.9 (P 1, R ½), then the 0.5 tie as one threshold (P ⅔, R 1).
		{ name: 'ties form one threshold', y: [0, 0, 1, 1], s: [0.2, 0.5, 0.5, 0.9], ap: 5 / 6 },
		{ name: 'no positives: undefined', y: [0, 0], s: [0.1, 0.2], ap: NaN }
	])('$name → $ap', ({ y, s, ap }) => {
		const got = curves(f64(s), Uint8Array.from(y)).averagePrecision;
		if (Number.isNaN(ap)) expect(got).toBeNaN();
		else expect(got).toBeCloseTo(ap, 12);
	});
});

describe('classificationReport', () => {
	const binary = {
		classes: ['no', 'yes'],
		accuracy: 0.75, // p > 0.5 only for 0.8 → predictions 0,0,0,1
		confusion: [
			[2, 0],
			[1, 1]
		],
		perClass: [
			{ label: 'no', precision: 2 / 3, recall: 1, f1: 0.8, support: 2 },
			{ label: 'yes', precision: 1, recall: 0.5, f1: 2 / 3, support: 2 }
		]
	};
	const y = i32([0, 0, 1, 1]);

	it.each([
		{ name: 'k = 1 (sigmoid, probability of classes[1])', probs: f32([0.1, 0.4, 0.35, 0.8]) },
		{ name: 'k = 2 (softmax)', probs: f32([0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8]) }
	])('binary, $name', ({ probs }) => {
		const r = classificationReport(y, probs, ['no', 'yes']);
		expect(r).toMatchObject({ task: 'binary', ...binary });
		expect(r.macro.precision).toBeCloseTo(5 / 6, 6);
		expect(r.macro.recall).toBeCloseTo(0.75, 12);
		expect(r.macro.f1).toBeCloseTo((0.8 + 2 / 3) / 2, 6);
		expect(r.roc.map((c) => [c.label, c.auc])).toEqual([['yes', 0.75]]);
		expect(r.pr[0].averagePrecision).toBeCloseTo(5 / 6, 6);
	});

	it('a sigmoid output of exactly 0.5 predicts classes[0]', () => {
		expect(classificationReport(i32([0, 1]), f32([0.5, 0.5]), ['a', 'b']).confusion).toEqual([
			[1, 0],
			[1, 0]
		]);
	});

	it('multiclass: one-vs-rest curves per class, precision 0 for a class never right', () => {
		// Predictions 0, 1, 2, 0 against 0, 1, 2, 2.
		const probs = f32([0.7, 0.2, 0.1, 0.3, 0.4, 0.3, 0.2, 0.3, 0.5, 0.5, 0.3, 0.2]);
		const r = classificationReport(i32([0, 1, 2, 2]), probs, ['a', 'b', 'c']);
		expect(r.task).toBe('multiclass');
		expect(r.accuracy).toBe(0.75);
		expect(r.confusion).toEqual([
			[1, 0, 0],
			[0, 1, 0],
			[1, 0, 1]
		]);
		expect(r.perClass.map((p) => [p.precision, p.recall, p.support])).toEqual([
			[0.5, 1, 1],
			[1, 1, 1],
			[1, 0.5, 2]
		]);
		expect(r.macro.f1).toBeCloseTo((2 / 3 + 1 + 2 / 3) / 3, 12);
		// Class c: positives score 0.5 and 0.2 against negatives 0.1 and 0.3 → 3 of 4 pairs.
		expect(r.roc.map((c) => c.auc)).toEqual([1, 1, 0.75]);
		expect(r.pr[2].averagePrecision).toBeCloseTo(5 / 6, 6);

		const never = classificationReport(i32([0, 1, 2]), f32([1, 0, 0, 1, 0, 0, 1, 0, 0]), ['a', 'b', 'c']);
		expect(never.perClass.map((p) => p.precision)).toEqual([1 / 3, 0, 0]);
		expect(never.perClass.map((p) => p.f1)).toEqual([0.5, 0, 0]);
	});

	it.each([
		{ name: 'probs of the wrong length', y: [0, 1], probs: [0.1, 0.2, 0.3], classes: ['a', 'b'] },
		{ name: 'k = 1 with three classes', y: [0, 1], probs: [0.1, 0.2], classes: ['a', 'b', 'c'] },
		{ name: 'a label out of range', y: [0, 2], probs: [0.1, 0.2], classes: ['a', 'b'] },
		{ name: 'a label of −1', y: [0, -1], probs: [0.1, 0.2], classes: ['a', 'b'] },
		{ name: 'no rows', y: [], probs: [], classes: ['a', 'b'] },
		{ name: 'one class', y: [0], probs: [1], classes: ['a'] }
	])('refuses $name', ({ y, probs, classes }) =>
		expect(() => classificationReport(i32(y), f32(probs), classes)).toThrow(RangeError)
	);
});

describe('metric properties', () => {
	// Scores on a 1/128 grid: 1 − s is exact, so inverting cannot create or break ties.
	const labelled = fc
		.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 128 })), {
			minLength: 2,
			maxLength: 60
		})
		.filter((rows) => rows.some(([y]) => y === 1) && rows.some(([y]) => y === 0));

	it('AUC is in [0, 1] and equals the Mann–Whitney statistic', () => {
		fc.assert(
			fc.property(labelled, (rows) => {
				const y = rows.map(([v]) => v);
				const s = rows.map(([, v]) => v / 128);
				const a = auc(y, s);
				expect(a).toBeGreaterThanOrEqual(0);
				expect(a).toBeLessThanOrEqual(1);
				expect(a).toBeCloseTo(bruteAuc(y, s), 12);
			})
		);
	});

	it('inverting the scores gives 1 − AUC', () => {
		fc.assert(
			fc.property(labelled, (rows) => {
				const y = rows.map(([v]) => v);
				const s = rows.map(([, v]) => v / 128);
				expect(
					auc(
						y,
						s.map((v) => 1 - v)
					)
				).toBeCloseTo(1 - auc(y, s), 12);
			})
		);
	});

	it('accuracy is the confusion trace over the total; AP is in [0, 1]', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 2, max: 5 }).chain((k) =>
					fc.tuple(
						fc.constant(k),
						fc.array(
							fc.tuple(
								fc.integer({ min: 0, max: k - 1 }),
								fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: k, maxLength: k })
							),
							{
								minLength: 1,
								maxLength: 40
							}
						)
					)
				),
				([k, rows]) => {
					const classes = Array.from({ length: k }, (_, c) => `c${c}`);
					const r = classificationReport(i32(rows.map(([y]) => y)), f32(rows.flatMap(([, p]) => p)), classes);
					const trace = r.confusion.reduce((s, row, c) => s + row[c], 0);
					const total = r.confusion.flat().reduce((s, v) => s + v, 0);
					expect(total).toBe(rows.length);
					expect(r.accuracy).toBe(trace / total);
					for (const c of r.pr)
						if (!Number.isNaN(c.averagePrecision)) expect(c.averagePrecision).toBeLessThanOrEqual(1 + 1e-12);
				}
			)
		);
	});
});

describe('regressionReport', () => {
	it("sklearn's example: MAE 0.5, RMSE √0.375, R² 0.9486…", () => {
		const r = regressionReport(f64([3, -0.5, 2, 7]), f64([2.5, 0, 2, 8]));
		expect(r.mae).toBe(0.5);
		expect(r.rmse).toBeCloseTo(0.6123724356957945, 15);
		expect(r.r2).toBeCloseTo(0.9486081370449679, 15);
		expect(r.residuals).toEqual([
			{ predicted: 2.5, residual: 0.5 },
			{ predicted: 0, residual: -0.5 },
			{ predicted: 2, residual: 0 },
			{ predicted: 8, residual: -1 }
		]);
	});

	it.each([
		{ name: 'constant truth, exact predictions → 1', t: [5, 5, 5], p: [5, 5, 5], r2: 1 },
		{ name: 'constant truth, any miss → 0', t: [5, 5, 5], p: [4, 5, 6], r2: 0 },
		{
			name: 'constant 0.1 whose mean is off by an ulp → still 0, not −10³⁰',
			t: [0.1, 0.1, 0.1],
			p: [0.1, 0.1, 0.2],
			r2: 0
		},
		{ name: 'predicting the mean → 0', t: [1, 2, 3], p: [2, 2, 2], r2: 0 },
		{ name: 'worse than the mean → negative', t: [1, 2, 3], p: [3, 2, 1], r2: -3 }
	])('R²: $name', ({ t, p, r2 }) => expect(regressionReport(f64(t), f64(p)).r2).toBe(r2));

	it('samples 2,000 residuals evenly and deterministically past 2,000 rows', () => {
		const n = 5000;
		const t = f64(Array.from({ length: n }, (_, i) => i));
		const r = regressionReport(t, new Float64Array(n));
		expect(r.residuals).toHaveLength(2000);
		// Row ⌊j · 5000 / 2000⌋ = ⌊2.5 j⌋: 0, 2, 5, 7, …, 4997.
		expect(r.residuals.slice(0, 4).map((p) => p.residual)).toEqual([0, 2, 5, 7]);
		expect(r.residuals.at(-1)!.residual).toBe(4997);
		expect(regressionReport(t, new Float64Array(n))).toEqual(r);
	});

	it.each([
		{ name: 'lengths differ', t: [1, 2], p: [1] },
		{ name: 'no rows', t: [], p: [] }
	])('refuses when $name', ({ t, p }) => expect(() => regressionReport(f64(t), f64(p))).toThrow(RangeError));
});
