import { test, expect } from './fixtures';
import { readFileSync } from 'node:fs';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import * as parquet from 'parquet-wasm/esm';
import { addFile, cell, newNotebook, runCell, setSql, value } from './helpers';

// parquet-wasm's node build is CommonJS inside an ESM package, so node cannot load it; its ESM build can be
// initialised synchronously from the wasm bytes instead.
parquet.initSync({ module: readFileSync('node_modules/parquet-wasm/esm/parquet_wasm_bg.wasm') });

const arrowTable = tableFromArrays({ id: Int32Array.from([1, 2, 3]), name: ['ada', 'bob', 'cy'] });
const parquetBytes = Buffer.from(
	parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(arrowTable, 'stream')))
);

/** Every supported format loads into a table that SQL can read. */
const goodFiles: { name: string; content: string | Buffer; table: string; rows: number; sum: string }[] = [
	{ name: 'tabs.tsv', content: 'id\tname\n1\tada\n2\tbob\n3\tcy\n', table: 'tabs', rows: 3, sum: '6' },
	{
		name: 'semicolons.csv',
		content: 'id;name\n1;ada\n2;bob\n3;cy\n',
		table: 'semicolons',
		rows: 3,
		sum: '6'
	},
	{
		name: 'lines.ndjson',
		content: '{"id":1,"name":"ada"}\n{"id":2,"name":"bob"}\n{"id":3}\n',
		table: 'lines',
		rows: 3,
		sum: '6'
	},
	{
		name: 'records.json',
		content: '[{"id":1},{"id":2},{"id":3,"extra":true}]',
		table: 'records',
		rows: 3,
		sum: '6'
	},
	{
		name: 'people.arrow',
		content: Buffer.from(tableToIPC(arrowTable, 'file')),
		table: 'people',
		rows: 3,
		sum: '6'
	},
	{
		name: 'events.arrows',
		content: Buffer.from(tableToIPC(arrowTable, 'stream')),
		table: 'events',
		rows: 3,
		sum: '6'
	},
	{ name: 'small.parquet', content: parquetBytes, table: 'small', rows: 3, sum: '6' }
];

test('every supported format loads, with its schema and fingerprint in the datasets panel', async ({
	page
}) => {
	// Seven loads and seven queries, the first of each starting DuckDB and the last parquet-wasm (40 MB of wasm
	// between them): more than one journey's default budget on a busy machine. Each step keeps its own bound.
	test.setTimeout(150_000);
	await newNotebook(page);
	for (const f of goodFiles) {
		await addFile(page, f.name, f.content);
		const entry = page.locator(`[data-testid="dataset"][data-name="${f.table}"]`);
		await expect(entry, f.name).toContainText(`${f.rows} rows`, { timeout: 30_000 });
		await setSql(page, 1, `SELECT sum(id) AS s FROM "${f.table}"`);
		await runCell(page, 1);
		await expect(value(page, 1), f.name).toHaveText(f.sum);
	}
	await page.getByRole('button', { name: 'Show schema of tabs' }).click();
	await expect(page.locator('[data-name="tabs"]')).toContainText('sha-256');
	await expect(page.locator('[data-name="tabs"]')).toContainText('VARCHAR');
});

test('a file dropped on the page becomes a dataset', async ({ page }) => {
	await newNotebook(page);
	const dataTransfer = await page.evaluateHandle(() => {
		const dt = new DataTransfer();
		dt.items.add(new File(['x,y\n1,2\n3,4\n'], 'dropped.csv', { type: 'text/csv' }));
		return dt;
	});
	await page.locator('.layout').dispatchEvent('dragover', { dataTransfer });
	await page.locator('.layout').dispatchEvent('drop', { dataTransfer });
	await expect(page.locator('[data-testid="dataset"][data-name="dropped"]')).toContainText('2 rows', {
		timeout: 30_000
	});
});

