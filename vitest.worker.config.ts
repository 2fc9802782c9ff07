import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { webhookReceiver } from './tests/worker/webhook-receiver';

// Worker tests run inside workerd with the bindings from wrangler.toml (D1, R2, assets), each test file starting from
// a fresh install's storage (tests/worker/apply-migrations.ts). pool-workers 0.10+ is a Vite plugin (cloudflareTest) rather than defineWorkersConfig/poolOptions.
export default defineConfig(async () => {
	const migrations = await readD1Migrations(fileURLToPath(new URL('./workers/migrations', import.meta.url)));
	return {
		plugins: [
			cloudflareTest({
				wrangler: { configPath: './wrangler.toml' },
				// Test-only binding: the setup file applies the same migration files wrangler applies.
				// FUZZ_SEED (from the shell) replays a fuzz run: tests/worker/fuzz/arbitraries.ts prints each run's seed.
				miniflare: {
					bindings: {
						TEST_MIGRATIONS: migrations,
						EDGEBOOK_ADMIN_TOKEN: 'test-admin-token',
						FUZZ_SEED: process.env.FUZZ_SEED ?? '',
						// Batch jobs score 5 rows per chunk here, so a test's small file spans several alarms.
						BATCH_CHUNK_ROWS: '5',
						// Alert webhook retries are due at once here: a test runs each attempt with the object's alarm.
						WEBHOOK_RETRY_BASE_MS: '0'
					},
					// The Worker's outbound fetches: http://webhook.test/* is a webhook receiver the alert tests read back
					// (tests/worker/webhook-receiver.ts); nothing else leaves the sandbox.
					outboundService: webhookReceiver
				}
			})
		],
		test: {
			include: ['tests/worker/**/*.test.ts'],
			setupFiles: ['tests/worker/apply-migrations.ts'],
			// One workerd for every file instead of one per file (300 s → 90 s on 2 cores); the setup file gives each
			// file a fresh install's storage, so files still never see each other's rows.
			isolate: false
		}
	};
});
