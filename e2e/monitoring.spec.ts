import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures';
import {
	addSample,
	addTrainCell,
	cell,
	newNotebook,
	runCell,
	runTraining,
	setSql,
	signedIn
} from './helpers';

/**
 * Watching a deployed model: a penguins model trained in the notebook carries its reference profile; an application
 * sends it rows whose body mass has shifted, and their labels later; the monitoring page shows the drift on mass,
 * the traffic, and the accuracy on the labelled rows.
 */

const TOKEN = process.env.EDGEBOOK_ADMIN_TOKEN!;
type Penguin = Record<string, string | number | null>;
const PENGUINS = (
	JSON.parse(
		readFileSync(new URL('../node_modules/vega-datasets/data/penguins.json', import.meta.url), 'utf8')
	) as Penguin[]
).filter((p) => p['Body Mass (g)'] !== null && p['Beak Length (mm)'] !== null);

test('drift on a shifted input, traffic and live accuracy show on the monitoring page', async ({
	page,
	baseURL,
	request
}) => {
	test.setTimeout(240_000);
	await signedIn(page, baseURL!);
	await newNotebook(page, 'Penguins watched');
	await addSample(page, 'penguins');
	await setSql(
		page,
		1,
		'SELECT "Species" AS species, "Island" AS island, "Beak Length (mm)" AS beak_length,\n"Beak Depth (mm)" AS beak_depth, "Flipper Length (mm)" AS flipper, "Body Mass (g)" AS mass\nFROM penguins'
	);
	await runCell(page, 1);
	const t = await addTrainCell(page, {
		source: 'q1',
		target: 'species',
		epochs: 20,
		learningRate: 0.03,
		backend: 'cpu'
	});
	await runTraining(page, t);
	await cell(page, t).getByTestId('run-link').click();
	await expect(page.getByTestId('run-artifacts')).toContainText('reference-profile.json');
	await page.getByTestId('register-model').getByLabel('model name').fill('penguin-watch');
	await page.getByTestId('register-model').getByRole('button', { name: 'Register model' }).click();
	await expect(page.getByTestId('run-detail').getByRole('status')).toContainText('penguin-watch');
	await page.goto('/models');
	const model = page.locator('[data-testid="model"][data-name="penguin-watch"]');
	await model.getByLabel('alias', { exact: true }).fill('champion');
	await model.getByRole('button', { name: 'Promote' }).click();
	await expect(page.getByTestId('sync-indicator')).toHaveAttribute('data-state', 'synced', {
		timeout: 30_000
	});

	// An application's traffic: every fourth real penguin (all species, in the data's proportions), each 1,500 g
	// heavier than it was.
	const sent = PENGUINS.filter((_, i) => i % 4 === 1);
	const N = sent.length;
	const rows = sent.map((p) => ({
		island: p['Island'],
		beak_length: p['Beak Length (mm)'],
		beak_depth: p['Beak Depth (mm)'],
		flipper: p['Flipper Length (mm)'],
		mass: (p['Body Mass (g)'] as number) + 1500
	}));
	const auth = { authorization: `Bearer ${TOKEN}` };
	const res = await request.post('/api/v1/models/penguin-watch/aliases/champion/predict', {
		headers: auth,
		data: { dataframe_records: rows }
	});
	expect(res.status()).toBe(200);
	const answer = (await res.json()) as { predictions: { label: string }[]; predictionIds: string[] };
	const truth = sent.map((p) => p['Species'] as string);
	const correct = answer.predictions.filter((p, i) => p.label === truth[i]).length;
	// The rows are logged (and profiled) from the Worker's waitUntil, a moment after the answer.
	await expect
		.poll(async () => {
			const d = await request.get('/api/v1/models/penguin-watch/drift', { headers: auth });
			return ((await d.json()) as { windows: { rows: number }[] }).windows[0]?.rows ?? 0;
		})
		.toBe(N);
	// The labels come back later, for the first 60 rows only.
	const fb = await request.post('/api/v1/models/penguin-watch/feedback', {
		headers: auth,
		data: { labels: answer.predictionIds.slice(0, 60).map((id, i) => ({ id, label: truth[i] })) }
	});
	expect(fb.status(), await fb.text()).toBe(200);
	expect(await fb.json()).toMatchObject({ accepted: 60 });
	const correctLabelled = answer.predictions.slice(0, 60).filter((p, i) => p.label === truth[i]).length;

	// Plot says in the console when a chart's data does not fit its scales (e.g. one series per point).
	const warnings: string[] = [];
	page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
	await model.getByTestId('monitor-link').click();
	await expect(page).toHaveURL(/\/models\/penguin-watch\/monitor$/);
	const table = page.getByTestId('monitor-windows');
	await expect(table).toBeVisible({ timeout: 30_000 });
	const row = table.locator('tbody tr');
	await expect(row).toHaveCount(1);
	await expect(row.locator('td').nth(1)).toHaveText('v1');
	await expect(row.locator('td').nth(2)).toHaveText(String(N));
	// Mass drifted; the beak, flipper and island (real values) did not.
	const drifted = (await row.getByTestId('drifted-features').textContent())!.split(', ');
	expect(drifted).toContain('mass');
	for (const f of ['beak_length', 'beak_depth', 'flipper', 'island']) expect(drifted).not.toContain(f);
	expect(Number(await row.locator('td').nth(4).textContent())).toBeCloseTo(drifted.length / 6, 2);
	// Accuracy on the 60 labelled rows, exactly as counted here.
	await expect(row.locator('td').nth(5)).toHaveText((correctLabelled / 60).toFixed(3));
	expect(correct).toBeLessThan(N);
	// The charts drew the same totals.
	await expect(page.getByTestId('monitor-traffic')).toHaveAttribute('data-total', String(N));
	await expect(page.getByTestId('monitor-heatmap')).toHaveAttribute('data-cells', '6');
	await expect(page.getByTestId('monitor-heatmap')).toHaveAttribute('data-drifted', String(drifted.length));
	await expect(page.getByTestId('monitor-heatmap').locator('svg').first()).toBeVisible();
	await expect(page.getByTestId('monitor-performance')).toHaveAttribute('data-points', /^[1-9]/);
	expect(warnings.filter((w) => w.startsWith('Warning:'))).toEqual([]);
});
