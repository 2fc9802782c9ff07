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
	// CodeMirror renders each line as its own element, so its text has no newlines. A mismatch fails the step:
	// a query the editor did not take would otherwise run as something else.
	await expect(editor, `cell ${index}'s editor should hold the SQL just typed`).toHaveText(
		sql.replaceAll('\n', ''),
		{ timeout: 5_000 }
	);
}

export type CellEnd = 'done' | 'error' | 'cancelled';

/**
 * Run a cell and wait for it to end in the state the journey expects ('done' unless told). Any other end fails
 * here, with the cell's error text, so a step not followed by a value check cannot pass on an error.
 */
export async function runCell(page: Page, index: number, opts: { expect?: CellEnd } = {}): Promise<void> {
	const want = opts.expect ?? 'done';
	const c = cell(page, index);
	await c.getByRole('button', { name: /Run/ }).click();
	await expect(c, `cell ${index} should finish running`).toHaveAttribute(
		'data-status',
		/done|error|cancelled/,
		{
			timeout: 60_000
		}
	);
	const got = await c.getAttribute('data-status');
	if (got !== want) {
		const err = c.getByTestId('cell-error');
		const why = (await err.count()) ? (await err.first().innerText()).trim() : '(no error shown)';
		throw new Error(`cell ${index} ended '${got}', expected '${want}': ${why}`);
	}
}

/** Adds a cell of a kind after the last one and returns its index. */
export async function addCell(
	page: Page,
	kind: 'SQL' | 'Train' | 'Evaluate' | 'Predict' = 'SQL'
): Promise<number> {
	const count = await page.getByTestId('cell').count();
	// Leave the editor first: a completion list left open would cover the buttons below it. The app closes
	// lists in unfocused editors, including one whose async completion arrives after the blur.
	await page.getByTestId('notebook-title').focus();
	await expect(page.locator('.cm-tooltip-autocomplete')).toHaveCount(0);
	await page.getByTestId('cell').last().hover();
	await page
		.getByRole('button', { name: `+ ${kind}` })
		.last()
		.click();
	await expect(page.getByTestId('cell')).toHaveCount(count + 1);
	return count;
}

export const addSqlCell = (page: Page): Promise<number> => addCell(page, 'SQL');

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

/**
 * Wait until the autosave has landed (it debounces keystrokes): the open notebook's record in IndexedDB has the
 * title and the cells, in order, with each SQL editor's text, that the page shows. Read straight from the
 * browser's database, as a reload would.
 */
export async function settle(page: Page): Promise<void> {
	const id = new URL(page.url()).pathname.split('/nb/')[1]?.split('/')[0];
	if (!id) throw new Error(`settle() needs an open notebook, not ${page.url()}`);
	const shown = async () => ({
		title: await page.getByTestId('notebook-title').inputValue(),
		cells: await page
			.getByTestId('cell')
			.evaluateAll((els) =>
				els.map((el) =>
					el.querySelector('.cm-content')
						? [...el.querySelectorAll('.cm-content .cm-line')].map((l) => l.textContent).join('\n')
						: null
				)
			)
	});
	await expect
		.poll(
			async () => {
				const want = await shown();
				const stored = await page.evaluate(readNotebook, decodeURIComponent(id));
				if (!stored) return 'no record yet';
				const cells = stored.cells.map((src, i) => (want.cells[i] === null ? null : src));
				return JSON.stringify({ title: stored.title, cells }) === JSON.stringify(want)
					? 'saved'
					: `stored ${JSON.stringify({ title: stored.title, cells })}, shown ${JSON.stringify(want)}`;
			},
			{ message: 'the autosave should land in IndexedDB', timeout: 10_000 }
		)
		.toBe('saved');
}

/** Runs in the page: one notebook's title and cell sources, read from the app's IndexedDB database. */
function readNotebook(id: string): Promise<{ title: string; cells: string[] } | null> {
	return new Promise((resolve, reject) => {
		const open = indexedDB.open('edgebook');
		// Never create the database here: only the app does, with its schema.
		open.onupgradeneeded = () => open.transaction?.abort();
		open.onerror = () => reject(open.error);
		open.onsuccess = () => {
			const get = open.result.transaction('notebooks').objectStore('notebooks').get(id);
			get.onerror = () => reject(get.error);
			get.onsuccess = () => {
				open.result.close();
				const nb = get.result as { title: string; cells: { source?: string }[] } | undefined;
				resolve(nb ? { title: nb.title, cells: nb.cells.map((c) => c.source ?? '') } : null);
			};
		};
	});
}

/** One value of a SQL cell's result grid (row and column from 0), for exact assertions. */
export function value(page: Page, cellIndex: number, row = 0, col = 0): Locator {
	return cell(page, cellIndex).locator(`[data-testid="result-grid"] [data-row="${row}"] .val`).nth(col);
}
