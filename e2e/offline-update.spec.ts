import { test, expect } from './fixtures';

/**
 * A new version of the app announces itself instead of swapping code under the open page (docs/architecture.md,
 * "Offline"). The next deploy is stood in for by registering the worker under a new script URL, which the
 * browser installs as a new version even with the same bytes: Playwright cannot rewrite a service worker's own
 * script fetch, and the e2e server serves one build.
 */

test.use({ serviceWorkers: 'allow' });

type Marked = { stillHere?: boolean };

test('a new version waits for "Reload to update" while the page keeps running, then takes over', async ({
	page
}) => {
	test.setTimeout(120_000);
	await page.goto('/');
	await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
	await page.reload();
	await expect
		.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? ''))
		.toMatch(/\/service-worker\.js$/);
	await expect(page.getByTestId('update-banner')).toHaveCount(0);

	await page.evaluate(() => ((window as Marked).stillHere = true));
	await page.evaluate(() =>
		navigator.serviceWorker.register('/service-worker.js?next').then(() => undefined)
	);
	await expect(page.getByTestId('update-banner')).toBeVisible({ timeout: 30_000 });
	// Installed and waiting: the open page still runs the old version's code and worker.
	const waiting = await page.evaluate(async () => {
		const r = await navigator.serviceWorker.getRegistration();
		return {
			waiting: r?.waiting?.scriptURL ?? null,
			controller: navigator.serviceWorker.controller?.scriptURL
		};
	});
	expect(waiting.waiting).toMatch(/\?next$/);
	expect(waiting.controller).toMatch(/\/service-worker\.js$/);
	expect(await page.evaluate(() => (window as Marked).stillHere)).toBe(true);

	await Promise.all([
		page.waitForEvent('load'),
		page.getByRole('button', { name: 'Reload to update' }).click()
	]);
	expect(await page.evaluate(() => (window as Marked).stillHere ?? false)).toBe(false);
	await expect
		.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? ''))
		.toMatch(/\?next$/);
	await expect(page.getByRole('button', { name: 'New notebook' })).toBeVisible();
});
