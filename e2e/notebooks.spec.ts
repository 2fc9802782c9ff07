import { test, expect } from './fixtures';
import { addSqlCell, cell, newNotebook, runCell, setSql, settle, value } from './helpers';

test('create, rename, duplicate and delete notebooks with undo, newest change first', async ({ page }) => {
	await newNotebook(page, 'Alpha');
	await settle(page);
	await newNotebook(page, 'Beta');
	await settle(page);
	await page.goto('/');
	const titles = page.getByTestId('notebook-list').locator('li .title');
	await expect(titles).toHaveText(['Beta', 'Alpha']);

	// Rename Alpha: it becomes the most recently changed.
	const alpha = page.getByTestId('notebook-list').locator('li', { hasText: 'Alpha' });
	await alpha.getByRole('button', { name: 'Rename' }).click();
	await page.getByLabel('Notebook title').fill('Alpha renamed');
	await page.getByLabel('Notebook title').press('Enter');
	await expect(titles).toHaveText(['Alpha renamed', 'Beta']);

	await page
		.getByTestId('notebook-list')
		.locator('li', { hasText: 'Beta' })
		.getByRole('button', { name: 'Duplicate' })
		.click();
	await expect(titles).toHaveText(['Beta (copy)', 'Alpha renamed', 'Beta']);

	await page
		.getByTestId('notebook-list')
		.locator('li', { hasText: 'Alpha renamed' })
		.getByRole('button', { name: 'Delete' })
		.click();
	await expect(titles).toHaveText(['Beta (copy)', 'Beta']);
	await page.getByRole('button', { name: 'Undo' }).click();
	await expect(titles).toContainText(['Alpha renamed']);

	// A reload shows the same list: it is all in IndexedDB.
	await page.reload();
	await expect(titles).toHaveCount(3);
});

test('a deleted or moved cell comes back with Undo or Ctrl/Cmd+Z, its table and its readers too', async ({
	page
}) => {
	const source = 'SELECT range AS a FROM range(4)';
	await newNotebook(page);
	await setSql(page, 1, source);
	const second = await addSqlCell(page);
	await setSql(page, second, 'SELECT sum(a) AS s FROM q1');
	await runCell(page, second);
	await expect(value(page, second)).toHaveText('6');
	const cells = page.getByTestId('cell');
	const restored = async () => {
		await expect(cells).toHaveCount(3);
		await expect(cell(page, 1).locator('.cm-content')).toHaveText(source);
		await expect(cell(page, 1).getByLabel('result table name')).toHaveValue('q1');
		await expect(cell(page, 1).getByTestId('row-count')).toHaveText('4 rows');
		await expect(value(page, 1, 3)).toHaveText('3');
		await expect(cell(page, 2)).toHaveAttribute('data-status', 'done');
		await expect(value(page, 2)).toHaveText('6');
	};

	await cell(page, 1).getByRole('button', { name: 'Delete cell' }).click();
	await expect(cells).toHaveCount(2);
	await expect(cell(page, 1).getByTestId('cell-error')).toContainText('q1 was defined by a deleted cell');
	await expect(page.getByRole('status').filter({ hasText: 'Deleted cell 2 (q1)' })).toBeVisible();
	await page.getByRole('button', { name: 'Undo' }).click();
	await restored();

	// The keyboard: focus is on the page, not in an editor, so Ctrl/Cmd+Z is the notebook's.
	await cell(page, 1).getByRole('button', { name: 'Move down' }).click();
	await expect(cell(page, 2).locator('.cm-content')).toHaveText(source);
	await page.keyboard.press('ControlOrMeta+z');
	await expect(cell(page, 1).locator('.cm-content')).toHaveText(source);
	await cell(page, 1).getByRole('button', { name: 'Delete cell' }).click();
	await expect(cells).toHaveCount(2);
	await page.keyboard.press('ControlOrMeta+z');
	await restored();
});
