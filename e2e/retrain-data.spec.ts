import { test, expect } from './fixtures';
import { addFile, addTrainCell, newNotebook, registerChampion, runTraining, signedIn } from './helpers';

/**
 * Retraining on new data: a champion trained in a notebook on a dropped file; the file is replaced by one with other
 * bytes under the same name; the notebook tells the registry, which opens a retraining task with the "data" trigger
 * naming the dataset, and the notebook offers it. Declined, it is not offered again for the same bytes.
 */

const TOKEN = process.env.EDGEBOOK_ADMIN_TOKEN!;

/** Two separable classes over two measurements, deterministic: `n` rows. */
function flowers(n: number): string {
	const lines = ['petal,sepal,kind'];
	for (let i = 0; i < n; i++) {
		const big = i % 2 === 0;
		const petal = (big ? 5 : 1.5) + ((i * 37) % 10) / 10;
		const sepal = (big ? 6.5 : 4.8) + ((i * 53) % 10) / 20;
		lines.push(`${petal.toFixed(2)},${sepal.toFixed(2)},${big ? 'virginica' : 'setosa'}`);
	}
	return lines.join('\n') + '\n';
}

test('a dataset with new bytes opens a retraining task the notebook offers, once', async ({
	page,
	baseURL,
	request
}, testInfo) => {
	test.setTimeout(240_000);
	const MODEL = `flowers-data${testInfo.retry ? `-${testInfo.retry}` : ''}`;
	const auth = { authorization: `Bearer ${TOKEN}` };
	await signedIn(page, baseURL!);
	await newNotebook(page, 'Flowers retrained on new data');
	const notebookPage = page.url();
	await addFile(page, 'flowers.csv', flowers(60));
	// A load on a fresh page starts DuckDB first (its 34 MB wasm compiled): the same wait as every other first load.
	await expect(page.locator('[data-testid="dataset"][data-name="flowers"]')).toBeVisible({ timeout: 60_000 });
	const t = await addTrainCell(page, { source: 'flowers', target: 'kind', epochs: 5, backend: 'cpu' });
	await runTraining(page, t);
	await registerChampion(page, request, t, MODEL, TOKEN);

	// Back in the notebook with the data as trained: nothing is offered.
	await page.goto(notebookPage);
	await expect(page.locator('[data-testid="dataset"][data-name="flowers"]')).toBeVisible();
	await expect(page.getByTestId('retrain-banner')).toHaveCount(0);

	// The file is replaced: same table name, other bytes.
	await page.getByRole('button', { name: 'Remove flowers' }).click();
	await expect(page.locator('[data-testid="dataset"][data-name="flowers"]')).toHaveCount(0);
	await addFile(page, 'flowers.csv', flowers(90));
	await expect(page.locator('[data-testid="dataset"][data-name="flowers"]')).toBeVisible({ timeout: 60_000 });
	const banner = page.getByTestId('retrain-banner');
	await expect(banner).toHaveCount(1, { timeout: 30_000 });
	await expect(banner).toContainText(`${MODEL} asks for retraining (data: dataset flowers has new bytes`);

	// The registry's task: the data trigger, the champion, the notebook and the cell to re-run.
	const tasks = (await (await request.get(`/api/v1/models/${MODEL}/retrain`, { headers: auth })).json()) as {
		tasks: { id: string; trigger: string; state: string; championVersion: number; reason: string }[];
	};
	expect(tasks.tasks).toHaveLength(1);
	expect(tasks.tasks[0]).toMatchObject({ trigger: 'data', state: 'pending', championVersion: 1 });
	expect(tasks.tasks[0].reason).toMatch(
		/^dataset flowers has new bytes \([0-9a-f]{12}…; v1 was trained on [0-9a-f]{12}…\)$/
	);

	// Declined: the task closes, and opening the notebook again with the same bytes offers nothing.
	await banner.getByRole('button', { name: 'Not now' }).click();
	await expect(banner).toHaveCount(0);
	const reported = page.waitForResponse(
		(r) => r.url().endsWith('/api/v1/retrain/data') && r.request().method() === 'POST'
	);
	await page.reload();
	await expect(page.locator('[data-testid="dataset"][data-name="flowers"]')).toBeVisible();
	const answer = (await (await reported).json()) as { changed: { model: string; outcome: string }[] };
	expect(answer.changed.find((c) => c.model === MODEL)?.outcome).toBe('seen');
	const after = (await (await request.get(`/api/v1/models/${MODEL}/retrain`, { headers: auth })).json()) as {
		tasks: { state: string }[];
	};
	expect(after.tasks.map((x) => x.state)).toEqual(['failed']);
	await expect(page.getByTestId('retrain-banner')).toHaveCount(0);
});
