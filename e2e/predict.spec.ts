import { test, expect } from './fixtures';
import {
	addCell,
	addSample,
	addTrainCell,
	addSqlCell,
	cell,
	newNotebook,
	runCell,
	runTraining,
	setSql,
	settle,
	value
} from './helpers';

test('a predict cell scores a table into p1, which SQL reads and which agrees with the evaluate cell', async ({
	page
}) => {
	test.setTimeout(180_000);
	await newNotebook(page, 'Penguin predictions');
	await addSample(page, 'penguins');
	await setSql(
		page,
		1,
		'SELECT "Species" AS species, "Beak Length (mm)" AS beak_length, "Beak Depth (mm)" AS beak_depth,\n"Flipper Length (mm)" AS flipper, "Body Mass (g)" AS mass\nFROM penguins WHERE "Body Mass (g)" IS NOT NULL'
	);
	await runCell(page, 1);
	const rows = Number((await cell(page, 1).getByTestId('row-count').textContent())?.replace(/\D/g, ''));

	const t = await addTrainCell(page, { source: 'q1', target: 'species', epochs: 4, learningRate: 0.03 });
	await runTraining(page, t);

	const e = await addCell(page, 'Evaluate');
	const evaluate = cell(page, e);
	await evaluate.getByLabel('model to evaluate').selectOption({ index: 1 });
	await evaluate.getByLabel('evaluation data').selectOption('q1');
	await runCell(page, e);
	const accuracy = await evaluate.locator('[data-metric="accuracy"] td').textContent();

	// The new cell picks the last train cell and its table, and names its result p1.
	const p = await addCell(page, 'Predict');
	const predict = cell(page, p);
	await expect(predict.getByLabel('result table name')).toHaveValue('p1');
	await expect(predict.getByLabel('table to predict')).toHaveValue('q1');
	await runCell(page, p);
	await expect(predict).toHaveAttribute('data-status', 'done');
	await expect(predict.getByTestId('row-count')).toHaveText(`${rows} rows`);
	for (const column of ['species', 'mass', 'predicted', 'prob_Adelie', 'prob_Chinstrap', 'prob_Gentoo'])
		await expect(predict.locator(`[data-column="${column}"]`)).toBeVisible();

	const s = await addSqlCell(page);
	await setSql(
		page,
		s,
		'SELECT sum(n)::INTEGER AS total, count(*)::INTEGER AS labels FROM (SELECT predicted, count(*) AS n FROM p1 GROUP BY 1)'
	);
	await runCell(page, s);
	await expect(value(page, s, 0, 0)).toHaveText(String(rows));

	// The table's own accuracy is the evaluate cell's, and each row's probabilities sum to 1.
	const a = await addSqlCell(page);
	await setSql(
		page,
		a,
		'SELECT avg((predicted = species)::DOUBLE) AS accuracy, max(abs("prob_Adelie" + "prob_Chinstrap" + "prob_Gentoo" - 1)) < 1e-5 AS sums_to_one FROM p1'
	);
	await runCell(page, a);
	expect(Number(await value(page, a, 0, 0).textContent()).toFixed(3)).toBe(accuracy);
	await expect(value(page, a, 0, 1)).toHaveText('true');

	// A table without the model's features gets an error naming them, and the cell keeps its settings.
	await predict.getByLabel('table to predict').selectOption('penguins');
	await runCell(page, p, { expect: 'error' });
	await expect(predict.getByRole('alert')).toContainText('penguins lacks "beak_length", "beak_depth"');
	await predict.getByLabel('table to predict').selectOption('q1');
	await runCell(page, p);
	await expect(predict).toHaveAttribute('data-status', 'done');

	// After a reload p1 is not in DuckDB: running its reader first runs the predict cell (the cell graph).
	await settle(page);
	await page.reload();
	await runCell(page, s);
	await expect(cell(page, s)).toHaveAttribute('data-status', 'done');
	await expect(value(page, s, 0, 0)).toHaveText(String(rows));
	await expect(cell(page, p)).toHaveAttribute('data-status', 'done');

	// A registered version scores too: the picker resolves it to its source run.
	const notebookUrl = page.url();
	await cell(page, t).getByTestId('run-link').click();
	await page.getByTestId('register-model').getByLabel('model name').fill('penguin-species');
	await page.getByTestId('register-model').getByRole('button', { name: 'Register model' }).click();
	await expect(page.getByTestId('run-detail').getByRole('status')).toContainText('penguin-species');
	await page.goto(notebookUrl);
	const picker = cell(page, p).getByLabel('model to predict with');
	await expect(picker.locator('option', { hasText: 'penguin-species v' })).toHaveCount(1);
	await picker.selectOption({
		label: (await picker.locator('option', { hasText: 'penguin-species v' }).textContent())!
	});
	await runCell(page, p);
	await expect(cell(page, p)).toHaveAttribute('data-status', 'done');
	await expect(cell(page, p).getByTestId('row-count')).toHaveText(`${rows} rows`);
	await expect(cell(page, p).locator('[data-column="prob_Gentoo"]')).toBeVisible();
	await picker.selectOption({ index: 1 });

	// Exported and imported (cells get new ids), the predict cell still scores with its train cell's model.
	await settle(page);
	const file = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export', exact: true }).click();
	const path = await (await file).path();
	await page.goto('/');
	await page.getByTestId('import-notebook').setInputFiles(path);
	await expect(page.getByTestId('notebook-title')).toHaveValue('Penguin predictions');
	await expect(cell(page, p).getByLabel('model to predict with')).not.toHaveValue('');
	await runCell(page, p);
	await expect(cell(page, p)).toHaveAttribute('data-status', 'done');
	await expect(cell(page, p).getByTestId('row-count')).toHaveText(`${rows} rows`);
});
