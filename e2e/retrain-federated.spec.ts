import { test, expect } from './fixtures';
import { COLUMNS, PENGUINS as ALL, PENGUINS_SQL, csvOf } from './penguins';
import {
	addFile,
	addSample,
	addTrainCell,
	newNotebook,
	registerChampion,
	runCell,
	runTraining,
	setSql,
	signedIn
} from './helpers';

/**
 * Retraining as a federated job, from the monitoring page: the task starts a job from the champion, a participant
 * joins through the join link the page mints and trains on its own table, and the page gates the job's last round
 * against the champion on the model's labelled predictions. Whatever the gate says, the registry does exactly that.
 */

const TOKEN = process.env.EDGEBOOK_ADMIN_TOKEN!;
const auth = { authorization: `Bearer ${TOKEN}` };
const PENGUINS = ALL.filter(
	(p) => p['Body Mass (g)'] !== null && p['Beak Length (mm)'] !== null && p['Species'] !== null
);

test('a federated retraining job from the monitoring page: join link, one round, gated against the champion', async ({
	page,
	browser,
	baseURL,
	request
}, testInfo) => {
	test.setTimeout(300_000);
	const MODEL = `penguin-fedretrain${testInfo.retry ? `-${testInfo.retry}` : ''}`;
	await signedIn(page, baseURL!);
	await newNotebook(page, 'Penguins retrained by a federation');
	await addSample(page, 'penguins');
	await setSql(page, 1, PENGUINS_SQL);
	await runCell(page, 1);
	const t = await addTrainCell(page, {
		source: 'q1',
		target: 'species',
		epochs: 3,
		learningRate: 0.01,
		backend: 'cpu'
	});
	await runTraining(page, t);
	await registerChampion(page, request, t, MODEL, TOKEN);

	// Labelled predictions for the gate: every other penguin, sent and labelled by an application.
	const sent = PENGUINS.filter((_, i) => i % 2 === 0);
	const res = await request.post(`/api/v1/models/${MODEL}/aliases/champion/predict`, {
		headers: auth,
		data: {
			dataframe_records: sent.map((p) => Object.fromEntries(COLUMNS.slice(1).map(([c, s]) => [c, p[s]])))
		}
	});
	expect(res.status()).toBe(200);
	const { predictionIds } = (await res.json()) as { predictionIds: string[] };
	await expect
		.poll(async () => {
			const fb = await request.post(`/api/v1/models/${MODEL}/feedback`, {
				headers: auth,
				data: { labels: predictionIds.map((id, i) => ({ id, label: sent[i]['Species'] })) }
			});
			return fb.ok() ? ((await fb.json()) as { accepted: number }).accepted : 0;
		})
		.toBe(sent.length);

	await page.goto(`/models/${MODEL}/monitor`);
	const panel = page.getByTestId('retrain-panel');
	await panel.getByLabel('retrain mode').selectOption('federated');
	await panel.getByLabel('Rounds').fill('1');
	await panel.getByLabel('Clients per round').fill('1');
	await panel.getByRole('button', { name: 'Ask for retraining' }).click();
	await expect(page.getByTestId('retrain-note')).toContainText('federated job');
	const row = page.getByTestId('retrain-tasks').locator('tbody tr[data-task]');
	await expect(row).toHaveAttribute('data-state', 'claimed');
	await expect(row.locator('td').nth(1)).toHaveText('manual, federated');
	const taskId = (await row.getAttribute('data-task'))!;
	const task = (await (await request.get(`/api/v1/retrain/${taskId}`, { headers: auth })).json()) as {
		federatedJobId: string;
		championVersion: number;
	};
	expect(task.championVersion).toBe(1);
	// Gating before the job is done says why, and changes nothing.
	await row.getByRole('button', { name: 'Gate the last round' }).click();
	await expect(panel.getByRole('alert')).toContainText(`Federated job ${task.federatedJobId} is waiting`);
	await expect(row).toHaveAttribute('data-state', 'claimed');

	await row.getByRole('button', { name: 'Join link' }).click();
	const link = await row.getByTestId('retrain-join-link').inputValue();
	expect(link).toContain(`/fed/${task.federatedJobId}#`);

	// A participant's browser: not signed in, the link's token is all it has; its own rows stay there.
	const context = await browser.newContext({ baseURL });
	const p = await context.newPage();
	await p.goto(link.slice(new URL(link).origin.length));
	await expect(p.getByTestId('fed-job')).toContainText(`${MODEL} v1: 1 rounds`);
	await addFile(p, 'mine.csv', csvOf(PENGUINS.filter((_, i) => i % 2 === 1)), 'text/csv');
	await expect(p.locator('[data-testid="dataset"][data-name="mine"]')).toBeVisible({ timeout: 60_000 });
	await p.getByLabel('local table').selectOption('mine');
	await p.getByLabel('I agree to share these').check();
	await p.getByRole('button', { name: 'Join' }).click();
	await expect
		.poll(
			async () =>
				(await (await request.get(`/api/v1/federated/jobs/${task.federatedJobId}`, { headers: auth })).json())
					.state,
			{ timeout: 120_000, intervals: [1000] }
		)
		.toBe('done');
	await context.close();

	await row.getByRole('button', { name: 'Gate the last round' }).click();
	await expect(row).toHaveAttribute('data-state', /^(canary|rejected)$/, { timeout: 30_000 });
	const gated = (await (await request.get(`/api/v1/retrain/${taskId}`, { headers: auth })).json()) as {
		state: string;
		challengerVersion: number;
		gate: { rows: number; holdout: string; promote: boolean };
	};
	expect(gated.challengerVersion).toBe(2);
	expect(gated.gate).toMatchObject({
		rows: sent.length,
		holdout: 'labelled-log',
		promote: gated.state === 'canary'
	});
	const model = (await (await request.get(`/api/v1/models/${MODEL}`, { headers: auth })).json()) as {
		aliases: Record<string, number>;
	};
	expect(model.aliases.champion).toBe(1);
	const split = await request.get(`/api/v1/models/${MODEL}/aliases/champion/traffic`, { headers: auth });
	// A better round takes the canary's share; a round that is not better moves nothing.
	if (gated.state === 'canary')
		expect(((await split.json()) as { traffic: unknown }).traffic).toEqual({
			canary: { version: 2, percent: 10 }
		});
	else expect(split.status()).toBe(404);
});
