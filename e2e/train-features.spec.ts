import { test, expect, type Page } from './fixtures';
import { addCell, addSample, cell, newNotebook, runCell, setSql, value } from './helpers';

/**
 * A wide table (MNIST: label + 784 pixel columns p0…p783) in a train cell: features chosen by a pattern or from
 * a bounded list, constant pixels summarised in one warning line, and a CNN that wasm cannot train (no
 * Conv2DBackpropFilter kernel in tfjs-backend-wasm) trained elsewhere with the reason in words.
 */

/** The cell was about 5,900 px tall; everything in it must now fit well within a screen or two. */
const MAX_CELL_HEIGHT = 1200;

async function cellHeight(page: Page, index: number): Promise<number> {
	const box = await cell(page, index).boundingBox();
	if (!box) throw new Error(`cell ${index} is not rendered`);
	return box.height;
}

/** A slice of MNIST as q1 (the first SQL cell's automatic name). */
async function mnistSlice(page: Page, rows: number): Promise<void> {
	await addSample(page, 'mnist');
	await setSql(page, 1, `SELECT * FROM mnist LIMIT ${rows}`);
	await runCell(page, 1);
}

/** Opens the run the train cell links to and reads its params list. */
async function runParams(page: Page, trainIndex: number, keys: string[]): Promise<Record<string, string>> {
	await cell(page, trainIndex).getByTestId('run-link').click();
	const detail = page.getByTestId('run-detail');
	await expect(detail).toBeVisible({ timeout: 15_000 });
	const out: Record<string, string> = {};
	for (const k of keys)
		out[k] = ((await detail.locator(`dt:text-is("${k}") + dd`).textContent()) ?? '').trim();
	return out;
}

test('a train cell on MNIST stays short, selects pixels by pattern and summarises the constant ones', async ({
	page
}) => {
	// Long: a 785-column table makes every step of the page slower on a shared CI machine.
	test.setTimeout(420_000);
	await newNotebook(page, 'Wide digits');
	await mnistSlice(page, 200);

	// What the data checks will find, computed from the data itself: pixel columns with one value in every row.
	const q = await addCell(page, 'SQL');
	await setSql(
		page,
		q,
		'SELECT count(*) AS n FROM (SELECT col FROM (UNPIVOT q1 ON COLUMNS(* EXCLUDE (label)) INTO NAME col VALUE v) ' +
			'GROUP BY col HAVING count(DISTINCT v) = 1 AND count(*) = 200)'
	);
	await runCell(page, q);
	const constant = Number(await value(page, q, 0, 0).textContent());
	expect(constant, 'a 200-digit slice of MNIST has blank border pixels').toBeGreaterThan(3);

	const t = await addCell(page, 'Train');
	const train = cell(page, t);
	await train.getByLabel('training data').selectOption('q1');
	await train.getByLabel('target column').selectOption('label');
	await train.getByLabel('layers').fill('8');
	await train.getByLabel('epochs').fill('2');
	await train.getByLabel('backend').selectOption('cpu');

	// The default is every column but the target, as before.
	await expect(train.getByTestId('feature-count')).toHaveText('784 of 785 columns');

	// Pick: the 784 checkboxes live in a bounded, scrollable list, and search + select none act on what is shown.
	await train.getByLabel('feature selection').selectOption('pick');
	const list = train.getByTestId('feature-list');
	await expect(list.getByRole('checkbox')).toHaveCount(784);
	expect(await cellHeight(page, t)).toBeLessThan(MAX_CELL_HEIGHT);
	const listBox = await list.boundingBox();
	expect(listBox!.height).toBeLessThan(300);
	await train.getByLabel('search features').fill('p78');
	await expect(list.getByRole('checkbox')).toHaveCount(5); // p78, p780 … p783
	await train.getByRole('button', { name: 'select none shown' }).click();
	await expect(train.getByTestId('feature-count')).toHaveText('779 of 785 columns');

	// A pattern that matches nothing is named, live and as the cell's error when run; the notebook keeps working.
	await train.getByLabel('feature selection').selectOption('pattern');
	await train.getByLabel('feature pattern').fill('px*');
	await expect(train.getByTestId('feature-error')).toContainText('"px*" matches none');
	await runCell(page, t, { expect: 'error' });
	await expect(train.getByTestId('cell-error')).toHaveAttribute('data-error-name', 'FeatureSelectionError');
	await expect(train.getByTestId('cell-error')).toContainText('"px*"');

	await train.getByLabel('feature pattern').fill('p*');
	await expect(train.getByTestId('feature-count')).toHaveText('784 of 785 columns');
	await runCell(page, t);
	await expect(train.getByTestId('train-result')).toHaveAttribute('data-status', 'finished');
	await expect(train.getByTestId('train-features')).toHaveAttribute('data-count', '784');

	// One summary line for the constant pixels, with the count the data gives; the full list one click away.
	const groups = train.getByTestId('warning-group');
	await expect(groups).toHaveCount(1);
	await expect(groups).toHaveAttribute('data-count', String(constant));
	await expect(groups.locator('summary')).toContainText(`${constant} features are constant`);
	await expect(groups.locator('li')).toHaveCount(constant);
	await expect(groups.locator('li').first()).toBeHidden();
	expect(await cellHeight(page, t)).toBeLessThan(MAX_CELL_HEIGHT);
	await groups.locator('summary').click();
	await expect(groups.locator('li').first()).toBeVisible();

	expect(await runParams(page, t, ['feature_count', 'feature_selection'])).toEqual({
		feature_count: '784',
		feature_selection: 'pattern p*'
	});
});

test('a CNN forced onto wasm, which has no kernel for its weight gradient, trains elsewhere and says so', async ({
	page
}) => {
	test.setTimeout(420_000);
	await newNotebook(page, 'Digits on wasm');
	await mnistSlice(page, 100);
	const t = await addCell(page, 'Train');
	const train = cell(page, t);
	await train.getByLabel('training data').selectOption('q1');
	await train.getByLabel('target column').selectOption('label');
	await train.getByLabel('model').selectOption('cnn');
	await train.getByLabel('layers').fill('2');
	await train.getByLabel('image shape').fill('28x28x1');
	await train.getByLabel('epochs').fill('1');
	await train.getByLabel('backend').selectOption('wasm');
	await train.getByRole('button', { name: /Run/ }).click();
	await expect(train).toHaveAttribute('data-status', /done|error/, { timeout: 300_000 });
	await expect(train.getByTestId('train-result')).toHaveAttribute('data-status', 'finished');

	const note = ((await train.getByTestId('train-backend-note').textContent()) ?? '').trim();
	const m =
		/^⚠ wasm could not run this model \(no kernel for Conv2DBackpropFilter\); trained on (\w+) instead$/.exec(
			note
		);
	expect(m, note).not.toBeNull();
	const used = m![1];
	expect(used).not.toBe('wasm');
	await expect(train.getByTestId('train-result').locator('b').first()).toHaveText(used);

	// The run records what was asked for and where it really trained.
	const params = await runParams(page, t, ['backend_preference']);
	expect(params.backend_preference).toBe('wasm');
	await expect(page.getByTestId('run-backend')).toContainText(new RegExp(`^\\s*${used} — `));
});
