import { test, expect } from './fixtures';
import { newNotebook } from './helpers';

test('create, rename, duplicate and delete notebooks with undo, newest change first', async ({ page }) => {
	await newNotebook(page, 'Alpha');
	await page.waitForTimeout(500);
	await newNotebook(page, 'Beta');
	await page.waitForTimeout(500);
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
