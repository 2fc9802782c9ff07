import { test, expect } from './fixtures';
import { addCell, addSample, cell, newNotebook, runCell, setSql, settle } from './helpers';

test('train an MLP on penguins, watch it, evaluate it, and find the run again after a reload', async ({
	page
}) => {
	test.setTimeout(180_000);
	await newNotebook(page, 'Penguin species');
	await addSample(page, 'penguins');
	await setSql(
		page,
		1,
		'SELECT "Species" AS species, "Beak Length (mm)" AS beak_length, "Beak Depth (mm)" AS beak_depth,\n"Flipper Length (mm)" AS flipper, "Body Mass (g)" AS mass, "Island" AS island\nFROM penguins WHERE "Body Mass (g)" IS NOT NULL'
	);
	await runCell(page, 1);

	const t = await addCell(page, 'Train');
	const train = cell(page, t);
	await train.getByLabel('training data').selectOption('q1');
	await train.getByLabel('target column').selectOption('species');
	await train.getByLabel('epochs').fill('15');
	await train.getByLabel('learning rate').fill('0.03');
	await train.getByRole('button', { name: /Run/ }).click();
	await expect(train.getByTestId('train-live')).toBeVisible({ timeout: 60_000 });
	await expect(train).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
	await expect(train.getByTestId('train-backend')).toContainText(/webgpu|webgl|wasm|cpu/);
	// Loss curves on a log scale, with axes that have ticks and a legend naming each curve.
	const loss = train.getByTestId('train-live').getByTestId('curve').first();
	await expect(loss).toHaveAttribute('data-y-scale', 'log');
	await expect(loss.locator('g[aria-label="line"] path')).not.toHaveCount(0);
	await expect(loss.locator('g[aria-label="y-axis tick label"] text').first()).toBeAttached();
	await expect(loss.locator('[class$="-swatch"]')).toHaveText(['loss', 'val loss']);
	const accuracy = Number(await train.locator('[data-metric="test_accuracy"] td').textContent());
	expect(accuracy).toBeGreaterThan(0.85);

	const e = await addCell(page, 'Evaluate');
	const evaluate = cell(page, e);
	await evaluate.getByLabel('model to evaluate').selectOption({ index: 1 });
	await runCell(page, e);
	await expect(evaluate.getByTestId('evaluation-report')).toHaveAttribute('data-task', 'multiclass');
	await expect(evaluate.getByTestId('confusion-matrix')).toContainText('Gentoo');
	// The README's training screenshot: curves, metrics and the evaluation.
	await page.setViewportSize({ width: 1280, height: 1400 });
	await train.scrollIntoViewIfNeeded();
	await page.screenshot({ path: 'docs/training.png' });
	await page.setViewportSize({ width: 1280, height: 720 });

	// Score the model on a table: the whole query result.
	await evaluate.getByLabel('evaluation data').selectOption('q1');
	await runCell(page, e);
	await expect(evaluate.getByTestId('confusion-matrix')).toBeVisible();

	await settle(page);
	await page.reload();
	await expect(cell(page, t).getByTestId('train-result')).toHaveAttribute('data-status', 'finished');
	await expect(cell(page, e).getByTestId('evaluation-report')).toBeVisible();
	await cell(page, t).getByTestId('run-link').click();
	await expect(page).toHaveURL(/\/runs\?run=/);
	await expect(page.getByTestId('run-detail')).toContainText('preprocessing.json');
	await expect(page.getByTestId('run-artifacts')).toContainText('weights.bin');
	await expect(page.getByTestId('run-backend')).toContainText(/webgpu|webgl|wasm|cpu/);
});

test('a small sweep runs its trials as child runs and marks the best; two runs compare side by side', async ({
	page
}) => {
	test.setTimeout(180_000);
	await newNotebook(page, 'Sweep');
	await setSql(
		page,
		1,
		'SELECT x, y, (x + y > 1)::INTEGER AS label FROM (SELECT random() AS x, random() AS y FROM range(300))'
	);
	await runCell(page, 1);
	const t = await addCell(page, 'Train');
	const train = cell(page, t);
	await train.getByLabel('training data').selectOption('q1');
	await train.getByLabel('target column').selectOption('label');
	await train.getByLabel('epochs').fill('5');
	await train.getByLabel('backend').selectOption('cpu');
	await train.getByLabel('sweep mode').selectOption('grid');
	await train.getByLabel('sweep space').fill('{"learningRate": [0.05, 0.01], "layers": ["8"]}');
	await train.getByRole('button', { name: /Run/ }).click();
	await expect(train).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
	await expect(train.getByTestId('sweep-trials').locator('tbody tr')).toHaveCount(2);
	await expect(train.getByTestId('sweep-trials').locator('[data-best="true"]')).toHaveCount(1);
	// Each trial's row shows the values it tried.
	await expect(train.getByTestId('sweep-trials').locator('td[data-param="learningRate"]')).toHaveText([
		'0.05',
		'0.01'
	]);
	await expect(train.getByTestId('sweep-trials').locator('td[data-param="layers"]')).toHaveText(['8', '8']);

	await page.goto('/runs');
	const rows = page.getByTestId('run-row');
	await expect(rows).toHaveCount(3);
	const children = page.locator('[data-testid="run-row"]', { hasText: '↳' });
	await children.nth(0).getByRole('checkbox').check();
	await children.nth(1).getByRole('checkbox').check();
	await page.getByRole('button', { name: /Compare/ }).click();
	await expect(page.getByTestId('param-diff')).toContainText('learning_rate');
	// Overlaid loss curves: one line per run, a legend naming both runs, tooltips with exact values.
	const compared = page.getByTestId('run-compare').getByTestId('curve').first();
	await expect(compared).toHaveAttribute('data-y-scale', 'log');
	await expect(compared.locator('g[aria-label="line"] path')).toHaveCount(2);
	await expect(compared.locator('[class$="-swatch"]')).toHaveCount(2);
	await expect(compared.locator('g[aria-label="dot"] circle title').first()).toContainText('epoch');
});
