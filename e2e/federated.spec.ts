import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { COLUMNS, PENGUINS, PENGUINS_SQL, csvOf } from './penguins';
import {
	addFile,
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
 * Federated training from browsers: a model trained in one notebook is registered; a job starts from it; three
 * browser contexts, each holding a different third of the penguins in its own IndexedDB, join through the job's
 * page, consent, and train three rounds; every round becomes a model version and a run, the edge serves the last
 * one through the alias the job follows, and no request any participant sent carries a value of its rows.
 */

const TOKEN = process.env.EDGEBOOK_ADMIN_TOKEN!;
const auth = { authorization: `Bearer ${TOKEN}` };

/** Client k holds the rows i with i % 3 = k, as CSV with the model's column names. */
const slice = (k: number) => PENGUINS.filter((_, i) => i % 3 === k);

test('three browsers train a registered model in three federated rounds; the edge serves the last; no row leaves them', async ({
	page,
	browser,
	baseURL,
	request
}) => {
	test.setTimeout(300_000);
	await signedIn(page, baseURL!);
	await newNotebook(page, 'Federated penguins');
	await addSample(page, 'penguins');
	await setSql(page, 1, PENGUINS_SQL);
	await runCell(page, 1);
	const t = await addTrainCell(page, {
		source: 'q1',
		target: 'species',
		epochs: 5,
		learningRate: 0.03,
		backend: 'cpu'
	});
	await runTraining(page, t);
	await cell(page, t).getByTestId('run-link').click();
	await page.getByTestId('register-model').getByLabel('model name').fill('penguin-fed');
	await page.getByTestId('register-model').getByRole('button', { name: 'Register model' }).click();
	await expect(page.getByTestId('run-detail').getByRole('status')).toContainText('penguin-fed');
	await expect
		.poll(
			async () => (await request.get('/api/v1/models/penguin-fed/versions/1', { headers: auth })).status(),
			{
				timeout: 60_000
			}
		)
		.toBe(200);
	// The run's files reach the registry with the sync after the version: the job starts from them.
	await expect
		.poll(
			async () => {
				const v = await (
					await request.get('/api/v1/models/penguin-fed/versions/1', { headers: auth })
				).json();
				const files = await request.get(`/api/v1/runs/${v.sourceRunId}/artifacts`, { headers: auth });
				return ((await files.json()).artifacts ?? []).map((a: { name: string }) => a.name).sort();
			},
			{ timeout: 60_000 }
		)
		.toEqual(expect.arrayContaining(['model.json', 'preprocessing.json', 'weights.bin']));

	// The job starts from the Models page: three rounds of three clients, float16 updates, the alias following.
	await page.goto('/models');
	const card = page.locator('[data-testid="model"][data-name="penguin-fed"]');
	const form = card.getByTestId('federate');
	await form.locator('summary').click();
	await expect(form.getByLabel('version to federate')).toHaveValue('1', { timeout: 60_000 });
	await form.getByLabel('rounds').fill('3');
	await form.getByLabel('clients per round').fill('3');
	await form.getByLabel('local epochs').fill('2');
	await form.getByLabel('batch').fill('16');
	await form.getByLabel('learning rate').fill('0.05');
	await form.getByLabel('round deadline (s)').fill('240');
	await form.getByLabel('update encoding').selectOption('float16');
	await form.getByLabel('follow alias').fill('federated');
	await form.getByRole('button', { name: 'Start job' }).click();
	await expect(form.getByTestId('fed-job-state')).toContainText('waiting, round 0 of 3');
	const link = await form.getByTestId('fed-join-link').inputValue();
	const m = /^(https?:\/\/[^/]+)\/fed\/([0-9a-f]{32})#token=(eb_\S+)$/.exec(link);
	expect(m, link).not.toBeNull();
	const job = { id: m![2] };
	const participation = m![3];
	// The job as the API has it: the form's settings.
	const created = await (await request.get(`/api/v1/federated/jobs/${job.id}`, { headers: auth })).json();
	expect(created.settings).toMatchObject({
		modelName: 'penguin-fed',
		version: 1,
		rounds: 3,
		minFitClients: 3,
		minAvailableClients: 3,
		localEpochs: 2,
		batchSize: 16,
		learningRate: 0.05,
		roundDeadlineS: 240,
		updateEncoding: 'float16',
		followAlias: 'federated'
	});

	/** Every /api/ request a participant sent, as it left: method, URL, body bytes and headers. */
	const sent: { who: number; method: string; url: string; body: Buffer; headers: Record<string, string> }[] =
		[];
	const participants: Page[] = [];
	for (let k = 0; k < 3; k++) {
		const context = await browser.newContext({ baseURL });
		const p = await context.newPage();
		p.on('request', (r) => {
			if (new URL(r.url()).pathname.startsWith('/api/'))
				sent.push({
					who: k,
					method: r.method(),
					url: r.url(),
					body: r.postDataBuffer() ?? Buffer.alloc(0),
					headers: r.headers()
				});
		});
		// Not signed in: the link's participation token is all a participant has.
		await p.goto(link.slice(m![1].length));
		await expect(p.getByTestId('fed-job')).toContainText('penguin-fed v1: 3 rounds, fedavg, 2 local epochs');
		// The token left the address bar for the tab's session storage.
		expect(p.url()).toBe(`${baseURL}/fed/${job.id}`);
		await expect(p.getByTestId('fed-encoding')).toContainText('float16');
		if (k === 0) {
			// A table that is not the model's is refused by name before anything is sent.
			await addFile(p, 'wrong.csv', 'a,b\n1,2\n', 'text/csv');
			await expect(p.locator('[data-testid="dataset"][data-name="wrong"]')).toBeVisible({ timeout: 60_000 });
			await p.getByLabel('local table').selectOption('wrong');
			await expect(p.getByTestId('fed-table-problem')).toContainText(
				'wrong lacks "island", "beak_length", "beak_depth", "flipper", "mass", "species"'
			);
			await expect(p.getByRole('button', { name: 'Join' })).toBeDisabled();
		}
		await addFile(p, `slice${k}.csv`, csvOf(slice(k)), 'text/csv');
		await expect(p.locator(`[data-testid="dataset"][data-name="slice${k}"]`)).toBeVisible({
			timeout: 60_000
		});
		await p.getByLabel('local table').selectOption(`slice${k}`);
		await expect(p.getByTestId('fed-table-problem')).toHaveCount(0);
		await expect(p.getByTestId('fed-shared')).toContainText('Never a row of your table');
		await expect(p.getByRole('button', { name: 'Join' })).toBeDisabled();
		await p.getByLabel('I agree to share these').check();
		await p.getByRole('button', { name: 'Join' }).click();
		participants.push(p);
	}

	await expect
		.poll(
			async () =>
				(await (await request.get(`/api/v1/federated/jobs/${job.id}`, { headers: auth })).json()).state,
			{
				timeout: 180_000,
				intervals: [1000]
			}
		)
		.toBe('done');
	const done = await (await request.get(`/api/v1/federated/jobs/${job.id}`, { headers: auth })).json();
	expect(
		done.history.map((h: { round: number; version: number; completed: number }) => [
			h.round,
			h.version,
			h.completed
		])
	).toEqual([
		[1, 2, 3],
		[2, 3, 3],
		[3, 4, 3]
	]);
	// Each round trained on every labelled row the three slices hold between them, less the hold-outs.
	const labelled = PENGUINS.filter((r) => r.Species !== null).length;
	for (const h of done.history) {
		expect(h.examples).toBeGreaterThan(labelled * 0.7);
		expect(h.examples).toBeLessThan(labelled);
		expect(Number.isFinite(h.trainLoss)).toBe(true);
	}
	for (const p of participants) {
		await expect(p.getByTestId('fed-status')).toHaveText('The job is done after round 3.', {
			timeout: 30_000
		});
		await expect(p.getByTestId('fed-rounds').locator('tbody tr')).toHaveCount(3);
	}

	// The Models page that started the job shows its rounds as they finished.
	await expect(form.getByTestId('fed-job-state')).toContainText('done, round 3 of 3', { timeout: 30_000 });
	await expect(form.getByTestId('fed-history').locator('tbody tr')).toHaveCount(3);
	// The rounds are versions on /models and runs on /runs, synced into the first browser.
	await page.goto('/models');
	const model = page.locator('[data-testid="model"][data-name="penguin-fed"]');
	await expect(model.locator('[data-testid="model-version"][data-version="4"]')).toBeVisible({
		timeout: 60_000
	});
	await page.goto('/runs');
	await expect(page.getByText('federated penguin-fed v1').first()).toBeVisible({ timeout: 60_000 });

	// The edge serves the last round through the alias the job followed.
	const res = await request.post('/api/v1/models/penguin-fed/aliases/federated/predict', {
		headers: auth,
		data: {
			dataframe_records: [{ island: 'Biscoe', beak_length: 46.5, beak_depth: 13.5, flipper: 210, mass: 4550 }]
		}
	});
	expect(res.status()).toBe(200);
	expect(res.headers()['x-edgebook-version']).toBe('4');
	expect(['Adelie', 'Chinstrap', 'Gentoo']).toContain((await res.json()).predictions[0].label);

	// The privacy audit: every request a participant sent, against its own rows. Text values (islands, species) must
	// appear nowhere; numeric values nowhere as float32 or float64 bytes; an update is exactly the model's float32
	// parameters, and every JSON it sent (bodies, the update's metadata) holds only the protocol's keys.
	const parameters = (
		await (await request.get(`/api/v1/federated/jobs/${job.id}/weights`, { headers: auth })).body()
	).length;
	const bytesOf = (v: number) => {
		const f32 = Buffer.alloc(4);
		f32.writeFloatLE(v);
		const f64 = Buffer.alloc(8);
		f64.writeDoubleLE(v);
		return [f32, f64];
	};
	const META_KEYS = ['round', 'numExamples', 'trainLoss', 'evalLoss', 'evalAccuracy'];
	// float16 differences from the global model: two bytes a parameter.
	const updateBytes = parameters / 2;
	expect(sent.length).toBeGreaterThan(0);
	// Checked in plain code, one expect at the end: thousands of expect calls cost seconds each hundred.
	const leaks: string[] = [];
	const patterns = new Map<number, { text: string[]; bytes: Buffer[] }>();
	for (const who of [0, 1, 2]) {
		const text = new Set<string>();
		const bytes: Buffer[] = [];
		for (const row of slice(who))
			for (const [, source] of COLUMNS) {
				const v = row[source];
				if (typeof v === 'string') text.add(v);
				else if (typeof v === 'number') bytes.push(...bytesOf(v));
			}
		patterns.set(who, { text: [...text], bytes });
	}
	let updates = 0;
	for (const { who, method, url, body, headers } of sent) {
		// The app's own headers (the browser's, such as its user agent, are not the app's to audit).
		const appHeaders = Object.entries(headers).filter(([h]) => h.startsWith('x-edgebook'));
		const text = `${body.toString('latin1')}\n${JSON.stringify(appHeaders)}`;
		const mine = patterns.get(who)!;
		for (const v of mine.text) if (text.includes(v)) leaks.push(`${method} ${url} carries "${v}"`);
		for (const b of mine.bytes)
			if (body.includes(b)) leaks.push(`${method} ${url} carries a row's number as bytes`);
		const path = new URL(url).pathname;
		// Every call was made with the link's participation token, never a workspace's.
		if (headers.authorization !== `Bearer ${participation}`) leaks.push(`${method} ${path}: another token`);
		if (path.endsWith('/updates')) {
			updates++;
			if (headers['content-type'] !== 'application/octet-stream') leaks.push(`${path}: not octet-stream`);
			if (body.length !== updateBytes)
				leaks.push(`${path}: ${body.length} bytes, not the ${updateBytes} of the weights in float16`);
			const meta = JSON.parse(headers['x-edgebook-fed-meta']) as Record<string, unknown>;
			for (const [key, value] of Object.entries(meta))
				if (key === 'encoding' ? value !== 'float16' : !META_KEYS.includes(key) || typeof value !== 'number')
					leaks.push(`${path}: meta ${key}=${JSON.stringify(value)}`);
		} else if (body.length && body.length > 4096) leaks.push(`${method} ${path} sent ${body.length} bytes`);
	}
	expect(leaks).toEqual([]);
	expect(updates).toBe(9);
});
