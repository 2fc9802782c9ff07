import { test, expect } from './fixtures';
import {
	addSample,
	addTrainCell,
	cell,
	newNotebook,
	runCell,
	runTraining,
	setSql,
	signedIn
} from './helpers';

/**
 * The deploy journey: a model trained in the notebook is registered (exported to ONNX in the browser), promoted,
 * synced, and answers the edge inference API from the Worker, which encodes raw rows with the model's own
 * preprocessing and runs the graph with onnxruntime-web.
 */

const TOKEN = process.env.EDGEBOOK_ADMIN_TOKEN!;

test('a notebook model, promoted to champion, answers the edge inference API with raw rows', async ({
	page,
	baseURL,
	request
}) => {
	test.setTimeout(240_000);
	await signedIn(page, baseURL!);

	await newNotebook(page, 'Penguins at the edge');
	await addSample(page, 'penguins');
	await setSql(
		page,
		1,
		'SELECT "Species" AS species, "Island" AS island, "Beak Length (mm)" AS beak_length,\n"Beak Depth (mm)" AS beak_depth, "Flipper Length (mm)" AS flipper, "Body Mass (g)" AS mass\nFROM penguins'
	);
	await runCell(page, 1);
	const t = await addTrainCell(page, {
		source: 'q1',
		target: 'species',
		epochs: 20,
		learningRate: 0.03,
		backend: 'cpu'
	});
	const train = cell(page, t);
	await runTraining(page, t);

	await train.getByTestId('run-link').click();
	await page.getByTestId('register-model').getByLabel('model name').fill('penguin-species');
	await page.getByTestId('register-model').getByRole('button', { name: 'Register model' }).click();
	await expect(page.getByTestId('run-detail').getByRole('status')).toContainText('penguin-species');
	await expect(page.getByTestId('run-artifacts')).toContainText('model.onnx');
	await page.goto('/models');
	const model = page.locator('[data-testid="model"][data-name="penguin-species"]');
	await model.getByLabel('alias', { exact: true }).fill('champion');
	await model.getByRole('button', { name: 'Promote' }).click();
	await expect(model.getByTestId('endpoint')).toContainText(
		'/api/v1/models/penguin-species/aliases/champion/predict'
	);
	await expect(page.getByTestId('sync-indicator')).toHaveAttribute('data-state', 'synced', {
		timeout: 30_000
	});

	// An application calls the edge with raw values: text categories, a missing value, an island never seen.
	const rows = [
		{ island: 'Torgersen', beak_length: 39.1, beak_depth: 18.7, flipper: 181, mass: 3750 },
		{ island: 'Biscoe', beak_length: 46.5, beak_depth: 13.5, flipper: 210, mass: 4550 },
		{ island: 'Dream', beak_length: 49.5, beak_depth: 19.0, flipper: 200, mass: 3800 },
		{ island: 'Atlantis', beak_length: 47.0, beak_depth: 14.0, flipper: 215, mass: null }
	];
	const res = await request.post('/api/v1/models/penguin-species/aliases/champion/predict', {
		headers: { authorization: `Bearer ${TOKEN}` },
		data: { rows }
	});
	expect(res.status()).toBe(200);
	const body = await res.json();
	expect(body).toMatchObject({ model: 'penguin-species', version: 1, task: 'multiclass' });
	expect(body.predictions.map((p: { label: string }) => p.label).slice(0, 3)).toEqual([
		'Adelie',
		'Gentoo',
		'Chinstrap'
	]);
	for (const p of body.predictions) {
		const total = Object.values(p.probabilities as Record<string, number>).reduce((a, b) => a + b, 0);
		expect(total).toBeCloseTo(1, 4);
	}

	// Bad input gets a 4xx that names the problem.
	const missing = await request.post('/api/v1/models/penguin-species/aliases/champion/predict', {
		headers: { authorization: `Bearer ${TOKEN}` },
		data: { rows: [{ island: 'Dream' }] }
	});
	expect(missing.status()).toBe(400);
	expect((await missing.json()).error.message).toMatch(/beak_length/);
	const unknown = await request.post('/api/v1/models/penguin-species/aliases/nobody/predict', {
		headers: { authorization: `Bearer ${TOKEN}` },
		data: { rows }
	});
	expect(unknown.status()).toBe(404);
});
