import { test, expect } from './fixtures';
import { addCell, addFile, cell, newNotebook, runCell, signedIn } from './helpers';
import { sklearnLikeModel } from '../tests/worker/inference/onnx-builder';

/**
 * An ONNX file made elsewhere is brought in from the notebook: its signature shows, it is evaluated on a table
 * through a column → input mapping with onnxruntime-web in the browser, registered, promoted, and called from
 * Node in each of MLflow's scoring formats.
 */

const TOKEN = process.env.EDGEBOOK_ADMIN_TOKEN!;
// x · W: class k wins where feature k is largest (k < 3); feature d counts for nothing.
const W = [
	[1, 0, 0],
	[0, 1, 0],
	[0, 0, 1],
	[0, 0, 0]
];

/** 30 rows: the model predicts i % 3; the truth is 1 on rows 0, 10 and 20, so it disagrees on rows 0 and 20. */
const ROWS = Array.from({ length: 30 }, (_, i) => {
	const features = [0, 1, 2].map((k) => (k === i % 3 ? 5 + (i % 4) : i % 2));
	return { features: [...features, 7], species: i % 10 === 0 ? 1 : i % 3 };
});
const CSV = ['a,b,c,d,species', ...ROWS.map((r) => [...r.features, r.species].join(','))].join('\n');

test('an ONNX file is evaluated on a notebook table, registered, promoted, and answers every MLflow format', async ({
	page,
	baseURL,
	request
}) => {
	test.setTimeout(180_000);
	await signedIn(page, baseURL!);
	await newNotebook(page, 'Imported ONNX');
	await addFile(page, 'flowers.csv', CSV, 'text/csv');
	await expect(page.locator('[data-testid="dataset"][data-name="flowers"]')).toBeVisible({ timeout: 60_000 });

	const at = await addCell(page, 'ONNX model');
	const c = cell(page, at);
	// Bytes that are not ONNX are refused, naming the file; nothing is kept.
	await c.getByLabel('ONNX file').setInputFiles({
		name: 'notes.onnx',
		mimeType: 'application/octet-stream',
		buffer: Buffer.from('{"these": "are not weights"}')
	});
	await expect(c.getByRole('alert')).toContainText('notes.onnx is not an ONNX model');
	await expect(c.getByTestId('onnx-signature')).toHaveCount(0);

	await c.getByLabel('ONNX file').setInputFiles({
		name: 'flower classifier.onnx',
		mimeType: 'application/octet-stream',
		buffer: Buffer.from(sklearnLikeModel(W))
	});
	await expect(c.getByTestId('onnx-signature')).toContainText('float_input: float32 [N, 4]');
	await expect(c.getByTestId('onnx-signature')).toContainText('probabilities: float32 [N, 3]');
	await c.getByLabel('table to score').selectOption('flowers');
	await c.getByLabel('target column').selectOption('species');
	await c.getByLabel('prediction output').selectOption('probabilities');
	// The single input takes the table's other columns, in order, as many as it has room for.
	await expect(c.getByLabel('columns for float_input')).toHaveValue('a, b, c, d');

	// A mapping one column short is a cell error naming the input and what it takes.
	await c.getByLabel('columns for float_input').fill('a, b, c');
	await c.getByLabel('columns for float_input').press('Tab');
	await runCell(page, at, { expect: 'error' });
	await expect(c.getByTestId('cell-error')).toContainText(
		'Input "float_input" takes float32 [N, 4]: 3 columns are mapped ("a", "b", "c"), it takes 4.'
	);

	await c.getByLabel('columns for float_input').fill('a, b, c, d');
	await c.getByLabel('columns for float_input').press('Tab');
	await runCell(page, at, { timeout: 90_000 });
	const report = c.getByTestId('evaluation-report');
	await expect(report).toHaveAttribute('data-task', 'multiclass');
	// 28 of 30 rows agree with the truth.
	const right = ROWS.filter((r, i) => r.species === i % 3).length;
	expect(right).toBe(28);
	await expect(report.locator('[data-metric="accuracy"] td')).toHaveText((right / 30).toFixed(3));
	const confusion = await report
		.getByTestId('confusion-matrix')
		.locator('tbody tr')
		.evaluateAll((trs) =>
			trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent)))
		);
	const expected = [0, 1, 2].map((t) =>
		[0, 1, 2].map((p) => ROWS.filter((r, i) => r.species === t && i % 3 === p).length)
	);
	expect(confusion).toEqual(expected);
	await expect(c.getByTestId('onnx-reading')).toContainText('Scored 30 labelled rows');

	await c.getByLabel('register as model').fill('flowers-onnx');
	await c.getByRole('button', { name: 'Register version' }).click();
	await expect(c.getByRole('status')).toContainText('Registered as flowers-onnx');

	await page.goto('/models');
	const model = page.locator('[data-testid="model"][data-name="flowers-onnx"]');
	await expect(model.locator('[data-testid="model-version"][data-version="1"]')).toBeVisible({
		timeout: 30_000
	});
	await model.getByLabel('alias', { exact: true }).fill('champion');
	await model.getByRole('button', { name: 'Promote' }).click();
	const auth = { authorization: `Bearer ${TOKEN}` };
	await expect
		.poll(
			async () =>
				(await request.get('/api/v1/models/flowers-onnx/aliases/champion', { headers: auth })).status(),
			{
				timeout: 30_000
			}
		)
		.toBe(200);

	// From Node, in each of MLflow's formats: the labels the weights give, by name or per record.
	const sample = ROWS.slice(0, 3).map((r) => r.features);
	const want = [0, 1, 2];
	const call = async (data: unknown) => {
		const res = await request.post('/api/v1/models/flowers-onnx/predict', { headers: auth, data });
		expect(res.status(), JSON.stringify(await res.json())).toBe(200);
		expect(res.headers()['x-edgebook-version']).toBe('1');
		return (await res.json()).predictions;
	};
	expect((await call({ inputs: sample })).label).toEqual(want);
	expect((await call({ instances: sample })).label).toEqual(want);
	expect((await call({ inputs: { float_input: sample } })).label).toEqual(want);
	// A DataFrame in answers a DataFrame's records out, as MLflow's scoring server writes one.
	const split = await call({ dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: sample } });
	expect(split.map((r: { label: number }) => r.label)).toEqual(want);
	const records = await call({
		dataframe_records: sample.map((f) => Object.fromEntries(['a', 'b', 'c', 'd'].map((k, i) => [k, f[i]])))
	});
	expect(records.map((r: { label: number }) => r.label)).toEqual(want);
});
