import { test, expect } from './fixtures';
import { readFileSync, writeFileSync } from 'node:fs';
import { addFile, addSqlCell, cell, newNotebook, runCell, setSql, settle, value } from './helpers';
import { nbformatErrors, unzip } from './ipynb-files';
import { runIpynbSql } from '../tests/helpers/run-ipynb-sql';

test('export a notebook and import it back as a new one', async ({ page }) => {
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

	await page.goto('/');
	await page.getByTestId('import-notebook').setInputFiles(ownPath);
	await expect(page).toHaveURL(/\/nb\//);
	await expect(page.getByTestId('notebook-title')).toHaveValue('Round trip');
	await expect(value(page, 1)).toHaveText('42');
	await page.goto('/');
	await expect(page.getByTestId('notebook-list').locator('li')).toHaveCount(2);
});

test('export .ipynb: a zip with the datasets, valid for nbformat, whose SQL runs top to bottom', async ({
	page
}, testInfo) => {
	await newNotebook(page, 'Bird export');
	await addFile(page, 'birds.csv', 'species,mass\nAdelie,3700\nGentoo,5000\nGentoo,5200\n', 'text/csv');
	await expect(page.locator('[data-testid="dataset"][data-name="birds"]')).toBeVisible({ timeout: 60_000 });
	await setSql(page, 1, 'SELECT species, sum(mass)::INTEGER AS total FROM birds GROUP BY 1 ORDER BY 1');
	await runCell(page, 1);
	await expect(value(page, 1, 1, 1)).toHaveText('10200');
	const second = await addSqlCell(page);
	await setSql(page, second, 'SELECT species FROM q1 WHERE total > 5000');
	await runCell(page, second);
	await expect(value(page, second)).toHaveText('Gentoo');
	await cell(page, second).hover();
	await page.getByRole('button', { name: '+ Chart' }).nth(second).click();
	const chart = cell(page, second + 1);
	await chart.getByLabel('chart source').selectOption('q1');
	await chart.getByLabel('chart x').selectOption('species');
	await chart.getByLabel('chart y').selectOption('total');
	await expect(chart.getByTestId('chart').locator('svg').first()).toBeVisible({ timeout: 30_000 });

	const download = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export .ipynb' }).click();
	const zipFile = await download;
	expect(zipFile.suggestedFilename()).toBe('Bird_export.zip');
	const files = unzip(await zipFile.path());
	expect(Object.keys(files).sort()).toEqual(['Bird_export/Bird_export.ipynb', 'Bird_export/data/birds.csv']);

	const ipynbPath = testInfo.outputPath('Bird_export.ipynb');
	writeFileSync(ipynbPath, files['Bird_export/Bird_export.ipynb']);
	expect(nbformatErrors(ipynbPath)).toBe('');
	const nb = JSON.parse(files['Bird_export/Bird_export.ipynb'].toString('utf8'));

	// The result tables are saved as outputs, as Jupyter shows them.
	const q1 = nb.cells.find(
		(c: { metadata: { edgebook?: { name?: string } } }) => c.metadata.edgebook?.name === 'q1'
	);
	expect(q1.outputs[0].data['text/html'].join('')).toContain('<td>Gentoo</td><td>10200</td>');
	// The chart is a PNG image.
	const drawn = nb.cells.find((c: { attachments?: object }) => c.attachments);
	expect(Buffer.from(drawn.attachments['chart.png']['image/png'], 'base64').subarray(1, 4).toString()).toBe(
		'PNG'
	);

	// After a reload nothing is drawn yet; the export still carries the chart.
	await settle(page);
	await page.reload();
	const again = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export .ipynb' }).click();
	const reloaded = unzip(await (await again).path())['Bird_export/Bird_export.ipynb'];
	const redrawn = JSON.parse(reloaded.toString('utf8')).cells.find(
		(c: { attachments?: object }) => c.attachments
	);
	expect(redrawn?.attachments['chart.png']['image/png']).toMatch(/^iVBORw0KGgo/);

	// Top to bottom in DuckDB, with the CSV beside the notebook: the data cell loads birds, q2 reads q1.
	const results = await runIpynbSql(nb, { 'data/birds.csv': files['Bird_export/data/birds.csv'] });
	expect(results.slice(1)).toEqual([
		[
			{ species: 'Adelie', total: 3700 },
			{ species: 'Gentoo', total: 10200 }
		],
		[{ species: 'Gentoo' }]
	]);
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

// One notebook list takes every bad file in turn (a fresh page per case cost 4 s each); the page is loaded again
// before each, so each check reads that file's own error.
test('importing a bad file is refused with a clear error and changes nothing', async ({ page }) => {
	await newNotebook(page, 'Keep me');
	await settle(page);
	for (const bad of badNotebooks) {
		await test.step(bad.what, async () => {
			await page.goto('/');
			await expect(page.getByTestId('import-error')).toHaveCount(0);
			await page
				.getByTestId('import-notebook')
				.setInputFiles({ name: bad.name, mimeType: 'application/json', buffer: Buffer.from(bad.content) });
			await expect(page.getByTestId('import-error'), bad.what).toContainText(bad.message);
			await expect(page.getByTestId('notebook-list').locator('li')).toHaveCount(1);
			await expect(page.getByTestId('notebook-list')).toContainText('Keep me');
		});
	}
});
