import { test, expect } from './fixtures';
import { addSample, addSqlCell, cell, newNotebook, runCell, setSql, settle, value } from './helpers';

test('load a sample, query it, profile and chart it, and find it all again after a reload', async ({
	page
}) => {
	await newNotebook(page, 'Penguins');
	await addSample(page, 'penguins');
	await expect(page.locator('[data-name="penguins"]')).toContainText('344 rows');

	await setSql(
		page,
		1,
		'SELECT "Species" AS species, "Island" AS island, count(*) AS n, avg("Body Mass (g)") AS mass\nFROM penguins\nGROUP BY ALL\nORDER BY n DESC'
	);
	await page.keyboard.press('ControlOrMeta+Enter');
	await expect(cell(page, 1)).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
	await expect(cell(page, 1).getByTestId('row-count')).toHaveText('5 rows');
	await expect(cell(page, 1).getByTestId('result-grid')).toContainText('Adelie');

	// Profile the result: computed in DuckDB, per column.
	await cell(page, 1).getByRole('button', { name: 'Profile' }).click();
	const profile = cell(page, 1).getByTestId('profile');
	await expect(profile.locator('[data-column="mass"]')).toBeVisible();
	await expect(profile.locator('[data-column="species"]')).toContainText('3');

	// A chart cell over the dataset.
	await cell(page, 1).hover();
	await page.getByRole('button', { name: '+ Chart' }).nth(1).click();
	const chart = cell(page, 2);
	await chart.getByLabel('chart source').selectOption('penguins');
	await chart.getByLabel('chart mark').selectOption('point');
	await chart.getByLabel('chart x').selectOption('Flipper Length (mm)');
	await chart.getByLabel('chart y').selectOption('Body Mass (g)');
	await chart.getByLabel('chart color').selectOption('Species');
	await expect(chart.getByTestId('chart').locator('svg').first()).toBeVisible({ timeout: 30_000 });
	await expect(chart.getByTestId('chart').locator('circle').first()).toBeAttached();

	const download = page.waitForEvent('download');
	await chart.getByRole('button', { name: 'Download SVG' }).click();
	expect((await download).suggestedFilename()).toBe('chart-penguins.svg');

	// The README's screenshot: the whole notebook, from the top.
	await page.setViewportSize({ width: 1280, height: 1200 });
	await page.evaluate(() => window.scrollTo(0, 0));
	await page.screenshot({ path: 'docs/notebook.png', fullPage: false });
	await page.setViewportSize({ width: 1280, height: 720 });

	// Reload: the notebook, its outputs and the dataset are restored from IndexedDB.
	await settle(page);
	await page.reload();
	await expect(page.getByTestId('notebook-title')).toHaveValue('Penguins');
	await expect(page.locator('[data-testid="dataset"][data-name="penguins"]')).toBeVisible();
	await expect(cell(page, 1).getByTestId('result-grid')).toContainText('Adelie');
	await expect(cell(page, 1).getByTestId('row-count')).toHaveText('5 rows');

	// The dataset re-attaches by itself when a cell needs it.
	const next = await addSqlCell(page);
	await setSql(page, next, 'SELECT count(*) AS n FROM penguins WHERE "Sex" IS NULL');
	await runCell(page, next);
	await expect(value(page, next)).toHaveText('10');
});

test('run all with the keyboard, collapse and move cells', async ({ page }) => {
	await newNotebook(page);
	await setSql(page, 1, 'SELECT 1 AS a');
	const second = await addSqlCell(page);
	await setSql(page, second, 'SELECT a + 1 AS b FROM q1');
	await page.keyboard.press('ControlOrMeta+Shift+Enter');
	await expect(cell(page, second)).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
	await expect(value(page, second)).toHaveText('2');

	await cell(page, second).getByRole('button', { name: 'Move up' }).click();
	await expect(cell(page, 1).locator('.cm-content')).toContainText('FROM q1');
	await cell(page, 1).getByRole('button', { name: 'Collapse cell' }).click();
	await expect(cell(page, 1).locator('.cm-content')).toHaveCount(0);
	await settle(page);
	await page.reload();
	await expect(cell(page, 1).getByRole('button', { name: 'Expand cell' })).toBeVisible();
	await cell(page, 0).getByRole('button', { name: 'Delete cell' }).click();
	await expect(page.getByTestId('cell')).toHaveCount(2);
});

test('a wide result scrolls inside its cell at 1280 px, and one row reads "1 row"', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 720 });
	await newNotebook(page);
	const wide = Array.from({ length: 20 }, (_, i) => `${i} AS column_${i}`).join(', ');
	await setSql(page, 1, `SELECT ${wide}`);
	await runCell(page, 1);
	await expect(value(page, 1, 0, 19)).toHaveText('19');
	// The page itself never gets wider than the window: the grid scrolls, the datasets panel stays put.
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
	const grid = cell(page, 1).getByTestId('result-grid');
	expect(await grid.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
	await grid.evaluate((el) => (el.scrollLeft = el.scrollWidth));
	await expect(value(page, 1, 0, 19)).toBeInViewport();
	await expect(page.getByTestId('datasets-panel')).toBeInViewport();
	await expect(cell(page, 1).getByTestId('row-count')).toHaveText('1 row');
});

test('dates and times read as dates, whole, and a column edge drags to a new width', async ({ page }) => {
	await newNotebook(page);
	await setSql(
		page,
		1,
		"SELECT TIMESTAMP '2024-01-05 10:30:00.123' AS at, DATE '2024-02-29' AS day, TIME '10:30:05' AS t, 'infinity'::TIMESTAMP AS never"
	);
	await runCell(page, 1);
	await expect(value(page, 1, 0, 0)).toHaveText('2024-01-05 10:30:00.123');
	await expect(value(page, 1, 0, 1)).toHaveText('2024-02-29');
	await expect(value(page, 1, 0, 2)).toHaveText('10:30:05');
	await expect(value(page, 1, 0, 3)).toHaveText('infinity');
	// Shown whole, not cut off by the column's width.
	expect(await value(page, 1, 0, 0).evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);

	const header = cell(page, 1).locator('[data-testid="result-grid"] .th .td').nth(2);
	await expect(header).toContainText('day');
	const before = (await header.boundingBox())!.width;
	const grip = cell(page, 1).getByRole('separator', { name: 'Resize column day' });
	const box = (await grip.boundingBox())!;
	const y = box.y + box.height / 2;
	await page.mouse.move(box.x + box.width / 2, y);
	await page.mouse.down();
	await page.mouse.move(box.x + box.width / 2 + 120, y, { steps: 5 });
	await page.mouse.up();
	await expect.poll(async () => (await header.boundingBox())!.width).toBeGreaterThan(before + 100);
	// The values move with their header.
	expect((await value(page, 1, 0, 1).boundingBox())!.width).toBeCloseTo(
		(await header.boundingBox())!.width,
		0
	);
});
