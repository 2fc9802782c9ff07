import { test, expect } from './fixtures';
import { addFile, addSqlCell, cell, newNotebook, runCell, setSql, value } from './helpers';

/**
 * Cancel always lands (docs/architecture.md, "Cancel"): a statement DuckDB cannot interrupt is ended by
 * restarting the engine after a short grace period (500 ms here, set the way a user would); the datasets come
 * back from IndexedDB, named results are made again by their cells, and a cell waiting behind the running one
 * says that it is queued.
 */

// The statement on a generated table: a nested-loop join whose condition no pair meets (hashed, so
// statistics cannot rule it out). DuckDB scans the whole right side for each chunk of the left without returning
// to its polling loop: measured in Chromium, an interrupt alone had not landed after 60 s.
const STUCK =
	'SELECT count(*) AS n FROM range(3000000) a, range(3000000) b WHERE hash(a.range + b.range) = 42';

test('a statement that ignores the interrupt is ended by restarting the engine, and the notebook carries on', async ({
	page
}) => {
	// DuckDB starts twice (the restart fetches and compiles it again): more than one journey's default.
	test.setTimeout(120_000);
	await page.addInitScript(() => localStorage.setItem('edgebook.cancelGraceMs', '500'));
	await newNotebook(page);
	await addFile(page, 'nums.csv', 'x\n1\n2\n3\n4\n');
	await expect(page.locator('[data-testid="dataset"][data-name="nums"]')).toBeVisible({ timeout: 60_000 });
	await setSql(page, 1, 'SELECT x * 10 AS y FROM nums'); // q1
	await runCell(page, 1);
	await expect(value(page, 1, 3)).toHaveText('40');

	const stuck = await addSqlCell(page);
	await setSql(page, stuck, STUCK);
	const reader = await addSqlCell(page);
	await setSql(page, reader, 'SELECT sum(y) AS total, count(*) AS n FROM q1');

	await cell(page, stuck).getByRole('button', { name: /Run/ }).click();
	await expect(cell(page, stuck)).toHaveAttribute('data-status', 'running');
	await cell(page, reader).getByRole('button', { name: /Run/ }).click();
	await expect(cell(page, reader).getByTestId('cell-status')).toHaveText('queued');
	// Cancel as a user does, after the statement has shown it runs long: pressed at once, the interrupt can land while
	// DuckDB still builds the join's right side (between tasks, where it checks), and nothing needs restarting.
	await expect(cell(page, stuck).getByTestId('cell-elapsed')).toHaveAttribute(
		'data-seconds',
		/^([3-9]|\d{2,})$/,
		{
			timeout: 30_000
		}
	);

	await cell(page, stuck).getByRole('button', { name: 'Cancel' }).click();
	// Bounded: the grace period, then the worker is terminated. Without a restart this statement runs for hours.
	await expect(cell(page, stuck)).toHaveAttribute('data-status', 'cancelled', { timeout: 15_000 });
	const error = cell(page, stuck).getByTestId('cell-error');
	await expect(error).toHaveAttribute('data-error-name', 'Cancelled');
	await expect(error).toContainText(
		'the SQL engine did not stop within 500 ms of Cancel, so it was restarted',
		{
			ignoreCase: true
		}
	);

	// The queued cell then runs on the fresh engine: q1 is made again, from nums attached again from IndexedDB.
	await expect(cell(page, reader)).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
	await expect(value(page, reader, 0, 0)).toHaveText('100');
	await expect(value(page, reader, 0, 1)).toHaveText('4');
	await expect(cell(page, 1)).toHaveAttribute('data-status', 'done');
	await expect(value(page, 1, 3)).toHaveText('40');
});

// A million rows: attaching them again (read from IndexedDB, checked, parsed by DuckDB) takes seconds, and the
// panel says while it does, so the Cancel below lands while the attach is under way. v cycles through 0..9, so
// sum(v) is 45 per 10 rows.
const BIG_ROWS = 1_000_000;
const bigCsv = () => {
	const lines = ['i,v'];
	for (let i = 0; i < BIG_ROWS; i++) lines.push(`${i},${i % 10}`);
	return lines.join('\n') + '\n';
};

test('a Cancel while a large dataset is attached again ends the cell at once and leaves the dataset for next time', async ({
	page
}) => {
	test.setTimeout(180_000);
	await page.addInitScript(() => localStorage.setItem('edgebook.cancelGraceMs', '500'));
	await newNotebook(page);
	await addFile(page, 'big.csv', bigCsv());
	await expect(page.locator('[data-testid="dataset"][data-name="big"]')).toContainText('1,000,000 rows', {
		timeout: 90_000
	});

	// A reload starts a fresh engine (as a restart does): big is attached again from IndexedDB when a cell reads it.
	await page.reload();
	await expect(page.locator('[data-testid="dataset"][data-name="big"]')).toBeVisible();
	const reader = 1;
	await setSql(page, reader, 'SELECT sum(v) AS total, count(*) AS n FROM big');
	await cell(page, reader).getByRole('button', { name: /Run/ }).click();
	const attaching = page.locator('[data-testid="attach-progress"][data-name="big"]');
	await expect(attaching).toBeVisible();
	await cell(page, reader).getByRole('button', { name: 'Cancel' }).click();
	// The grace period (500 ms) bounds it: the cell does not wait for the attach to finish.
	await expect(cell(page, reader)).toHaveAttribute('data-status', 'cancelled', { timeout: 10_000 });
	const error = cell(page, reader).getByTestId('cell-error');
	await expect(error).toHaveAttribute('data-error-name', 'Cancelled');
	await expect(error).toContainText('while dataset big was being attached');
	await expect(attaching).toBeHidden();

	// Left detached, not broken: the next run attaches it again and reads every row.
	await runCell(page, reader);
	await expect(value(page, reader, 0, 0)).toHaveText(String((BIG_ROWS / 10) * 45));
	await expect(value(page, reader, 0, 1)).toHaveText(String(BIG_ROWS));
});
