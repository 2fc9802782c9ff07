import { expect, test } from './fixtures';

// Throwaway smoke test for the e2e harness itself (server start, baseURL, Chromium); journeys replace it.
test('the app and its API answer', async ({ page }) => {
	const health = await page.request.get('/api/v1/health');
	expect(health.status()).toBe(200);
	expect(await health.json()).toMatchObject({ status: 'ok', schemaVersion: expect.any(Number) });

	await page.goto('/');
	await expect(page).toHaveTitle(/Edgebook/);
});
