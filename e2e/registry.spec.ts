import { test, expect, type Browser, type Page } from './fixtures';
import { addTrainCell, cell, runTraining, newNotebook, runCell, setSql, signIn } from './helpers';

/**
 * Two browsers (two contexts: two IndexedDBs) and an MLflow-shaped HTTP client share one registry: the app's
 * own Worker under wrangler dev, signed in with the admin token the e2e setup gave it.
 */

const TOKEN = process.env.EDGEBOOK_ADMIN_TOKEN!;

async function browserSignedIn(browser: Browser, baseURL: string): Promise<Page> {
	const context = await browser.newContext({ baseURL });
	const page = await context.newPage();
	await signIn(page, { url: baseURL });
	await expect(page.getByTestId('registry-connection')).toContainText('local');
	await expect(page.getByTestId('sync-indicator')).toHaveAttribute('data-state', 'synced', {
		timeout: 30_000
	});
	return page;
}

async function trainCell(page: Page): Promise<number> {
	await setSql(
		page,
		1,
		'SELECT x, y, (x * 0.7 + y * 0.3 > 0.5)::INTEGER AS label FROM (SELECT (range % 97) / 97 AS x, (range % 89) / 89 AS y FROM range(300))'
	);
	await runCell(page, 1);
	// cpu needs no file from the server, so it also trains while the browser is offline.
	return addTrainCell(page, { source: 'q1', target: 'label', epochs: 3, backend: 'cpu' });
}

test('a run logged offline in one browser reaches another browser and MLflow clients; a model is promoted', async ({
	browser,
	baseURL,
	request
}) => {
	test.setTimeout(240_000);
	const a = await browserSignedIn(browser, baseURL!);
	await newNotebook(a, 'Offline training');
	const t = await trainCell(a);
	await runTraining(a, t, { timeout: 90_000 }); // online: loads the train worker

	// Offline: the run is written to IndexedDB and its mutations wait in the outbox.
	await a.context().setOffline(true);
	await runTraining(a, t, { timeout: 90_000 });
	await expect(a.getByTestId('sync-indicator')).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
	await expect(a.getByTestId('sync-indicator')).toContainText(/pending/);
	await a.context().setOffline(false);
	await expect(a.getByTestId('sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 60_000 });

	// Register the offline run's model and promote it.
	await cell(a, t).getByTestId('run-link').click();
	await expect(a.getByTestId('run-detail')).toBeVisible();
	const runId = (await a.getByTestId('run-detail').locator('h2 .muted').textContent())!.trim();
	await a.getByTestId('register-model').getByLabel('model name').fill('offline-classifier');
	await a.getByTestId('register-model').getByRole('button', { name: 'Register model' }).click();
	await expect(a.getByTestId('run-detail').getByRole('status')).toContainText('offline-classifier');
	await a.goto('/models');
	const model = a.locator('[data-testid="model"][data-name="offline-classifier"]');
	await expect(model).toBeVisible();
	// The only version is the one the picker shows, before anyone touches it.
	await expect(model.getByTestId('model-version')).toHaveCount(1);
	await expect(model.getByLabel('version to promote').locator('option:checked')).toHaveText('v1', {
		timeout: 30_000
	});
	await model.getByLabel('alias', { exact: true }).fill('champion');
	await model.getByRole('button', { name: 'Promote' }).first().click();
	await expect(model.getByTestId('aliases')).toContainText('champion');
	await expect(a.getByTestId('sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });

	// The second browser pulls both runs, the model, its alias and lineage.
	const b = await browserSignedIn(browser, baseURL!);
	await b.goto(`/runs?run=${runId}`);
	await expect(b.getByTestId('run-detail')).toContainText(runId);
	await expect(b.getByTestId('run-detail')).toContainText('weights.bin');
	await b.goto('/models');
	const seen = b.locator('[data-testid="model"][data-name="offline-classifier"]');
	await expect(seen.getByTestId('aliases')).toContainText('champion');
	await expect(seen.getByTestId('version-lineage').first()).toContainText('range(300)');

	// An MLflow-shaped client sees the same run and model, and what it logs reaches the browsers.
	const headers = { authorization: `Bearer ${TOKEN}` };
	const got = await (await request.get(`/api/2.0/mlflow/runs/get?run_id=${runId}`, { headers })).json();
	expect(got.run.info.run_id).toBe(runId);
	expect(got.run.data.params.map((p: { key: string }) => p.key)).toContain('epochs');
	const alias = await (
		await request.get('/api/2.0/mlflow/registered-models/alias?name=offline-classifier&alias=champion', {
			headers
		})
	).json();
	expect(alias.model_version.run_id).toBe(runId);

	const experiments = await (
		await request.post('/api/2.0/mlflow/experiments/search', { headers, data: { max_results: 100 } })
	).json();
	const experimentId = experiments.experiments[0].experiment_id;
	const created = await (
		await request.post('/api/2.0/mlflow/runs/create', {
			headers,
			data: { experiment_id: experimentId, run_name: 'from-mlflow', start_time: Date.now() }
		})
	).json();
	const mlflowRun = created.run.info.run_id;
	await request.post('/api/2.0/mlflow/runs/log-batch', {
		headers,
		data: {
			run_id: mlflowRun,
			metrics: [{ key: 'rmse', value: 0.25, timestamp: Date.now(), step: 0 }],
			params: [{ key: 'alpha', value: '0.5' }]
		}
	});
	await b.getByTestId('sync-indicator').click();
	await b.getByRole('button', { name: 'Sync now' }).click();
	await b.goto(`/runs?run=${mlflowRun}`);
	await expect(b.getByTestId('run-detail')).toContainText('from-mlflow');
	await expect(b.getByTestId('run-detail')).toContainText('alpha');
});
