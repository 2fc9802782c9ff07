import { expect, type Locator, type Page } from '@playwright/test';

/** Journeys drive the real app: real Chromium, real IndexedDB, DuckDB-WASM and the Worker under wrangler dev. */

export async function newNotebook(page: Page, title?: string): Promise<void> {
	await page.goto('/');
	await page.getByRole('button', { name: 'New notebook' }).click();
	await expect(page).toHaveURL(/\/nb\//);
	await expect(page.getByTestId('cell').first()).toBeVisible();
	if (title) {
		await page.getByTestId('notebook-title').fill(title);
	}
}

export function cell(page: Page, index: number): Locator {
	return page.getByTestId('cell').nth(index);
}

/** Replace a SQL cell's text through CodeMirror, as a user would type it. */
export async function setSql(page: Page, index: number, sql: string): Promise<void> {
	const editor = cell(page, index).locator('.cm-content');
	await editor.click();
	await page.keyboard.press('ControlOrMeta+a');
	await page.keyboard.press('Delete');
	await page.keyboard.insertText(sql);
	await expect(editor)
		.toHaveText(sql.replaceAll('\n', ''), { timeout: 5_000 })
		.catch(() => undefined);
}

export async function runCell(page: Page, index: number): Promise<void> {
	await cell(page, index).getByRole('button', { name: /Run/ }).click();
	await expect(cell(page, index)).toHaveAttribute('data-status', /done|error|cancelled/, { timeout: 60_000 });
}

export async function addSqlCell(page: Page): Promise<number> {
	const count = await page.getByTestId('cell').count();
	// Leave the editor first: a completion list left open would cover the buttons below it. The app closes
	// lists in unfocused editors, including one whose async completion arrives after the blur.
	await page.getByTestId('notebook-title').focus();
	await expect(page.locator('.cm-tooltip-autocomplete')).toHaveCount(0);
	await page.getByTestId('cell').last().hover();
	await page.getByRole('button', { name: '+ SQL' }).last().click();
	await expect(page.getByTestId('cell')).toHaveCount(count + 1);
	return count;
}

export async function addSample(page: Page, id: string): Promise<void> {
	await page.getByTestId(`sample-${id}`).click();
	await expect(page.locator(`[data-testid="dataset"][data-name="${id}"]`)).toBeVisible({ timeout: 90_000 });
}

export async function addFile(
	page: Page,
	name: string,
	content: string | Buffer,
	mimeType = 'text/plain'
): Promise<void> {
	await page
		.getByTestId('dataset-file-input')
		.setInputFiles({ name, mimeType, buffer: Buffer.from(content) });
}

/** Wait until the autosave has landed in IndexedDB (it debounces keystrokes). */
export async function settle(page: Page): Promise<void> {
	await page.waitForTimeout(600);
}

/** One value of a SQL cell's result grid (row and column from 0), for exact assertions. */
export function value(page: Page, cellIndex: number, row = 0, col = 0): Locator {
	return cell(page, cellIndex).locator(`[data-testid="result-grid"] [data-row="${row}"] .val`).nth(col);
}
