import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.ts';

// Unit tier: plain Node, with the app's Vite config so `$lib` and `.svelte.ts` runes resolve as in the app.
// Worker tests run inside workerd with their own config (vitest.worker.config.ts).
export default mergeConfig(
	viteConfig,
	defineConfig({
		test: {
			environment: 'node',
			include: ['tests/**/*.test.ts'],
			exclude: ['tests/worker/**', 'tests/sync-chaos/**', 'tests/live/**', 'node_modules/**']
		}
	})
);
