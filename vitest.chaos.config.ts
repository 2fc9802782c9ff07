import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.ts';

// The sync fault-injection test: the real Worker under wrangler dev behind a misbehaving proxy. Slow (it starts
// and restarts the registry), so it has its own tier after the build rather than living with the unit tests.
export default mergeConfig(
	viteConfig,
	defineConfig({
		test: {
			environment: 'node',
			// tests/live: the write path under contention and downloads, against the same real Worker.
			include: ['tests/sync-chaos/**/*.test.ts', 'tests/live/**/*.test.ts'],
			testTimeout: 150_000,
			hookTimeout: 90_000
		}
	})
);
