import { test, expect } from './fixtures';
import { cell, newNotebook, runCell, setSql, value } from './helpers';

test("a failed download of DuckDB's wasm is a cell error naming the file, and the next run starts the engine", async ({
	context,
	page
}) => {
	test.setTimeout(120_000);
	let aborted = 0;
	await context.route('**/duckdb-eh.wasm', async (route) => {
		aborted++;
		await route.abort('connectionreset');
	});
	await newNotebook(page, 'Engine download');
	await setSql(page, 1, 'SELECT 41 + 1 AS answer');
	await runCell(page, 1, { expect: 'error' });
	const error = cell(page, 1).getByTestId('cell-error');
	await expect(error).toContainText('could not start');
	await expect(error).toContainText('duckdb-eh.wasm');
	expect(aborted).toBeGreaterThan(0);

	await context.unroute('**/duckdb-eh.wasm');
	await runCell(page, 1, { timeout: 90_000 });
	await expect(value(page, 1)).toHaveText('42');
});
