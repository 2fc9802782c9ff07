import { test, expect } from './fixtures';
import { PENGUINS_SQL } from './penguins';
import {
	addSample,
	addSqlCell,
	addTrainCell,
	cell,
	newNotebook,
	runCell,
	runTraining,
	setSql,
	signedIn,
	value
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
	const notebookPage = page.url();
	await addSample(page, 'penguins');
	await setSql(page, 1, PENGUINS_SQL);
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
	await expect(page.getByTestId('register-model')).toBeVisible();
	const runPage = page.url();
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

	// MLflow's scoring formats answer the same labels, and the bare predict route serves the champion.
	const auth = { authorization: `Bearer ${TOKEN}` };
	const records = await request.post('/api/v1/models/penguin-species/predict', {
		headers: auth,
		data: { dataframe_records: rows.slice(0, 3) }
	});
	expect(records.status()).toBe(200);
	expect(records.headers()['x-edgebook-alias']).toBe('champion');
	expect((await records.json()).predictions.map((p: { label: string }) => p.label)).toEqual(
		body.predictions.slice(0, 3).map((p: { label: string }) => p.label)
	);

	// A second version of the same run, then a 10% canary sticky by caller, set on the Models page.
	await page.goto(runPage);
	await page.getByTestId('register-model').getByLabel('model name').fill('penguin-species');
	await page.getByTestId('register-model').getByRole('button', { name: 'Register model' }).click();
	await expect(page.getByTestId('run-detail').getByRole('status')).toContainText(
		'Registered as penguin-species'
	);
	await page.goto('/models');
	await expect(model.locator('[data-testid="model-version"][data-version="2"]')).toBeVisible({
		timeout: 30_000
	});
	const traffic = model.locator('[data-testid="traffic"][data-alias="champion"]');
	await traffic.locator('summary').click();
	await expect(traffic.getByTestId('traffic-summary')).toHaveText('all to v1');
	await traffic.getByLabel('split').selectOption('canary');
	await expect(traffic.getByLabel('second version')).toHaveValue('2');
	await traffic.getByLabel('percent').fill('10');
	await traffic.getByLabel('sticky header').fill('x-user-id');
	await traffic.getByRole('button', { name: 'Save traffic' }).click();
	await expect(traffic.getByTestId('traffic-summary')).toHaveText(
		'canary v2 takes 10% (sticky by header x-user-id)'
	);
	// 40 callers: the ones whose key hashes into the first 10% (FNV-1a of alias and key, the contract's
	// trafficBucket, computed here independently) get v2, every time they call; the rest get v1.
	const callers = Array.from({ length: 40 }, (_, i) => `user-${i}`);
	const fnv = (text: string) => {
		let h = 0x811c9dc5;
		for (const byte of new TextEncoder().encode(text)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
		return (h % 10_000) / 100;
	};
	const toCanary = callers.filter((u) => fnv(`champion\n${u}`) < 10);
	expect(toCanary.length).toBeGreaterThan(0);
	expect(toCanary.length).toBeLessThan(callers.length / 2);
	// The 40 callers are an application with a token of its own: the rate limit is per token, and the notebook's
	// (the admin's) must not run dry behind them.
	const app = await request.post('/api/v1/tokens', {
		headers: auth,
		data: { name: 'canary-callers', scopes: ['predict'] }
	});
	expect(app.status()).toBe(201);
	const appAuth = { authorization: `Bearer ${(await app.json()).secret}` };
	const answered = new Map<string, { version: string; route: string; id: string }>();
	for (const user of callers) {
		const res = await request.post('/api/v1/models/penguin-species/predict', {
			headers: { ...appAuth, 'x-user-id': user },
			data: { dataframe_records: [rows[1]] }
		});
		expect(res.status()).toBe(200);
		const h = res.headers();
		answered.set(user, {
			version: h['x-edgebook-version'],
			route: h['x-edgebook-route'],
			id: (await res.json()).predictionIds[0]
		});
	}
	expect(callers.filter((u) => answered.get(u)!.route === 'canary')).toEqual(toCanary);
	for (const u of callers) expect(answered.get(u)!.version, u).toBe(toCanary.includes(u) ? '2' : '1');
	// Sticky: a canary caller calling again is answered by v2 again.
	const again = await request.post('/api/v1/models/penguin-species/predict', {
		headers: { ...appAuth, 'x-user-id': toCanary[0] },
		data: { dataframe_records: [rows[1]] }
	});
	expect(again.headers()['x-edgebook-version']).toBe('2');
	const canaryId = answered.get(toCanary[0])!.id;

	// The prediction log holds each canary row, as sent, under the version and route that answered it.
	await expect
		.poll(async () => {
			const log = await request.get('/api/v1/models/penguin-species/predictions', { headers: auth });
			const found = (await log.json()).predictions.find((r: { id: string }) => r.id === canaryId);
			return found && { version: found.version, route: found.route, inputs: found.inputs };
		})
		.toEqual({ version: 2, route: 'canary', inputs: rows[1] });

	// Back to one version: the split ends, and the champion answers alone.
	await traffic.getByLabel('split').selectOption('none');
	await traffic.getByRole('button', { name: 'Save traffic' }).click();
	await expect(traffic.getByTestId('traffic-summary')).toHaveText('all to v1');
	const alone = await request.post('/api/v1/models/penguin-species/predict', {
		headers: { ...auth, 'x-user-id': 'someone' },
		data: { dataframe_records: [rows[1]] }
	});
	expect(alone.headers()['x-edgebook-version']).toBe('1');

	// The log comes into the notebook as a table and answers SQL: 4 + 3 + 1 rows and the non-canary callers' from
	// v1, the canary callers' (and the second call) from v2.
	const canaryRows = toCanary.length + 1;
	const primaryRows = 8 + callers.length - toCanary.length;
	await expect
		.poll(async () => {
			const log = await request.get('/api/v1/models/penguin-species/predictions', { headers: auth });
			return (await log.json()).predictions.length;
		})
		.toBe(canaryRows + primaryRows);
	await page.goto(notebookPage);
	const loader = page.getByTestId('load-prediction-log');
	// A model the registry does not have is named in the error, and no table appears.
	await loader.getByLabel('model whose predictions to load').fill('no-such-model');
	await loader.getByRole('button', { name: 'Load prediction log' }).click();
	// Usually under a second; under wrangler dev the 404 has been seen to arrive after ~30 s once in several runs,
	// right after the page reloads its engine (cause not found yet): the assertion is about the error's words.
	await expect(page.getByTestId('dataset-error')).toContainText('No registered model named "no-such-model"', {
		timeout: 60_000
	});
	await expect(page.getByTestId('dataset')).toHaveCount(1);
	await page.getByTestId('dataset-error').getByRole('button', { name: 'Dismiss' }).click();
	await loader.getByLabel('model whose predictions to load').fill('penguin-species');
	await loader.getByRole('button', { name: 'Load prediction log' }).click();
	await expect(
		page.locator('[data-testid="dataset"][data-name="predictions_penguin_species"]')
	).toContainText(`${canaryRows + primaryRows} rows`, { timeout: 60_000 });
	const q = await addSqlCell(page);
	await setSql(
		page,
		q,
		"SELECT route, version, count(*) AS n, count(input_island) AS islands, sum(CASE WHEN id = '" +
			canaryId +
			"' THEN 1 ELSE 0 END) AS canary_row FROM predictions_penguin_species GROUP BY ALL ORDER BY route"
	);
	await runCell(page, q);
	expect(await Promise.all([0, 1, 2, 3, 4].map((c) => value(page, q, 0, c).textContent()))).toEqual([
		'canary',
		'2',
		String(canaryRows),
		String(canaryRows),
		'1'
	]);
	expect(await Promise.all([0, 1, 2, 3, 4].map((c) => value(page, q, 1, c).textContent()))).toEqual([
		'primary',
		'1',
		String(primaryRows),
		String(primaryRows),
		'0'
	]);
});
