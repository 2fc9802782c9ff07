import { test, expect } from './fixtures';
import { readFileSync } from 'node:fs';
import { newNotebook, runCell, setSql, settle, value } from './helpers';

test('export a notebook, import it back as a new one, and export .ipynb for Jupyter', async ({ page }) => {
	await newNotebook(page, 'Round trip');
	await setSql(page, 1, 'SELECT 40 + 2 AS answer');
	await runCell(page, 1);
	await settle(page);

	const own = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export', exact: true }).click();
	const ownPath = await (await own).path();
	const exported = JSON.parse(readFileSync(ownPath, 'utf8'));
	expect(exported.format).toBe('edgebook-notebook');
	expect(exported.formatVersion).toBe(1);

	const ipynb = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export .ipynb' }).click();
	const nb = JSON.parse(readFileSync(await (await ipynb).path(), 'utf8'));
	expect(nb.nbformat).toBe(4);
	expect(nb.nbformat_minor).toBe(5);
	// A first code cell loads JupySQL so that %%sql cells run in a plain Python kernel.
	expect(nb.cells.map((c: { cell_type: string }) => c.cell_type)).toEqual(['code', 'markdown', 'code']);
	expect(nb.cells[2].source.join('')).toContain('SELECT 40 + 2 AS answer');

	await page.goto('/');
	await page.getByTestId('import-notebook').setInputFiles(ownPath);
	await expect(page).toHaveURL(/\/nb\//);
	await expect(page.getByTestId('notebook-title')).toHaveValue('Round trip');
	await expect(value(page, 1)).toHaveText('42');
	await page.goto('/');
	await expect(page.getByTestId('notebook-list').locator('li')).toHaveCount(2);
});

const badNotebooks: { what: string; name: string; content: string; message: RegExp }[] = [
	{ what: 'not JSON', name: 'a.edgebook.json', content: '{ nope', message: /JSON/ },
	{
		what: 'a Jupyter notebook',
		name: 'b.ipynb',
		content: '{"nbformat":4,"nbformat_minor":5,"cells":[],"metadata":{}}',
		message: /Jupyter/
	},
	{
		what: 'JSON that is not ours',
		name: 'c.json',
		content: '{"hello":"world"}',
		message: /not an Edgebook notebook/i
	},
	{
		what: 'a newer format version',
		name: 'd.edgebook.json',
		content: JSON.stringify({ format: 'edgebook-notebook', formatVersion: 99, notebook: {} }),
		message: /newer/
	},
	{ what: 'an empty file', name: 'e.json', content: '', message: /empty/i }
];

for (const bad of badNotebooks) {
	test(`importing ${bad.what} is refused with a clear error and changes nothing`, async ({ page }) => {
		await newNotebook(page, 'Keep me');
		await settle(page);
		await page.goto('/');
		await page
			.getByTestId('import-notebook')
			.setInputFiles({ name: bad.name, mimeType: 'application/json', buffer: Buffer.from(bad.content) });
		await expect(page.getByTestId('import-error')).toContainText(bad.message);
		await expect(page.getByTestId('notebook-list').locator('li')).toHaveCount(1);
		await expect(page.getByTestId('notebook-list')).toContainText('Keep me');
	});
}
