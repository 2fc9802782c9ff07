import { defineConfig } from '@playwright/test';

// e2e/global-setup.ts starts the real app (wrangler dev with the built SPA) on a free port before any worker
// starts, and sets EDGEBOOK_URL; workers are spawned afterwards and re-read this file, so they see it.
const baseURL = process.env.EDGEBOOK_URL;

export default defineConfig({
	testDir: 'e2e',
	globalSetup: './e2e/global-setup.ts',
	// One browser at a time: CI has 2 cores and wrangler + Chromium already fill them.
	workers: 1,
	fullyParallel: false,
	// One retry, reported as "flaky" so it is seen: two known flakes are not fixed yet (train.spec's run link after
	// a reload; a Parquet load in formats.spec that stalls after reading every byte), and until they are,
	// failOnFlakyTests would fail CI on a race with a busy machine rather than on a broken journey. Turn it on
	// (failOnFlakyTests: true) once they are fixed.
	retries: 1,
	failOnFlakyTests: false,
	reporter: 'list',
	timeout: 60_000,
	use: {
		baseURL,
		headless: true,
		screenshot: 'only-on-failure',
		trace: 'retain-on-failure',
		launchOptions: {
			// Debian's Chromium (scripts/ensure-chromium.mjs), never a downloaded one.
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: [
				'--no-sandbox',
				// The network is closed: stop Chromium's own background calls.
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run',
				// Gives headless Chromium a (SwiftShader) WebGPU adapter; without it requestAdapter() is null.
				'--enable-unsafe-webgpu'
			]
		}
	},
	projects: [{ name: 'chromium' }]
});
