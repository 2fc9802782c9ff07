import { test, expect, expectCspBlock } from './fixtures';
import { addTrainCell, cell, newNotebook, runCell, runTraining, setSql, signIn } from './helpers';

/** Bad input around the registry: each case names what is wrong, and nothing the user had is lost. */

const TOKEN = process.env.EDGEBOOK_ADMIN_TOKEN!;

const signInCases = [
	{
		what: 'an unknown token',
		url: (base: string) => base,
		token: 'eb_AAAAAAAAAAAAAAAA_' + 'x'.repeat(43),
		error: /unknown or revoked/
	},
	{
		what: 'a token that is not a bearer token at all',
		url: (base: string) => base,
		token: 'hunter2',
		error: /unknown or revoked/
	},
	{
		what: 'a web server that is not a registry',
		url: (base: string) => `${base}/not-here`,
		token: TOKEN,
		error: /is not an Edgebook registry/
	},
	{
		what: 'nothing listening at the URL',
		url: () => 'http://127.0.0.1:9',
		token: TOKEN,
		error: /did not answer/,
		// Another origin than the app's: the CSP blocks the request before the network (connect-src).
		blocked: /127\.0\.0\.1:9\/api\/v1\/me/
	}
];

for (const c of signInCases) {
	test(`signing in with ${c.what} says so and stays signed out`, async ({ page, baseURL }) => {
		if (c.blocked) expectCspBlock(c.blocked);
		await signIn(page, { url: c.url(baseURL!), token: c.token });
		await expect(page.getByTestId('sign-in-error')).toContainText(c.error, { timeout: 20_000 });
		await expect(page.getByTestId('sync-indicator')).toHaveAttribute('data-state', 'signed-out');
		await expect(page.getByTestId('sign-in')).toBeVisible();
	});
}

test('a bad model name or alias is refused by name, and the registered model and its aliases stay as they were', async ({
	page,
	baseURL
}) => {
	test.setTimeout(120_000);
	await signIn(page, { url: baseURL! });
	await expect(page.getByTestId('registry-connection')).toBeVisible();
	await newNotebook(page);
	await setSql(page, 1, 'SELECT range % 10 AS x, (range % 2) AS y FROM range(200)');
	await runCell(page, 1);
	const t = await addTrainCell(page, { source: 'q1', target: 'y', epochs: 2, backend: 'cpu' });
	const train = cell(page, t);
	await runTraining(page, t, { timeout: 90_000 });
	await train.getByTestId('run-link').click();

	const form = page.getByTestId('register-model');
	for (const bad of ['../escape', 'name/with/slashes', ' ']) {
		await form.getByLabel('model name').fill(bad);
		await form.getByRole('button', { name: 'Register model' }).click();
		await expect(page.getByTestId('run-detail').getByRole('alert')).toContainText(/model name/i);
	}
	await form.getByLabel('model name').fill('good-model');
	await form.getByRole('button', { name: 'Register model' }).click();
	await expect(page.getByTestId('run-detail').getByRole('status')).toContainText('good-model');

	await page.goto('/models');
	const model = page.locator('[data-testid="model"][data-name="good-model"]');
	await model.getByLabel('alias', { exact: true }).fill('champion');
	await model.getByRole('button', { name: 'Promote' }).click();
	await expect(model.getByTestId('aliases')).toContainText('@champion');
	for (const [alias, error] of [
		['latest', /latest/],
		['v2', /version/],
		['has space', /letters, digits/]
	] as const) {
		await model.getByLabel('alias', { exact: true }).fill(alias);
		await model.getByRole('button', { name: 'Promote' }).click();
		await expect(model.getByRole('alert')).toContainText(error);
	}
	await expect(model.getByTestId('aliases')).toHaveText(/@champion/);
	await expect(model.getByTestId('aliases').locator('li')).toHaveCount(1);
	await expect(page.getByTestId('sync-indicator')).toHaveAttribute('data-state', 'synced', {
		timeout: 30_000
	});
});
