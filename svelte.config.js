import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
	preprocess: vitePreprocess(),
	kit: {
		// An SPA: the Worker serves index.html for every non-API path (wrangler's single-page-application mode).
		adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
		// Sample data ships in the vega-datasets package, whose `exports` hide its data folder.
		// Benchmark code lives outside the app library ($lib) and is reached only by the unlinked /bench/* routes.
		alias: { $samples: 'node_modules/vega-datasets/data', $bench: 'src/bench' },
		version: { name: process.env.npm_package_version ?? 'dev' },
		// Registered by the layout (src/lib/offline/register.ts), which also offers a waiting update to the user.
		serviceWorker: { register: false }
	}
};
