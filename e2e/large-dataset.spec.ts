import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { addFile, cell, newNotebook, runCell, setSql, settle, value } from './helpers';

// Just over the 8 MiB from which a dropped file is kept in OPFS rather than IndexedDB
// (src/lib/tracking/datasets.ts, OPFS_MIN_BYTES).
const ROWS = 320_000;
const lines = ['id,grp,v'];
let sum = 0;
for (let i = 0; i < ROWS; i++) {
	const v = (i % 1000) + 0.25;
	sum += v;
	lines.push(`${i},g${String(i % 7).padStart(12, '0')},${v}`);
}
const csv = lines.join('\n') + '\n';
const QUERY = 'SELECT count(*) AS n, sum(v) AS total, count(DISTINCT grp) AS groups FROM big';

/** The files in the app's OPFS datasets folder and the dataset files IndexedDB holds, read from the browser. */
async function storage(page: Page) {
	return page.evaluate(async () => {
		const root = await navigator.storage.getDirectory();
		const opfs: { name: string; size: number }[] = [];
		try {
			const dir = await root.getDirectoryHandle('datasets');
			for await (const [name, handle] of dir.entries())
				if (handle.kind === 'file')
					opfs.push({ name, size: (await (handle as FileSystemFileHandle).getFile()).size });
		} catch {
			// No folder yet: nothing was kept there.
		}
		const idb = await new Promise<{
			ids: string[];
			metas: { id: string; name: string; storedIn?: string }[];
		}>((resolve, reject) => {
			const open = indexedDB.open('edgebook');
			open.onerror = () => reject(open.error);
			open.onsuccess = () => {
				const tx = open.result.transaction(['datasetFiles', 'datasets'], 'readonly');
				const keys = tx.objectStore('datasetFiles').getAllKeys();
				const metas = tx.objectStore('datasets').getAll();
				tx.oncomplete = () => {
					open.result.close();
					resolve({ ids: keys.result.map(String), metas: metas.result });
				};
			};
		});
		return { opfs, ...idb };
	});
}

test('a large dropped file is kept in OPFS, attaches from there after a reload, and leaves with its dataset', async ({
	page
}) => {
	test.setTimeout(120_000);
	await newNotebook(page, 'OPFS dataset');
	await addFile(page, 'big.csv', csv, 'text/csv');
	await expect(page.locator('[data-testid="dataset"][data-name="big"]')).toBeVisible({ timeout: 60_000 });

	const kept = await storage(page);
	const meta = kept.metas.find((m) => m.name === 'big');
	expect(meta?.storedIn).toBe('opfs');
	expect(kept.opfs).toEqual([{ name: meta!.id, size: Buffer.byteLength(csv) }]);
	expect(kept.ids).not.toContain(meta!.id);

	await setSql(page, 1, QUERY);
	await runCell(page, 1);
	const expectRows = async () => {
		await expect(value(page, 1, 0, 0)).toHaveText(String(ROWS));
		await expect(value(page, 1, 0, 2)).toHaveText('7');
		const total = Number((await value(page, 1, 0, 1).innerText()).replace(/,/g, ''));
		expect(total).toBeCloseTo(sum, 0);
	};
	await expectRows();
	await settle(page);

	// A fresh page has a fresh DuckDB: the dataset is attached again, from the OPFS file.
	await page.reload();
	await expect(cell(page, 1)).toBeVisible();
	await runCell(page, 1, { timeout: 90_000 });
	await expectRows();

	await page.getByRole('button', { name: 'Remove big' }).click();
	await expect(page.locator('[data-testid="dataset"][data-name="big"]')).toHaveCount(0);
	await expect.poll(async () => (await storage(page)).opfs, { timeout: 10_000 }).toEqual([]);
	expect((await storage(page)).metas.find((m) => m.name === 'big')).toBeUndefined();
});
