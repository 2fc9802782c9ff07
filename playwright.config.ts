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
	// A pass on retry is still a failure (failOnFlakyTests): a journey that loses a race with a busy machine is
	// waiting on a time rather than on a state, and that is a bug in the test or the app. The one retry stays only
	// to tell the report "flaky" (passes again) from "broken" (fails twice); the run exits non-zero either way.
	retries: 1,
	failOnFlakyTests: true,
	reporter: 'list',
	timeout: 60_000,
	use: {
		baseURL,
		headless: true,
		screenshot: 'only-on-failure',
		trace: 'retain-on-failure',
		// The service worker is tested where it is the subject (e2e/offline.spec.ts allows it): elsewhere the journeys
		// see the network as the page asks for it, and request recording sees every request.
		serviceWorkers: 'block',
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
