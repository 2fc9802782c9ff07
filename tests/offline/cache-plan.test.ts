import { describe, expect, it } from 'vitest';
import { cacheRole } from '../../src/lib/offline/cache-plan';

describe('what the service worker caches', () => {
	it.each([
		['/', 'shell'],
		['/_app/immutable/entry/start.BpQ1.js', 'shell'],
		['/_app/immutable/assets/0.Dk2.css', 'shell'],
		['/_app/immutable/workers/train.worker-AbC.js', 'shell'],
		['/favicon.svg', 'shell'],
		['/manifest.webmanifest', 'shell'],
		['/_app/immutable/workers/assets/ort-wasm-simd-threaded-DcH.wasm', 'on-first-use'],
		['/_app/immutable/workers/assets/tfjs-backend-wasm-simd-BrM.wasm', 'on-first-use'],
		['/vendor/duckdb/1.32.0/duckdb-eh.wasm', 'on-first-use'],
		['/_app/immutable/assets/penguins.B1x.json', 'on-first-use'],
		['/_app/immutable/assets/flights-3m.C2.parquet', 'on-first-use'],
		['/samples/mnist-digits.arrow', 'on-first-use'],
		['/api/v1/sync/pull', 'network'],
		['/api/2.0/mlflow/runs/get', 'network'],
		['/service-worker.js', 'network'],
		['/_app/version.json', 'network'],
		['/offline-manifest.json', 'network'],
		['/_app/immutable/workers/assets/duckdb-browser-eh.worker-hQa.js', 'shell'],
		['/_app/immutable/workers/chunks/CidJEbgq.js', 'shell'],
		['/nb/abc', 'network']
	] as const)('%s: %s', (path, role) => {
		expect(cacheRole(path)).toBe(role);
	});
});
