// Time to first rows as a user sees them: the real notebook UI, the real sample button, a query typed into
// CodeMirror and run with Control+Enter, until the result grid's first row is on screen.

const CELL = '[data-testid="cell"]';

/**
 * Waits in the page itself, so Playwright's polling is not part of the number: from the Control+Enter keydown
 * to the first animation frame in which row 0 of the cell's grid is laid out (that frame paints it).
 */
function watchFirstRow(index) {
	const w = /** @type {any} */ (window);
	w.__firstRow = new Promise((resolve) => {
		let pressed = null;
		const onKey = (e) => {
			if (e.key === 'Enter' && e.ctrlKey) {
				pressed = performance.now();
				document.removeEventListener('keydown', onKey, true);
			}
		};
		document.addEventListener('keydown', onKey, true);
		const tick = () => {
			const cell = document.querySelectorAll('[data-testid="cell"]')[index];
			const row = cell?.querySelector('[data-testid="result-grid"] [data-row="0"]');
			if (pressed !== null && row && row.getBoundingClientRect().height > 0)
				resolve(performance.now() - pressed);
			else requestAnimationFrame(tick);
		};
		requestAnimationFrame(tick);
	});
}

/** As e2e/helpers.ts types into a SQL cell: focus CodeMirror, select all, replace. */
async function typeSql(page, index, sql) {
	const editor = page.locator(CELL).nth(index).locator('.cm-content');
	await editor.click();
	await page.keyboard.press('Control+a');
	await page.keyboard.press('Delete');
	await page.keyboard.insertText(sql);
}

async function addSqlCell(page) {
	const count = await page.locator(CELL).count();
	await page.locator(CELL).last().hover();
	await page.getByRole('button', { name: '+ SQL' }).last().click();
	await page.locator(CELL).nth(count).locator('.cm-content').waitFor();
	return count;
}

/** One query in a cell that has never shown a result, so row 0 appearing can only be this run's. */
async function timeFirstRows(page, index, sql) {
	await typeSql(page, index, sql);
	await page.evaluate(watchFirstRow, index);
	const started = Date.now();
	await page.keyboard.press('Control+Enter');
	const firstRow = page.locator(CELL).nth(index).locator('[data-testid="result-grid"] [data-row="0"]');
	await firstRow.waitFor({ state: 'visible', timeout: 60_000 });
	const observedMs = Date.now() - started;
	const inPageMs = await page.evaluate(() => /** @type {any} */ (window).__firstRow);
	// Let the run finish its follow-ups (the grid's first page, the autosave) before the next one starts.
	await page.locator(CELL).nth(index).and(page.locator('[data-status="done"]')).waitFor();
	await page.waitForTimeout(500);
	return { inPageMs, observedMs };
}

export async function uiFirstRows({ browser, url, queries, reps }) {
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		await page.goto(`${url}/`);
		await page.getByRole('button', { name: 'New notebook' }).click();
		await page.waitForURL(/\/nb\//);
		await page.locator(CELL).nth(1).locator('.cm-content').waitFor();

		// The whole user path for the data: fetch the sample, start DuckDB, decode and load 3M rows.
		const loadStarted = Date.now();
		await page.getByTestId('sample-flights').click();
		await page.locator('[data-testid="dataset"][data-name="flights"]').waitFor({ timeout: 180_000 });
		const sampleLoadMs = Date.now() - loadStarted;

		// The first query after the load runs in the notebook's first SQL cell; later ones in new cells.
		const runs = [];
		let index = 1;
		for (let r = 0; r < reps; r++) {
			for (const q of queries) {
				if (runs.length > 0) index = await addSqlCell(page);
				runs.push({ query: q.name, rep: r, ...(await timeFirstRows(page, index, q.sql)) });
			}
		}
		return { sampleLoadMs, runs };
	} finally {
		await context.close();
	}
}
