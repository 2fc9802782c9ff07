import { test, expect } from './fixtures';
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
	await runCell(page, 1);
	await expect(cell(page, 1).getByTestId('cell-error')).toHaveAttribute('data-error-name', 'CycleError');
	await expect(cell(page, 1).getByTestId('cell-error')).toContainText('cycle');
	await expect(cell(page, 0)).toBeVisible();
});
