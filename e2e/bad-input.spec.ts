import { test, expect } from './fixtures';
import { readFileSync } from 'node:fs';
import { addFile, addSqlCell, cell, newNotebook, runCell, setSql, value } from './helpers';

const flights = readFileSync('node_modules/vega-datasets/data/flights-3m.parquet');

/** Each bad file must fail with an error that names the problem, and leave the good dataset intact. */
const badFiles: { what: string; name: string; content: Buffer | string; code: RegExp; message: RegExp }[] = [
	{
		what: 'ragged rows',
		name: 'ragged.csv',
		content: 'a,b\n1,2\n3,4,5\n6,7\n',
		code: /CsvFormatError/,
		message: /line 3 has 3 fields, but the header has 2/
	},
	{
		what: 'bad quoting',
		name: 'quotes.csv',
		content: 'a,b\n"1,2\n3,4\n',
		code: /CsvFormatError/,
		message: /quoted field that starts on line 2 is never closed/
	},
	{ what: 'zero-byte file', name: 'zero.csv', content: '', code: /EmptyFile/, message: /empty|0 bytes/i },
	{
		what: 'blank lines only',
		name: 'blank.csv',
		content: '\n\n',
		code: /EmptyData/,
		message: /no header line/i
	},
	{
		what: 'not UTF-8',
		name: 'latin1.csv',
		content: Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x31, 0x2c, 0xe9, 0x0a]),
		code: /Encoding/,
		message: /UTF-8.*line 2/i
	},
	{
		what: 'unknown extension',
		name: 'sheet.xlsx',
		content: 'PK\x03\x04',
		code: /UnsupportedFormat/,
		message: /\.xlsx/
	},
	{
		what: 'huge single line',
		name: 'wide.csv',
		content: 'a\n' + 'x'.repeat(9_000_000) + '\n',
		code: /CsvFormatError/,
		message: /line 2 is 8\.6 MB long/
	},
	{
		what: 'truncated Parquet',
		name: 'cut.parquet',
		content: flights.subarray(0, 100_000),
		code: /ParquetFormatError/,
		message: /truncated|footer|PAR1/i
	},
	{
		what: 'Parquet name, not Parquet',
		name: 'fake.parquet',
		content: 'a,b\n1,2\n',
		code: /ParquetFormatError/,
		message: /Parquet/
	},
	{
		what: 'JSON that is not an array of objects',
		name: 'nums.json',
		content: '[1, 2, 3]',
		code: /JsonFormatError/,
		message: /element 0 is a number; expected an object/
	},
	{
		what: 'JSON cut off mid-way',
		name: 'cut.json',
		content: '[{"a": 1}, {"a": ',
		code: /JsonFormatError/,
		message: /line 1/i
	},
	{
		what: 'NDJSON with a broken line',
		name: 'lines.ndjson',
		content: '{"a":1}\n{"a":\n{"a":3}\n',
		code: /JsonFormatError/,
		message: /line 2/i
	},
	{
		what: 'Arrow name, garbage bytes',
		name: 'junk.arrow',
		content: 'ARROW1 but not really',
		code: /ArrowFormatError/,
		message: /Arrow/
	}
];

// One notebook takes every bad file in turn (a fresh page per file cost 7 s each): each error is dismissed before
// the next file, so every check below reads that file's own error, and the good table must survive all of them.
test('every bad file gets a named error and loses nothing', async ({ page }) => {
	test.setTimeout(180_000);
	await newNotebook(page);
	await addFile(page, 'good.csv', 'id,value\n1,10\n2,20\n');
	await expect(page.locator('[data-testid="dataset"][data-name="good"]')).toBeVisible({ timeout: 60_000 });
	const error = page.getByTestId('dataset-error');
	for (const bad of badFiles) {
		await test.step(bad.what, async () => {
			await addFile(page, bad.name, bad.content);
			await expect(error, bad.what).toBeVisible({ timeout: 60_000 });
			await expect(error, bad.what).toHaveAttribute('data-error-name', bad.code);
			await expect(error, bad.what).toContainText(bad.message);
			await expect(page.getByTestId('dataset'), bad.what).toHaveCount(1);
			await setSql(page, 1, 'SELECT sum(value) AS s FROM good');
			await runCell(page, 1);
			await expect(value(page, 1), bad.what).toHaveText('30');
			await error.getByRole('button', { name: 'Dismiss' }).click();
			await expect(error).toHaveCount(0);
		});
	}
});

test('SQL errors name the problem with line and column, and other cells keep their results', async ({
	page
}) => {
	await newNotebook(page);
	await setSql(page, 1, 'SELECT 7 AS seven');
	await runCell(page, 1);
	const second = await addSqlCell(page);

	const cases: { sql: string; name: RegExp; line?: number; column?: number }[] = [
		{ sql: 'SELECT *\nFORM q1', name: /Parser/, line: 2, column: 6 }, // FORM reads as an alias of *, so q1 is the error
		{ sql: 'SELECT nope FROM q1', name: /Binder/, line: 1, column: 8 },
		{ sql: 'SELECT * FROM missing_table', name: /Catalog/, line: 1, column: 15 },
		{ sql: '', name: /EmptyQuery/ },
		{ sql: "SELECT 'abc'::INTEGER", name: /Conversion/ }
	];
	for (const c of cases) {
		await setSql(page, second, c.sql);
		await runCell(page, second, { expect: 'error' });
		const err = cell(page, second).getByTestId('cell-error');
		await expect(err).toHaveAttribute('data-error-name', c.name);
		if (c.line)
			await expect(err.getByTestId('error-position')).toContainText(`line ${c.line}, column ${c.column}`);
		await expect(value(page, 1)).toHaveText('7');
	}
});

test('a query on a removed dataset says the table is gone', async ({ page }) => {
	await newNotebook(page);
	await addFile(page, 'temp.csv', 'x\n1\n2\n');
	await expect(page.locator('[data-testid="dataset"][data-name="temp"]')).toBeVisible({ timeout: 60_000 });
	await setSql(page, 1, 'SELECT count(*) AS n FROM temp');
	await runCell(page, 1);
	await expect(value(page, 1)).toHaveText('2');
	await page.getByRole('button', { name: 'Remove temp' }).click();
	await expect(page.getByTestId('dataset')).toHaveCount(0);
	await runCell(page, 1, { expect: 'error' });
	await expect(cell(page, 1).getByTestId('cell-error')).toHaveAttribute('data-error-name', /Catalog/);
	await expect(cell(page, 1).getByTestId('cell-error')).toContainText('temp');
});
