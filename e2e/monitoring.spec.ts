import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect } from './fixtures';
import { PENGUINS_SQL } from './penguins';
import {
	addSample,
	addSqlCell,
	addTrainCell,
	cell,
	newNotebook,
	runCell,
	runTraining,
	setSql,
	signedIn,
	value
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

test('the loop: drift, live accuracy and an alert on the monitoring page; retraining in the notebook promotes only a better model', async ({
	page,
	baseURL,
	request
}, testInfo) => {
	test.setTimeout(420_000);
	// A retry runs against the same server: its own model, so the first try's versions do not count.
	const MODEL = `penguin-watch${testInfo.retry ? `-${testInfo.retry}` : ''}`;
	const TABLE = `drift_${MODEL.replace(/[^A-Za-z0-9]+/g, '_')}`;
	await signedIn(page, baseURL!);
	await newNotebook(page, 'Penguins watched');
	const notebookPage = page.url();
	await addSample(page, 'penguins');
	await setSql(page, 1, PENGUINS_SQL);
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
	await page.getByTestId('register-model').getByLabel('model name').fill(`${MODEL}`);
	await page.getByTestId('register-model').getByRole('button', { name: 'Register model' }).click();
	await expect(page.getByTestId('run-detail').getByRole('status')).toContainText(`${MODEL}`);
	await page.goto('/models');
	const model = page.locator(`[data-testid="model"][data-name="${MODEL}"]`);
	await model.getByLabel('alias', { exact: true }).fill('champion');
	await model.getByRole('button', { name: 'Promote' }).click();
	await expect(page.getByTestId('sync-indicator')).toHaveAttribute('data-state', 'synced', {
		timeout: 30_000
	});
	// The indicator may read "synced" from before the promotion: wait until the registry has the alias.
	await expect
		.poll(
			async () => {
				const m = await request.get(`/api/v1/models/${MODEL}`, {
					headers: { authorization: `Bearer ${TOKEN}` }
				});
				return m.ok() ? ((await m.json()) as { aliases: Record<string, number> }).aliases.champion : null;
			},
			{ timeout: 30_000 }
		)
		.toBe(1);

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
	const res = await request.post(`/api/v1/models/${MODEL}/aliases/champion/predict`, {
		headers: auth,
		data: { dataframe_records: rows }
	});
	expect(res.status()).toBe(200);
	const answer = (await res.json()) as { predictions: { label: string }[]; predictionIds: string[] };
	const truth = sent.map((p) => p['Species'] as string);
	const correct = answer.predictions.filter((p, i) => p.label === truth[i]).length;
	// One request the model cannot take (a mass as text): refused, and counted as the version's error.
	const refused = await request.post(`/api/v1/models/${MODEL}/aliases/champion/predict`, {
		headers: auth,
		data: { dataframe_records: [{ ...rows[0], mass: 'heavy' }] }
	});
	expect(refused.status()).toBe(400);
	// The rows are logged (and profiled) from the Worker's waitUntil, a moment after the answer.
	await expect
		.poll(async () => {
			const d = await request.get(`/api/v1/models/${MODEL}/drift`, { headers: auth });
			const w = ((await d.json()) as { windows: { rows: number; requests: number }[] }).windows[0];
			return [w?.rows ?? 0, w?.requests ?? 0];
		})
		.toEqual([N, 2]);
	// The labels come back later, for the first 60 rows only.
	const fb = await request.post(`/api/v1/models/${MODEL}/feedback`, {
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
	await expect(page).toHaveURL(new RegExp(`/models/${MODEL}/monitor$`));
	const table = page.getByTestId('monitor-windows');
	await expect(table).toBeVisible({ timeout: 30_000 });
	const row = table.locator('tbody tr');
	await expect(row).toHaveCount(1);
	await expect(row.locator('td').nth(1)).toHaveText('v1');
	await expect(row.locator('td').nth(2)).toHaveText('2');
	await expect(row.getByTestId('error-rate')).toHaveText('50.0%');
	await expect(row.locator('td').nth(4)).toHaveText(String(N));
	// Mass drifted; the beak, flipper and island (real values) did not.
	const drifted = (await row.getByTestId('drifted-features').textContent())!.split(', ');
	expect(drifted).toContain('mass');
	for (const f of ['beak_length', 'beak_depth', 'flipper', 'island']) expect(drifted).not.toContain(f);
	expect(Number(await row.locator('td').nth(6).textContent())).toBeCloseTo(drifted.length / 6, 2);
	// Accuracy on the 60 labelled rows, exactly as counted here.
	await expect(row.locator('td').nth(7)).toHaveText((correctLabelled / 60).toFixed(3));
	expect(correct).toBeLessThan(N);
	// The charts drew the same totals.
	await expect(page.getByTestId('monitor-traffic')).toHaveAttribute('data-total', String(N));
	await expect(page.getByTestId('monitor-errors')).toHaveAttribute('data-requests', '2');
	await expect(page.getByTestId('monitor-errors')).toHaveAttribute('data-errors', '1');
	await expect(page.getByTestId('monitor-heatmap')).toHaveAttribute('data-cells', '6');
	await expect(page.getByTestId('monitor-heatmap')).toHaveAttribute('data-drifted', String(drifted.length));
	await expect(page.getByTestId('monitor-heatmap').locator('svg').first()).toBeVisible();
	await expect(page.getByTestId('monitor-performance')).toHaveAttribute('data-points', /^[1-9]/);
	// Mass, reference against now: all N of the window's values, and the training split's.
	await page.getByLabel('feature distribution').selectOption('mass');
	const dist = page.getByTestId('monitor-distribution');
	await expect(dist).toHaveAttribute('data-feature', 'mass');
	await expect(dist).toHaveAttribute('data-current-total', String(N));
	await expect(dist).toHaveAttribute('data-reference-total', /^2[0-9]{2}$/);
	await expect(dist.locator('svg').first()).toBeVisible();
	expect(warnings.filter((w) => w.startsWith('Warning:'))).toEqual([]);

	// An alert on mass with a webhook: a receiver here, as an operator's endpoint would be.
	const got: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
	const hook = createServer((req, res) => {
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			got.push({ headers: req.headers, body });
			res.end('ok');
		});
	});
	await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
	try {
		const secret = 'e2e-webhook-secret-0123456789';
		const alerts = page.getByTestId('alerts');
		const form = alerts.getByTestId('alert-form');
		await form.getByLabel('Name').fill('mass moved');
		await form.getByLabel('kind').selectOption('feature_drift');
		await form.getByLabel('feature').selectOption('mass');
		await form.getByLabel('Min rows').fill('10');
		await form
			.getByLabel('webhook url')
			.fill(`http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`);
		await form.getByLabel('webhook secret').fill(secret);
		await form.getByLabel('Retrain when it fires').check();
		await form.getByRole('button', { name: 'Add rule' }).click();
		await expect(alerts.getByTestId('alert-rules')).toContainText('One feature drifts: mass');
		// A rule the registry refuses names why, and the rules stay as they were.
		await form.getByLabel('Name').fill('too fast');
		await form.getByLabel('kind').selectOption('drift_share');
		await form.getByLabel('Retrain when it fires').uncheck();
		await form.getByLabel('threshold').fill('2');
		await form.getByRole('button', { name: 'Add rule' }).click();
		await expect(alerts.getByRole('alert')).toContainText('a drift_share threshold is a share from 0 to 1');
		await expect(alerts.getByTestId('alert-rules').locator('li')).toHaveCount(1);

		await form.getByRole('button', { name: 'Check now' }).click();
		const fired = alerts.getByTestId('alert-events').locator('tr[data-rule="mass moved"]');
		await expect(fired).toHaveCount(1);
		await expect(fired).toContainText('v1: "mass" drifted');
		await expect(fired.getByTestId('delivery')).toHaveText('delivered (1 attempt)');
		expect(got).toHaveLength(1);
		const sig = String(got[0].headers['x-edgebook-signature']);
		const t = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig)!;
		expect(t[2]).toBe(createHmac('sha256', secret).update(`${t[1]}.${got[0].body}`).digest('hex'));
		expect(JSON.parse(got[0].body)).toMatchObject({
			type: 'alert.fired',
			event: { ruleName: 'mass moved', model: `${MODEL}`, version: 1, kind: 'feature_drift' }
		});
		await expect(fired).toContainText('Retraining: rt_');
	} finally {
		hook.close();
	}

	// The alert opened a retraining task; the notebook that trained the champion offers to take it.
	const champion = async () =>
		(
			(await (await request.get(`/api/v1/models/${MODEL}`, { headers: auth })).json()) as {
				aliases: Record<string, number>;
			}
		).aliases.champion;
	await page.reload();
	const tasks = page.getByTestId('retrain-tasks');
	await expect(tasks.locator('tr[data-state="pending"]')).toHaveCount(1);
	await expect(tasks.locator('tr[data-state="pending"]')).toContainText('alert');
	await page.goto(notebookPage);
	const banner = page.getByTestId('retrain-banner');
	await expect(banner).toContainText(`${MODEL} asks for retraining (alert`);

	// Negative: retrained on the same data, the challenger is no better on the labelled predictions; nothing moves.
	await banner.getByRole('button', { name: 'Retrain here' }).click();
	const result = page.getByTestId('retrain-result');
	await expect(result).toHaveAttribute('data-state', 'rejected', { timeout: 120_000 });
	await expect(result).toContainText('Not better: @champion stays on v1.');
	await expect(result).toContainText('Keep the champion');
	expect(await champion()).toBe(1);

	// The world changed: the notebook's data now has the heavier penguins. Retraining is asked for by hand.
	await setSql(
		page,
		1,
		'SELECT "Species" AS species, "Island" AS island, "Beak Length (mm)" AS beak_length,\n"Beak Depth (mm)" AS beak_depth, "Flipper Length (mm)" AS flipper, "Body Mass (g)" + 1500 AS mass\nFROM penguins'
	);
	await runCell(page, 1);
	// Through the app's own links: the notebook saves the edit as it closes (a hard navigation could cut the save).
	await page.getByRole('link', { name: 'Models', exact: true }).click();
	await model.getByTestId('monitor-link').click();
	const panel = page.getByTestId('retrain-panel');
	await panel.getByLabel('Reason').fill('heavier penguins');
	await panel.getByRole('button', { name: 'Ask for retraining' }).click();
	await expect(panel.getByTestId('retrain-note')).toContainText('Opened rt_');
	await page.goto(notebookPage);
	await expect(banner).toContainText(`${MODEL} asks for retraining (manual: heavier penguins)`);
	await banner.getByRole('button', { name: 'Retrain here' }).click();
	await expect(result).toHaveAttribute('data-state', 'canary', { timeout: 120_000 });
	await expect(result).toContainText('Better: v3 now takes 10% of @champion as a canary.');
	await expect(result).toContainText('Promote');
	expect(await champion()).toBe(1);

	// The canary ends (by hand here; the Cron Trigger ends it after its hour): no live numbers contradict the gate.
	await page.goto(`/models/${MODEL}/monitor`);
	await panel.locator('tr[data-state="canary"]').getByRole('button', { name: 'End canary now' }).click();
	await expect(panel.locator('tr[data-state="promoted"]')).toHaveCount(1);
	await expect(panel.locator('tr[data-state="rejected"]')).toHaveCount(1);
	expect(await champion()).toBe(3);
	const served = await request.post(`/api/v1/models/${MODEL}/aliases/champion/predict`, {
		headers: auth,
		data: { dataframe_records: rows.slice(0, 2) }
	});
	expect((await served.json()).version).toBe(3);

	// The drift report opens in the notebook as a table, for more SQL.
	await page.goto(notebookPage);
	const loader = page.getByTestId('load-prediction-log');
	await loader.getByLabel('model whose predictions to load').fill(`${MODEL}`);
	await loader.getByRole('button', { name: 'Drift report' }).click();
	await expect(page.locator(`[data-testid="dataset"][data-name="${TABLE}"]`)).toBeVisible({
		timeout: 60_000
	});
	const q = await addSqlCell(page);
	await setSql(
		page,
		q,
		`SELECT count(*) AS n, max(rows) AS predictions, string_agg(feature, ',' ORDER BY feature) FILTER (WHERE drifted) AS which FROM ${TABLE} WHERE version = 1`
	);
	await runCell(page, q);
	expect(await Promise.all([0, 1, 2].map((c) => value(page, q, 0, c).textContent()))).toEqual([
		'6',
		String(N),
		'mass,prediction'
	]);
});
