import { test, expect } from './fixtures';
import { readFileSync } from 'node:fs';
import { addTrainCell, cell, newNotebook, runCell, setSql, trainOnce } from './helpers';

test('the same seed on the same backend gives the same metrics; changed data is called out', async ({
	page
}) => {
	test.setTimeout(180_000);
	await newNotebook(page);
	await setSql(
		page,
		1,
		'SELECT x, y, (x * 0.7 + y * 0.3 > 0.5)::INTEGER AS label FROM (SELECT (range % 97) / 97 AS x, (range % 89) / 89 AS y FROM range(400))'
	);
	await runCell(page, 1);
	const t = await addTrainCell(page, { source: 'q1', target: 'label', epochs: 4, backend: 'cpu' });
	const train = cell(page, t);
	const first = await trainOnce(page, t);
	const second = await trainOnce(page, t);
	// Tolerance stated: identical to the 4 significant digits shown (same seed, same backend, same data).
	expect(second).toEqual(first);
	await expect(train.getByTestId('train-result')).not.toContainText('data changed');

	await setSql(
		page,
		1,
		'SELECT x, y, (x * 0.7 + y * 0.3 > 0.5)::INTEGER AS label FROM (SELECT (range % 97) / 97 AS x, (range % 89) / 89 AS y FROM range(300))'
	);
	await runCell(page, 1);
	await trainOnce(page, t);
	await expect(train.getByTestId('train-result')).toContainText(
		/data changed since run .*row count went from 400 to 300/
	);
});

test('runs can be filtered, exported, imported, deleted and restored', async ({ page }) => {
	test.setTimeout(180_000);
	await newNotebook(page);
	await setSql(page, 1, 'SELECT range % 10 AS x, (range % 2) AS y FROM range(200)');
	await runCell(page, 1);
	const t = await addTrainCell(page, { source: 'q1', target: 'y', epochs: 2, backend: 'cpu' });
	const train = cell(page, t);
	await trainOnce(page, t);
	await train.getByLabel('learning rate').fill('0.05');
	await trainOnce(page, t);

	await page.goto('/runs');
	const rows = page.getByTestId('run-row');
	await expect(rows).toHaveCount(2);
	await page.getByLabel('filter runs').fill('learning_rate=0.05');
	await expect(rows).toHaveCount(1);
	await page.getByLabel('filter runs').fill('');

	for (const box of await rows.getByRole('checkbox').all()) await box.check();
	const exported = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export' }).click();
	const path = await (await exported).path();
	expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ format: 'edgebook-runs', formatVersion: 1 });
	await page.getByTestId('import-runs').setInputFiles(path);
	await expect(page.getByTestId('runs-message')).toContainText('Imported 2 run(s)');
	await expect(rows).toHaveCount(4);

	await page.getByTestId('import-runs').setInputFiles({
		name: 'x.json',
		mimeType: 'application/json',
		buffer: Buffer.from('{"format":"edgebook-runs","formatVersion":9,"runs":[]}')
	});
	await expect(page.getByTestId('runs-message')).toContainText(/newer/);
	await expect(rows).toHaveCount(4);

	await rows.first().getByRole('checkbox').check();
	await page.getByRole('button', { name: 'Delete' }).click();
	await expect(rows).toHaveCount(3);
	await page.getByLabel('show deleted').check();
	await expect(rows).toHaveCount(4);
	await page.getByRole('button', { name: 'restore' }).click();
	await page.getByLabel('show deleted').uncheck();
	await expect(rows).toHaveCount(4);
});

test('two runs trained with default settings get distinct names and compare one point per run', async ({
	page
}) => {
	test.setTimeout(180_000);
	const errors: string[] = [];
	page.on('console', (m) => {
		if (m.type() === 'error') errors.push(m.text());
	});
	page.on('pageerror', (e) => errors.push(e.message));
	await newNotebook(page);
	await setSql(page, 1, 'SELECT range % 10 AS x, (range % 2) AS y FROM range(120)');
	await runCell(page, 1);
	const t = await addTrainCell(page, { source: 'q1', target: 'y', epochs: 2, backend: 'cpu' });
	await trainOnce(page, t);
	await trainOnce(page, t);

	await page.goto('/runs');
	const rows = page.getByTestId('run-row');
	await expect(rows).toHaveCount(2);
	const names = (await rows.getByRole('link').allTextContents()).map((n) => n.trim());
	expect(new Set(names).size).toBe(2);
	expect(names.some((n) => n.endsWith(' #2'))).toBe(true);

	for (const box of await rows.getByRole('checkbox').all()) await box.check();
	await page.getByRole('button', { name: 'Compare (2)' }).click();
	const scatter = page.getByTestId('run-compare').locator('figure[aria-label*=" against "]');
	// One dot per run, and the legend names both runs (a shared name would merge them into one series).
	await expect(scatter.locator('g[aria-label="dot"] circle')).toHaveCount(2);
	for (const n of names) await expect(scatter).toContainText(n);
	expect(errors).toEqual([]);

	// The run page says which notebook and cell trained it, and links back to the notebook.
	await rows.getByRole('link').first().click();
	const origin = page.getByTestId('run-origin');
	await expect(origin).toContainText('“Untitled notebook”, cell 3 (train)');
	await origin.getByRole('link').click();
	await expect(page).toHaveURL(/\/nb\//);
	await expect(cell(page, 2).getByLabel('target column')).toHaveValue('y');
});

test('early stopping says why it stopped and records the restored epoch with that epoch’s metrics', async ({
	page
}) => {
	test.setTimeout(180_000);
	await newNotebook(page);
	// Labels that x cannot predict: validation loss soon stops improving, so patience 1 ends training early.
	await setSql(page, 1, 'SELECT range % 10 AS x, (hash(range) % 2)::INTEGER AS y FROM range(200)');
	await runCell(page, 1);
	const t = await addTrainCell(page, {
		source: 'q1',
		target: 'y',
		epochs: 40,
		patience: 1,
		learningRate: 0.1,
		backend: 'cpu'
	});
	const train = cell(page, t);
	const shown = await trainOnce(page, t);
	const stop = train.getByTestId('train-stop');
	await expect(stop).toContainText(
		/^stopped early at epoch \d+ of 40: val_loss did not improve for 1 epoch; weights from epoch \d+$/
	);
	const best = Number(/weights from epoch (\d+)/.exec((await stop.textContent())!)![1]);
	// The status line says how many of the planned epochs ran, not "epoch 7/40" beside "finished".
	const ran = /stopped early at epoch (\d+)/.exec((await stop.textContent())!)![1];
	await expect(train.getByTestId('train-status')).toHaveText(new RegExp(`^ran ${ran} of 40 epochs · loss`));
	expect(shown.best_epoch).toBe(String(best));

	// The exported run: its best_val_loss is the val_loss its metric history holds for the restored epoch.
	await page.goto('/runs');
	await page.getByTestId('run-row').getByRole('checkbox').check();
	const exported = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export' }).click();
	const file = JSON.parse(readFileSync((await (await exported).path())!, 'utf8'));
	const { run, metrics } = file.runs[0];
	expect(run.tags['edgebook.stopped_early']).toBe('true');
	expect(run.tags['edgebook.best_epoch']).toBe(String(best));
	expect(run.summary.best_epoch).toBe(best);
	const valLoss = metrics.find((m: { key: string }) => m.key === 'val_loss');
	expect(run.summary.best_val_loss).toBe(valLoss.values[valLoss.steps.indexOf(best)]);
	expect(valLoss.steps.at(-1)).toBeGreaterThan(best);
});
