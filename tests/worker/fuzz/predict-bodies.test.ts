import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, predictResponseSchema } from '../../../src/lib/contract';
import type { Preprocessing } from '../../../src/lib/ml/types';
import { predictPath, register, softmax, upload } from '../inference/fixtures';
import { gemmModel } from '../inference/onnx-builder';
import { ok } from '../v1/fixtures';
import { check, jsonish, runs, unicodeText } from './arbitraries';
import { expectRefused } from './refuse';

/**
 * Predict bodies against a servable version: any body that is not rows or columns of this model's features
 * (wrong shapes, a feature of the wrong type, ragged columns, too many rows) is a 4xx in our shape that writes
 * nothing; any well-formed one — numbers in range or null, any text (any script) for the categorical feature —
 * is answered with one prediction per row whose probabilities are those of the weights.
 */

const PREP: Preprocessing = {
	version: 1,
	features: [
		{ name: 'bill', kind: 'numeric', mean: 40, std: 5, impute: 40 },
		{ name: 'island', kind: 'categorical', categories: ['Biscoe', 'Dream'] }
	],
	target: { name: 'species', task: 'multiclass', classes: ['Adelie', 'Chinstrap', 'Gentoo'] },
	width: 4
};
const W = [
	[1, 0, -1],
	[0, 0, 2],
	[0, 3, 0],
	[1, 0, 0]
];
const PATH = predictPath('fzpenguins', 1);

beforeAll(async () => {
	await register('fzpenguins', {
		sha: await upload(gemmModel({ weights: W, bias: [0, 0, 0], head: 'softmax' })),
		prep: PREP
	});
	// The first prediction loads ORT: outside any one property's timeout.
	await ok(PATH, { method: 'POST', json: { rows: [{ bill: 40, island: 'Dream' }] } });
}, 60_000);

/** The logits the weights give a row, computed here as the export contract says (docs/registry.md). */
function expected(bill: number | null, island: string | null) {
	const x = [
		(bill ?? 40) - 40,
		island === 'Biscoe' ? 1 : 0,
		island === 'Dream' ? 1 : 0,
		island === 'Biscoe' || island === 'Dream' ? 0 : 1
	];
	x[0] /= 5;
	return softmax([0, 1, 2].map((k) => x.reduce((sum, xi, i) => sum + xi * W[i][k], 0)));
}

const bill = fc.oneof(fc.double({ min: -1000, max: 1000, noNaN: true }), fc.constant(null));
const island = fc.oneof(unicodeText(12), fc.constantFrom('Biscoe', 'Dream', null));
/** Not a cell at all: a cell is text, a number, a boolean or null (src/lib/contract/predict.ts). */
const notAFeature = fc.oneof(
	fc.array(fc.integer(), { maxLength: 2 }),
	fc.dictionary(unicodeText(4), fc.integer(), { maxKeys: 2 })
);

describe('fuzz: predict bodies', { timeout: 60_000 }, () => {
	it('well-formed rows, any text for the category, are answered row by row as the weights say', async () => {
		await check(
			fc.assert(
				fc.asyncProperty(
					fc.array(fc.tuple(bill, island), { minLength: 1, maxLength: 20 }),
					fc.boolean(),
					async (rows, asColumns) => {
						const json = asColumns
							? { columns: { bill: rows.map((r) => r[0]), island: rows.map((r) => r[1]) } }
							: { rows: rows.map(([b, i]) => ({ bill: b, island: i })) };
						const res = predictResponseSchema.parse(await ok(PATH, { method: 'POST', json }));
						expect(res.predictions).toHaveLength(rows.length);
						res.predictions.forEach((p, i) => {
							const probs = Object.values((p as { probabilities: Record<string, number> }).probabilities);
							expected(rows[i][0], rows[i][1]).forEach((q, k) => expect(probs[k]).toBeCloseTo(q, 4));
						});
					}
				),
				runs(15, 'predict-bodies')
			)
		);
	});

	it('a feature of another type, in rows or columns, is refused naming it', async () => {
		await check(
			fc.assert(
				fc.asyncProperty(
					fc.constantFrom('bill', 'island'),
					notAFeature,
					fc.boolean(),
					async (feature, value, asColumns) => {
						const row = { bill: 41, island: 'Dream', [feature]: value };
						const json = asColumns
							? { columns: { bill: [row.bill], island: [row.island] } }
							: { rows: [row] };
						// Text where a number was trained is refused too; a number for a category is its text (allowed).
						const message = await expectRefused(
							PATH,
							{ method: 'POST', json, token: 'test-admin-token' },
							`${feature}: ${JSON.stringify(value)}`
						);
						expect(message).toMatch(new RegExp(feature));
					}
				),
				runs(15, 'predict-bodies')
			)
		);
	});

	it('any other body is a 4xx that writes nothing', async () => {
		await check(
			fc.assert(
				fc.asyncProperty(
					fc.oneof(
						jsonish(3),
						fc.dictionary(fc.constantFrom('rows', 'columns', 'x'), jsonish(3), { minKeys: 1, maxKeys: 3 }),
						fc.record({
							columns: fc.record({
								bill: fc.array(bill, { minLength: 1, maxLength: 3 }),
								island: fc.array(island, { minLength: 4, maxLength: 6 })
							})
						}),
						fc.record({ rows: fc.constant([]) }),
						fc.constant({
							rows: Array.from({ length: LIMITS.predictRows + 1 }, () => ({ bill: 1, island: 'Dream' }))
						})
					),
					async (json) => {
						fc.pre(
							!(
								json &&
								typeof json === 'object' &&
								'rows' in json &&
								Array.isArray(json.rows) &&
								json.rows.length > 0 &&
								json.rows.length <= LIMITS.predictRows &&
								json.rows.every((r) => r && typeof r === 'object' && 'bill' in r && 'island' in r)
							)
						);
						await expectRefused(
							PATH,
							{ method: 'POST', json, token: 'test-admin-token' },
							JSON.stringify(json).slice(0, 200)
						);
					}
				),
				runs(25, 'predict-bodies')
			)
		);
	});
});
