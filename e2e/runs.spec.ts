import { test, expect, type Page } from './fixtures';
import { readFileSync } from 'node:fs';
import { cell, newNotebook, runCell, setSql } from './helpers';

async function trainOnce(page: Page, t: number): Promise<Record<string, string>> {
	const train = cell(page, t);
	await train.getByRole('button', { name: /Run/ }).click();
	await expect(train).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
	const rows = await train.getByTestId('run-summary').locator('tr').all();
	const out: Record<string, string> = {};
	for (const r of rows) out[(await r.getAttribute('data-metric'))!] = (await r.locator('td').textContent())!;
	return out;
}

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
	await page.getByTestId('notebook-title').focus();
	await cell(page, 1).hover();
	await page.getByRole('button', { name: '+ Train' }).last().click();
	const train = cell(page, 2);
	await train.getByLabel('training data').selectOption('q1');
	await train.getByLabel('target column').selectOption('label');
	await train.getByLabel('epochs').fill('4');
	await train.getByLabel('backend').selectOption('cpu');
	const first = await trainOnce(page, 2);
	const second = await trainOnce(page, 2);
	// Tolerance stated: identical to the 4 significant digits shown (same seed, same backend, same data).
	expect(second).toEqual(first);
	await expect(train.getByTestId('train-result')).not.toContainText('data changed');

	await setSql(
		page,
		1,
		'SELECT x, y, (x * 0.7 + y * 0.3 > 0.5)::INTEGER AS label FROM (SELECT (range % 97) / 97 AS x, (range % 89) / 89 AS y FROM range(300))'
	);
	await runCell(page, 1);
	await trainOnce(page, 2);
	await expect(train.getByTestId('train-result')).toContainText(
		/data changed since run .*row count went from 400 to 300/
	);
});

test('runs can be filtered, exported, imported, deleted and restored', async ({ page }) => {
	test.setTimeout(180_000);
	await newNotebook(page);
	await setSql(page, 1, 'SELECT range % 10 AS x, (range % 2) AS y FROM range(200)');
	await runCell(page, 1);
	await page.getByTestId('notebook-title').focus();
	await cell(page, 1).hover();
	await page.getByRole('button', { name: '+ Train' }).last().click();
	const train = cell(page, 2);
	await train.getByLabel('training data').selectOption('q1');
	await train.getByLabel('target column').selectOption('y');
	await train.getByLabel('epochs').fill('2');
	await train.getByLabel('backend').selectOption('cpu');
	await trainOnce(page, 2);
	await train.getByLabel('learning rate').fill('0.05');
	await trainOnce(page, 2);

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
	await page.getByTestId('notebook-title').focus();
	await cell(page, 1).hover();
	await page.getByRole('button', { name: '+ Train' }).last().click();
	const train = cell(page, 2);
	await train.getByLabel('training data').selectOption('q1');
	await train.getByLabel('target column').selectOption('y');
	await train.getByLabel('epochs').fill('2');
	await train.getByLabel('backend').selectOption('cpu');
	await trainOnce(page, 2);
	await trainOnce(page, 2);

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
