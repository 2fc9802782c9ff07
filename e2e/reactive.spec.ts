import { test, expect, type Page } from './fixtures';
import { addSqlCell, cell, newNotebook, runCell, setSql, value } from './helpers';

test('a changed cell re-runs the cells that read its table, and a cycle is reported', async ({ page }) => {
	await newNotebook(page);
	await setSql(page, 1, 'SELECT range AS x FROM range(5)');
	const second = await addSqlCell(page);
	await setSql(page, second, 'SELECT sum(x) AS total FROM q1');
	await runCell(page, second); // runs q1 first: this tab does not have it yet
	await expect(value(page, second)).toHaveText('10');

	await setSql(page, 1, 'SELECT range AS x FROM range(11)');
	await runCell(page, 1);
	await expect(value(page, second)).toHaveText('55');

	// q1 now reads q2, which reads q1: reported on the cells, not looped on.
	await setSql(page, 1, 'SELECT total AS x FROM q2');
	await runCell(page, 1, { expect: 'error' });
	await expect(cell(page, 1).getByTestId('cell-error')).toHaveAttribute('data-error-name', 'CycleError');
	await expect(cell(page, 1).getByTestId('cell-error')).toContainText('cycle');
	await expect(cell(page, 0)).toBeVisible();
});

/** What IndexedDB holds as each cell's output message, so a reload is asked for once the autosave landed. */
function storedMessages(page: Page): Promise<(string | null)[]> {
	const id = new URL(page.url()).pathname.split('/').filter(Boolean).pop() ?? '';
	return page.evaluate(async (id) => {
		const ask = <T>(r: IDBRequest<T>) =>
			new Promise<T>((ok, fail) => {
				r.onsuccess = () => ok(r.result);
				r.onerror = () => fail(r.error);
			});
		const db = await ask(indexedDB.open('edgebook'));
		const nb = (await ask(db.transaction('notebooks').objectStore('notebooks').get(id))) as {
			cells: { output?: { message?: string } | null }[];
		};
		db.close();
		return nb.cells.map((c) => c.output?.message ?? null);
	}, id);
}

test('deleting or renaming a cell drops its table and marks its readers; a reload behaves the same', async ({
	page
}) => {
	await newNotebook(page);
	await setSql(page, 1, 'SELECT range AS a FROM range(3)');
	const second = await addSqlCell(page);
	await setSql(page, second, 'SELECT a AS b FROM q1');
	const third = await addSqlCell(page);
	await setSql(page, third, 'SELECT sum(b * 10) AS s FROM q2');
	await runCell(page, third); // runs q1 and q2 first
	await expect(value(page, third)).toHaveText('30');

	// Renaming a result takes the old name away as a delete does: its readers are told, not fed the old table.
	const name = cell(page, 1).getByLabel('result table name');
	await name.fill('base');
	await name.press('Tab');
	await expect(cell(page, second).getByTestId('cell-error')).toContainText('q1 was renamed to base');
	await expect(cell(page, third).getByTestId('cell-error')).toContainText('its input came from q1');
	await runCell(page, second, { expect: 'error' });
	await expect(cell(page, second).getByTestId('cell-error')).toContainText('q1 does not exist');
	await setSql(page, second, 'SELECT a AS b FROM base');
	await runCell(page, third);
	await expect(value(page, third)).toHaveText('30');

	await cell(page, second).getByRole('button', { name: 'Delete cell' }).click();
	await expect(page.getByTestId('cell')).toHaveCount(3);
	const reader = cell(page, 2);
	await expect(reader.getByTestId('cell-error')).toContainText('q2 was defined by a deleted cell');
	await expect(reader.getByTestId('result-grid')).toHaveCount(0);

	// Before, the reader kept answering from the deleted cell's last result (30) until a reload.
	await setSql(page, 1, 'SELECT range AS a FROM range(5)'); // base
	await runCell(page, 1);
	await runCell(page, 2, { expect: 'error' });
	await expect(reader).toHaveAttribute('data-status', 'error');
	await expect(reader.getByTestId('cell-error')).toHaveAttribute('data-error-name', 'CatalogError');
	await expect(reader.getByTestId('cell-error')).toContainText('q2');
	await expect(reader.getByTestId('result-grid')).toHaveCount(0);
	const shown = await reader.getByTestId('cell-error').textContent();

	await expect.poll(async () => (await storedMessages(page))[2]).toContain('q2 does not exist');
	await page.reload();
	await expect(page.getByTestId('cell')).toHaveCount(3);
	await expect(cell(page, 2).getByTestId('cell-error')).toHaveText(shown ?? '');
	await runCell(page, 2, { expect: 'error' });
	await expect(cell(page, 2).getByTestId('cell-error')).toHaveText(shown ?? '');
	await runCell(page, 1);
	await expect(value(page, 1, 4)).toHaveText('4');
});
