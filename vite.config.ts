import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// DuckDB's wasm (34 MB) is over Cloudflare's static-file limit, so the Worker serves it from R2 under its version
// (workers/routes/vendor.ts). The path is known at build time, for the data worker and the service worker alike.
const duckdbVersion = (
	JSON.parse(
		readFileSync(new URL('./node_modules/@duckdb/duckdb-wasm/package.json', import.meta.url), 'utf8')
	) as { version: string }
).version;

// In `npm run dev` the Worker (API, DuckDB engine from R2) runs under wrangler on 8787; Vite proxies to it.
const workerOrigin = process.env.EDGEBOOK_WORKER_ORIGIN ?? 'http://127.0.0.1:8787';

export default defineConfig({
	plugins: [sveltekit()],
	// The data worker runs DuckDB in itself through the browser build of its blocking bindings, which the package
	// ships but does not export (src/lib/data/duckdb-browser-blocking.d.ts; docs/architecture.md, "The SQL path").
	resolve: {
		alias: {
			'$duckdb-browser-blocking': fileURLToPath(
				new URL('./node_modules/@duckdb/duckdb-wasm/dist/duckdb-browser-blocking.mjs', import.meta.url)
			)
		}
	},
	define: { __DUCKDB_WASM_PATH__: JSON.stringify(`/vendor/duckdb/${duckdbVersion}/duckdb-eh.wasm`) },
	server: {
		host: '127.0.0.1',
		proxy: { '/api': workerOrigin, '/vendor': workerOrigin }
	},
	preview: { host: '127.0.0.1' },
	worker: { format: 'es' },
	// DuckDB-WASM and parquet-wasm ship their own workers and wasm; pre-bundling breaks their URLs.
	// TF.js loads only inside the train worker, which the dev server's scan does not see: listed here, it is
	// pre-bundled at start instead of on the first training run (which reloads the page mid-run).
	optimizeDeps: {
		exclude: ['@duckdb/duckdb-wasm', 'parquet-wasm'],
		include: [
			'@tensorflow/tfjs-core',
			'@tensorflow/tfjs-layers',
			'@tensorflow/tfjs-backend-cpu',
			'@tensorflow/tfjs-backend-webgl',
			'@tensorflow/tfjs-backend-wasm',
			'@tensorflow/tfjs-backend-webgpu'
		]
	},
	build: { target: 'es2022', chunkSizeWarningLimit: 2048 }
});
