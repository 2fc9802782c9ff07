import { test, expect } from './fixtures';
import type { Locator } from '@playwright/test';
import {
	addCell,
	addSample,
	addTrainCell,
	cell,
	newNotebook,
	runCell,
	runTraining,
	setSql,
	settle
} from './helpers';

/** Each trial polyline of a parallel-coordinates chart: its trial label, its tooltip and its drawn vertices. */
async function drawnTrials(chart: Locator) {
	return chart.locator('path[aria-label^="trial "]').evaluateAll((paths) =>
		paths.map((p) => ({
			label: p.getAttribute('aria-label') ?? '',
			title: p.querySelector('title')?.textContent ?? '',
			// Plot draws a straight polyline as "Mx,yLx,y…": one vertex per axis, left to right.
			points: [
				...(p.getAttribute('d') ?? '').matchAll(/[ML](-?[\d.]+(?:e[-+]?\d+)?),(-?[\d.]+(?:e[-+]?\d+)?)/g)
			].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }))
		}))
	);
}

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

	const t = await addTrainCell(page, { source: 'q1', target: 'species', epochs: 15, learningRate: 0.03 });
	const train = cell(page, t);
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
	const t = await addTrainCell(page, { source: 'q1', target: 'label', epochs: 5, backend: 'cpu' });
	const train = cell(page, t);
	await train.getByLabel('sweep mode').selectOption('grid');
	await train.getByLabel('sweep space').fill('{"learningRate": [0.05, 0.01, 0.002], "layers": ["8"]}');
	await runTraining(page, t, { timeout: 150_000 });
	const table = train.getByTestId('sweep-trials');
	await expect(table.locator('tbody tr')).toHaveCount(3);
	await expect(table.locator('[data-best="true"]')).toHaveCount(1);
	// Each trial's row shows the values it tried.
	await expect(table.locator('td[data-param="learningRate"]')).toHaveText(['0.05', '0.01', '0.002']);
	await expect(table.locator('td[data-param="layers"]')).toHaveText(['8', '8', '8']);

	// The parallel-coordinates view: an axis per swept key and metric, one polyline per trial, the best one thick.
	const chart = train.getByTestId('sweep-parallel');
	await expect(chart.locator('path[aria-label^="trial "]')).toHaveCount(3);
	await expect(chart.locator('g[aria-description="axis labels"] text')).toHaveText([
		'learningRate',
		'layers',
		'val_loss',
		'test_accuracy'
	]);
	// 0.002…0.05 spans 25×: a log axis; one layers value for every trial: a constant axis, mid-height.
	await expect(chart).toHaveAttribute('data-scales', /^learningRate:log layers:constant val_loss:/);
	await expect(train.getByTestId('sweep-notes')).toHaveCount(0);
	const rowsDrawn = await table.locator('tbody tr').evaluateAll((trs) =>
		trs.map((tr) => {
			const cellText = (k: string) => tr.querySelector(`td[data-metric="${k}"]`)?.textContent ?? '—';
			// The sweep ranks a trial by the val_loss of the weights it kept: its best epoch's when one was restored.
			const kept = cellText('best_val_loss');
			return {
				run: tr.getAttribute('data-run') ?? '',
				best: tr.getAttribute('data-best') === 'true',
				valLoss: Number(kept === '—' ? cellText('val_loss') : kept)
			};
		})
	);
	const bestIndex = rowsDrawn.findIndex((r) => r.best);
	const bestLine = chart.locator('g[aria-description="best trial"] path');
	await expect(bestLine).toHaveCount(1);
	await expect(bestLine).toHaveAttribute('aria-label', `trial ${bestIndex + 1}`);
	await expect(bestLine.locator('title')).toContainText(
		`run ${rowsDrawn[bestIndex].run.slice(0, 10)} ★ best`
	);
	const lines = await drawnTrials(chart);
	expect(lines.map((l) => l.label).sort()).toEqual(['trial 1', 'trial 2', 'trial 3']);
	// Height on the val_loss axis (the third vertex; SVG y grows downwards) orders the trials as their val_loss does.
	const height = (i: number) => -lines.find((l) => l.label === `trial ${i + 1}`)!.points[2].y;
	for (const l of lines) expect(l.points, `${l.label} has a vertex on each axis`).toHaveLength(4);
	for (let i = 0; i < rowsDrawn.length; i++) {
		expect(lines.find((l) => l.label === `trial ${i + 1}`)!.title).toContain(
			`run ${rowsDrawn[i].run.slice(0, 10)}`
		);
		for (let j = 0; j < rowsDrawn.length; j++) {
			if (rowsDrawn[i].valLoss < rowsDrawn[j].valLoss) expect(height(i)).toBeLessThan(height(j));
		}
	}
	const valLosses = rowsDrawn.map((r) => r.valLoss);
	expect(new Set(valLosses).size, 'the trials reached different val_loss values').toBeGreaterThan(1);
	expect(rowsDrawn[bestIndex].valLoss).toBe(Math.min(...valLosses));

	// The sweep's own run page draws the same trials from its child runs.
	const parentId = new URL(
		(await train.getByTestId('run-link').getAttribute('href'))!,
		page.url()
	).searchParams.get('run');
	await page.goto('/runs');
	const rows = page.getByTestId('run-row');
	await expect(rows).toHaveCount(4);
	await page.locator(`[data-testid="run-row"][data-run="${parentId}"] a`).click();
	const onPage = page.getByTestId('run-sweep').getByTestId('sweep-parallel');
	await expect(onPage.locator('path[aria-label^="trial "]')).toHaveCount(3);
	await expect(onPage.locator('g[aria-description="best trial"] path')).toHaveAttribute(
		'aria-label',
		`trial ${bestIndex + 1}`
	);
	await expect(onPage.locator('g[aria-description="best trial"] path title')).toContainText(
		`run ${rowsDrawn[bestIndex].run.slice(0, 10)}`
	);
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
