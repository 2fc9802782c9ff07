import { test, expect, type Page } from './fixtures';
import { addCell, addTrainCell, cell, newNotebook, runCell, setSql, settle } from './helpers';

/**
 * Split strategies as a data scientist uses them: by time, by group, and a named table as the test set. Each
 * journey asserts what the user gets (the split line with its counts and ranges, the run's recorded params),
 * chosen so that the seeded random split would show something else.
 */

/** Make a SQL cell (the notebook's first, or a new one) hold `sql` and run it; returns its index. */
async function sqlTable(page: Page, sql: string, index?: number): Promise<number> {
	const i = index ?? (await addCell(page, 'SQL'));
	await setSql(page, i, sql);
	await runCell(page, i);
	return i;
}

const trainCell = (page: Page, source: string, target: string): Promise<number> =>
	addTrainCell(page, { source, target, epochs: 3, backend: 'cpu' });

/** The params the run page lists for the run the train cell links to. */
async function runParams(page: Page, t: number): Promise<Record<string, string>> {
	await cell(page, t).getByTestId('run-link').click();
	const detail = page.getByTestId('run-detail');
	await expect(detail.locator('dt', { hasText: /^split$/ })).toBeVisible();
	return detail.locator('dl').evaluateAll((dls) => {
		const out: Record<string, string> = {};
		for (const dl of dls)
			for (const dt of dl.querySelectorAll('dt'))
				out[dt.textContent!.trim()] = dt.nextElementSibling?.textContent?.trim() ?? '';
		return out;
	});
}

test('a time split trains on the earliest times and tests on the latest, whatever the row order', async ({
	page
}) => {
	test.setTimeout(180_000);
	await newNotebook(page, 'Time split');
	// t is 0…999 in a scrambled row order (7919 is coprime to 1000), so "later rows" and "later times" differ;
	// day is a DATE, t days after 2024-01-01.
	await sqlTable(
		page,
		"SELECT DATE '2024-01-01' + t::INTEGER AS day, x, y FROM " +
			'(SELECT (range * 7919) % 1000 AS t, (range % 7) / 7.0 AS x, range % 2 AS y FROM range(1000))',
		1
	);
	const t = await trainCell(page, 'q1', 'y');
	const train = cell(page, t);
	await train.getByLabel('split strategy').selectOption('time');
	await train.getByLabel('split column').selectOption('day');
	await runCell(page, t);
	// A random split would put days from the whole range in each part.
	await expect(train.getByTestId('train-split')).toHaveText(
		'time split on day: 700 / 150 / 150 rows (train 2024-01-01…2025-11-30, validation 2025-12-01…2026-04-29, ' +
			'test 2026-04-30…2026-09-26)'
	);
	const params = await runParams(page, t);
	expect(params).toMatchObject({ split: 'time', split_column: 'day', split_rows: '700/150/150' });
});

test('a group split keeps every group in one split', async ({ page }) => {
	test.setTimeout(180_000);
	await newNotebook(page, 'Group split');
	await sqlTable(page, 'SELECT range % 10 AS g, (range % 7) / 7.0 AS x, range % 2 AS y FROM range(1000)', 1);
	const t = await trainCell(page, 'q1', 'y');
	const train = cell(page, t);
	await train.getByLabel('split strategy').selectOption('group');
	await train.getByLabel('split column').selectOption('g');
	await runCell(page, t);
	const line = (await train.getByTestId('train-split').textContent())!;
	const m = /^group split on g: (\d+) \/ (\d+) \/ (\d+) rows, (\d+) \/ (\d+) \/ (\d+) groups$/.exec(line);
	expect(m, line).not.toBeNull();
	const [rows, groups] = [m!.slice(1, 4).map(Number), m!.slice(4, 7).map(Number)];
	// 10 groups of 100 rows: a group in two splits would count twice (more than 10) and cut a part off its 100s.
	expect(groups.reduce((a, b) => a + b)).toBe(10);
	expect(groups.every((g) => g > 0)).toBe(true);
	expect(rows).toEqual(groups.map((g) => g * 100));
	const params = await runParams(page, t);
	expect(params).toMatchObject({ split: 'group', split_column: 'g', split_rows: rows.join('/') });
});

test('a named table is the test set; a table without the features is refused by name and the form is kept', async ({
	page
}) => {
	test.setTimeout(180_000);
	await newNotebook(page, 'Holdout table');
	await sqlTable(page, 'SELECT (range % 13) / 13.0 AS x, range % 2 AS y FROM range(500)', 1);
	await sqlTable(page, 'SELECT (range % 11) / 11.0 AS x, range % 2 AS y FROM range(500, 620)');
	await sqlTable(page, 'SELECT range AS t, range % 2 AS y FROM range(50)');
	const t = await trainCell(page, 'q1', 'y');
	const train = cell(page, t);
	await train.getByLabel('split strategy').selectOption('table');
	await train.getByLabel('test table').selectOption('q3');
	// The named table is the test set, so the test fraction no longer applies.
	await expect(train.getByLabel('test fraction')).toBeDisabled();
	await runCell(page, t, { expect: 'error' });
	const error = train.getByTestId('cell-error');
	await expect(error).toHaveAttribute('data-error-name', 'TestTableMismatch');
	await expect(error).toContainText('Test table "q3" lacks "x"');
	// The user's choices survive the refusal, and a reload.
	await settle(page);
	await page.reload();
	await expect(cell(page, t).getByLabel('split strategy')).toHaveValue('table');
	await expect(cell(page, t).getByLabel('test table')).toHaveValue('q3');

	await cell(page, t).getByLabel('test table').selectOption('q2');
	await runCell(page, t);
	// 500 source rows give train 425 / validation 75 (stratified, so maybe a row either way); q2 has 120 rows.
	await expect(cell(page, t).getByTestId('train-split')).toHaveText(
		/^test table q2, train \/ validation by stratified random split: \d+ \/ \d+ \/ 120 rows$/
	);
	const params = await runParams(page, t);
	expect(params).toMatchObject({ split: 'table', test_table: 'q2' });
	expect(params.split_rows).toMatch(/^\d+\/\d+\/120$/);
	expect(params).not.toHaveProperty('test_fraction');
});
