import { createHash } from 'node:crypto';
import { test, expect } from './fixtures';
import { addSample, addSqlCell, cell, newNotebook, runCell, setSql, signedIn, value } from './helpers';
import { gemmModel } from '../tests/worker/inference/onnx-builder';

/**
 * The batch scoring journey: a notebook table is scored at the edge as one batch job (not 1,000-row requests),
 * its progress shows in the Datasets panel, its result loads as a notebook table, and SQL over that table returns
 * every input row with the predictions the predict route gives for the same rows.
 */

const TOKEN = process.env.EDGEBOOK_ADMIN_TOKEN!;
const auth = { authorization: `Bearer ${TOKEN}` };
const MODEL = 'penguin-size';

// big = sigmoid(w · [standardised beak length, Biscoe, Dream, Torgersen, unseen island]).
const PREP = {
	version: 1,
	features: [
		{ name: 'beak_length', kind: 'numeric', mean: 44, std: 5, impute: 44 },
		{ name: 'island', kind: 'categorical', categories: ['Biscoe', 'Dream', 'Torgersen'] }
	],
	target: { name: 'size', task: 'binary', classes: ['small', 'big'] },
	width: 5
};
const W = [[1.5], [0.8], [-0.4], [-1.2], [0]];

test('a notebook table scored as a batch job at the edge loads back as a table equal to the predict route', async ({
	page,
	baseURL,
	request
}) => {
	test.setTimeout(240_000);
	// The model, registered as an exporter would (its ONNX bytes, then a version with the preprocessing).
	const bytes = Buffer.from(gemmModel({ weights: W, bias: [0.2], head: 'sigmoid' }));
	const sha = createHash('sha256').update(bytes).digest('hex');
	expect((await request.put(`/api/v1/blobs/${sha}`, { headers: auth, data: bytes })).status()).toBeLessThan(
		300
	);
	expect((await request.post('/api/v1/models', { headers: auth, data: { name: MODEL } })).status()).toBe(201);
	const version = await request.post(`/api/v1/models/${MODEL}/versions`, {
		headers: auth,
		data: { artifactSha256: sha, signature: { preprocessing: PREP } }
	});
	expect(version.status()).toBe(201);
	const alias = await request.put(`/api/v1/models/${MODEL}/aliases/champion`, {
		headers: auth,
		data: { version: 1 }
	});
	expect(alias.status()).toBe(200);

	await signedIn(page, baseURL!);
	await newNotebook(page, 'Batch scoring');
	await addSample(page, 'penguins');
	await setSql(
		page,
		1,
		'SELECT "Species" AS species, "Island" AS island, "Beak Length (mm)" AS beak_length FROM penguins'
	);
	await runCell(page, 1);

	// The table q1 goes to the edge as a batch job of the model's champion.
	const form = page.getByTestId('batch-score');
	await form.getByLabel('table to score').fill('q1');
	await form.getByLabel('model to score it with').fill(MODEL);
	await form.getByRole('button', { name: 'Batch score' }).click();
	const table = `batch_${MODEL.replace('-', '_')}_1`;
	await expect(page.locator(`[data-testid="dataset"][data-name="${table}"]`)).toBeVisible({
		timeout: 120_000
	});
	const progress = page.getByTestId('batch-progress');
	await expect(progress).toHaveAttribute('data-status', 'done');
	await expect(progress).toContainText('344 of 344 rows');
	const jobId = (await progress.getAttribute('data-job'))!;
	const job = await (await request.get(`/api/v1/batch/${jobId}`, { headers: auth })).json();
	expect(job).toMatchObject({ status: 'done', model: MODEL, version: 1, rowsTotal: 344, rowsDone: 344 });

	// SQL over the result: every input row once, in order, with its prediction.
	const c = await addSqlCell(page);
	await setSql(
		page,
		c,
		`SELECT count(*) AS n, count(DISTINCT "row") AS rows, min("row") AS first, max("row") AS last,\n` +
			`count(output_label) AS labelled FROM ${table}`
	);
	await runCell(page, c);
	await expect(value(page, c, 0, 0)).toHaveText('344');
	await expect(value(page, c, 0, 1)).toHaveText('344');
	await expect(value(page, c, 0, 2)).toHaveText('0');
	await expect(value(page, c, 0, 3)).toHaveText('343');
	await expect(value(page, c, 0, 4)).toHaveText('344');

	// The same rows through the predict route answer the same labels and probabilities.
	const d = await addSqlCell(page);
	await setSql(
		page,
		d,
		`SELECT island, beak_length, output_label, round(output_probabilities_big, 6) AS big FROM ${table}\n` +
			`WHERE "row" IN (0, 3, 100, 200, 343) ORDER BY "row"`
	);
	await runCell(page, d);
	const shown: { island: string; beak_length: number | null; label: string; big: number }[] = [];
	for (let r = 0; r < 5; r++) {
		const text = async (col: number) => (await value(page, d, r, col).textContent())!.trim();
		const beak = await text(1);
		shown.push({
			island: await text(0),
			beak_length: beak === '' || beak === 'NULL' || beak === 'null' ? null : Number(beak),
			label: await text(2),
			big: Number(await text(3))
		});
	}
	expect(shown.some((s) => s.beak_length === null)).toBe(true); // row 3 of penguins has no measurements
	const res = await request.post(`/api/v1/models/${MODEL}/predict`, {
		headers: auth,
		data: { rows: shown.map(({ island, beak_length }) => ({ island, beak_length })) }
	});
	expect(res.status()).toBe(200);
	const answer = (await res.json()) as {
		predictions: { label: string; probabilities: Record<string, number> }[];
	};
	expect(shown.map((s) => s.label)).toEqual(answer.predictions.map((p) => p.label));
	shown.forEach((s, i) => expect(s.big).toBeCloseTo(answer.predictions[i].probabilities.big, 5));
	await expect(cell(page, d).getByTestId('result-grid')).toBeVisible();
});