test('a result downloads as CSV and as Parquet', async ({ page }) => {
	await newNotebook(page);
	await setSql(page, 1, "SELECT range AS n, 'r' || range AS label FROM range(1000)");
	await runCell(page, 1);
	const csv = page.waitForEvent('download');
	await cell(page, 1).getByRole('button', { name: 'CSV' }).click();
	const csvText = readFileSync(await (await csv).path(), 'utf8')
		.trim()
		.split('\n');
	expect(csvText[0]).toBe('n,label');
	expect(csvText).toHaveLength(1001);
	expect(csvText[1000]).toBe('999,r999');

	const pq = page.waitForEvent('download');
	await cell(page, 1).getByRole('button', { name: 'Parquet' }).click();
	const bytes = readFileSync(await (await pq).path());
	expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
	expect(tableFromIPC(parquet.readParquet(bytes).intoIPCStream()).numRows).toBe(1000);
});

test('the SQL editor completes table names', async ({ page }) => {
	await newNotebook(page);
	await addFile(page, 'good.csv', 'id,value\n1,10\n');
	await expect(page.locator('[data-testid="dataset"][data-name="good"]')).toBeVisible({ timeout: 30_000 });
	// On a slow CPU (20x, as on a busy CI machine) CodeMirror's parse lags the typing: the tables must still be
	// offered, not only the keywords (src/lib/editor/sql-language.ts).
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Emulation.setCPUThrottlingRate', { rate: 20 });
	await setSql(page, 1, 'SELECT * FROM ');
	await page.keyboard.type('go');
	await expect(page.locator('.cm-tooltip-autocomplete')).toContainText('good', { timeout: 10_000 });
});

test('a dropped-in file is kept in IndexedDB and re-attached after a reload without asking again', async ({
	page
}) => {
	await newNotebook(page);
	await addFile(page, 'kept.csv', 'k,v\na,1\nb,2\nc,3\n');
	await expect(page.locator('[data-testid="dataset"][data-name="kept"]')).toContainText('3 rows', {
		timeout: 30_000
	});
	await page.reload();
	await expect(page.locator('[data-testid="dataset"][data-name="kept"]')).toContainText('3 rows');
	await setSql(page, 1, 'SELECT sum(v) AS s FROM kept');
	await runCell(page, 1);
	await expect(value(page, 1)).toHaveText('6');
});

test('a CSV with only its header loads as an empty table with those columns', async ({ page }) => {
	await newNotebook(page);
	await addFile(page, 'header.csv', 'id,name,price\n');
	const entry = page.locator('[data-testid="dataset"][data-name="header"]');
	await expect(entry).toContainText('0 rows · 3 cols', { timeout: 30_000 });
	await expect(page.getByTestId('dataset-error')).toHaveCount(0);
	await setSql(page, 1, 'SELECT * FROM header');
	await runCell(page, 1);
	await expect(cell(page, 1).getByTestId('row-count')).toHaveText('0 rows');
	await expect(cell(page, 1).locator('[data-testid="result-grid"] .th .td b')).toHaveText([
		'id',
		'name',
		'price'
	]);
});

test('a column read as text because one value is not a number says which value, and on which line', async ({
	page
}) => {
	await newNotebook(page);
	await addFile(page, 'prices.csv', 'item,price\napple,1.5\npear,2\nplum,n/a\nfig,3\n');
	const entry = page.locator('[data-testid="dataset"][data-name="prices"]');
	await expect(entry).toContainText('4 rows', { timeout: 30_000 });
	const notice = entry.getByTestId('dataset-notice');
	await expect(notice).toHaveCount(1);
	await expect(notice).toContainText('"price" was read as text: line 4 has "n/a", which is not a number');
	// The way out it names works.
	await setSql(page, 1, 'SELECT sum(TRY_CAST("price" AS DOUBLE)) AS s FROM prices');
	await runCell(page, 1);
	await expect(value(page, 1)).toHaveText('6.5');
	await page.reload();
	await expect(page.locator('[data-name="prices"]').getByTestId('dataset-notice')).toContainText('line 4');
});
