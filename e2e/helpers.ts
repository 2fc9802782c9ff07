import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';

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
export async function runCell(
	page: Page,
	index: number,
	opts: { expect?: CellEnd; timeout?: number } = {}
): Promise<void> {
	const want = opts.expect ?? 'done';
	const c = cell(page, index);
	await c.getByRole('button', { name: /Run/ }).click();
	await expect(c, `cell ${index} should finish running`).toHaveAttribute(
		'data-status',
		/done|error|cancelled/,
		{ timeout: opts.timeout ?? 60_000 }
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
	kind: 'SQL' | 'Train' | 'Evaluate' | 'Predict' | 'ONNX model' = 'SQL'
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

/**
 * Fill the registry's sign-in form and submit it; what follows (signed in, or an error) is the caller's to check.
 * The token defaults to the admin token the e2e setup gave this run's registry (the app's own Worker).
 */
export async function signIn(page: Page, opts: { url: string; token?: string }): Promise<void> {
	await page.goto('/registry');
	await page.getByLabel('registry URL').fill(opts.url);
	await page.getByLabel('API token').fill(opts.token ?? process.env.EDGEBOOK_ADMIN_TOKEN!);
	await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Sign in to this run's registry with the admin token, and wait until the page shows the connection. */
export async function signedIn(page: Page, baseURL: string): Promise<void> {
	await signIn(page, { url: baseURL });
	await expect(page.getByTestId('registry-connection')).toBeVisible();
}

export interface TrainSetup {
	/** A table name: a dataset or a cell result. */
	source: string;
	target: string;
	epochs: number;
	learningRate?: number;
	patience?: number;
	/** cpu needs no file from the server (it trains offline too) and gives the same metrics for the same seed. */
	backend?: 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
}

/** Fill a train cell's form as a user would: data, target, epochs, then what the journey sets beyond that. */
export async function configureTrainCell(page: Page, index: number, setup: TrainSetup): Promise<void> {
	const train = cell(page, index);
	await train.getByLabel('training data').selectOption(setup.source);
	await train.getByLabel('target column').selectOption(setup.target);
	await train.getByLabel('epochs').fill(String(setup.epochs));
	if (setup.patience !== undefined) await train.getByLabel('patience').fill(String(setup.patience));
	if (setup.learningRate !== undefined)
		await train.getByLabel('learning rate').fill(String(setup.learningRate));
	if (setup.backend) await train.getByLabel('backend').selectOption(setup.backend);
}

/** Add a train cell after the last cell and fill its form; returns its index. */
export async function addTrainCell(page: Page, setup: TrainSetup): Promise<number> {
	const t = await addCell(page, 'Train');
	await configureTrainCell(page, t, setup);
	return t;
}

/** Run a train cell until it is done (an error fails here with its text); training takes longer than SQL. */
export async function runTraining(page: Page, index: number, opts: { timeout?: number } = {}): Promise<void> {
	await runCell(page, index, { timeout: opts.timeout ?? 120_000 });
}

/**
 * Train once and read the new run's summary. Waits for a new run (its link changes) so a second call never reads
 * the first run's table, and for the metrics a classifier reports, so two empty tables cannot compare equal.
 */
export async function trainOnce(page: Page, index: number): Promise<Record<string, string>> {
	const train = cell(page, index);
	const link = train.getByTestId('run-link');
	const before = (await link.count()) ? await link.getAttribute('href') : null;
	await runTraining(page, index, { timeout: 90_000 });
	await expect(link).toHaveAttribute('href', /run=/);
	if (before) await expect(link, 'training again should make a new run').not.toHaveAttribute('href', before);
	const rows = train.getByTestId('run-summary').locator('tr[data-metric]');
	// A run whose weights came from an earlier epoch shows that epoch's loss (best_loss) instead of the last one's.
	const summary = train.getByTestId('run-summary');
	await expect(summary.locator('tr[data-metric="test_accuracy"] td')).toHaveText(/\d/);
	await expect(
		summary.locator('tr[data-metric="loss"] td, tr[data-metric="best_loss"] td').first()
	).toHaveText(/\d/);
	const out: Record<string, string> = {};
	for (const r of await rows.all())
		out[(await r.getAttribute('data-metric'))!] = (await r.locator('td').textContent())!;
	return out;
}

/**
 * Take part in a federated job from `page` as a person would: open the job's page, add `csv` as a local table
 * named `table`, pick it, check nothing is missing, agree to share and press Join. The caller signs in first.
 */
export async function joinFederatedJob(page: Page, jobId: string, table: string, csv: string): Promise<void> {
	await page.goto(`/fed/${jobId}`);
	await expect(page.getByTestId('fed-job')).toBeVisible();
	await addFile(page, `${table}.csv`, csv, 'text/csv');
	await expect(page.locator(`[data-testid="dataset"][data-name="${table}"]`)).toBeVisible({
		timeout: 60_000
	});
	await page.getByLabel('local table').selectOption(table);
	await expect(page.getByTestId('fed-table-problem')).toHaveCount(0);
	await expect(page.getByTestId('fed-shared')).toContainText('Never a row of your table');
	await page.getByLabel('I agree to share these').check();
	await page.getByRole('button', { name: 'Join' }).click();
}

/**
 * Register the run a train cell made as a version of `model` (from the run's page) and make it the model's
 * champion (from the Models page), then wait until the registry serves the alias: the sync indicator can read
 * "synced" from before the promotion.
 */
export async function registerChampion(
	page: Page,
	request: APIRequestContext,
	trainCell: number,
	model: string,
	token: string
): Promise<void> {
	await cell(page, trainCell).getByTestId('run-link').click();
	await page.getByTestId('register-model').getByLabel('model name').fill(model);
	await page.getByTestId('register-model').getByRole('button', { name: 'Register model' }).click();
	await expect(page.getByTestId('run-detail').getByRole('status')).toContainText(model);
	await page.goto('/models');
	const row = page.locator(`[data-testid="model"][data-name="${model}"]`);
	await row.getByLabel('alias', { exact: true }).fill('champion');
	await row.getByRole('button', { name: 'Promote' }).click();
	await expect
		.poll(
			async () => {
				const m = await request.get(`/api/v1/models/${encodeURIComponent(model)}`, {
					headers: { authorization: `Bearer ${token}` }
				});
				return m.ok() ? ((await m.json()) as { aliases: Record<string, number> }).aliases.champion : null;
			},
			{ timeout: 60_000 }
		)
		.toBe(1);
}
