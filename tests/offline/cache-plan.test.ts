import { describe, expect, it } from 'vitest';
import { cacheNames, cacheRole, staleCaches } from '../../src/lib/offline/cache-plan';

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

describe('what a new version of the worker deletes when it takes over', () => {
	it("every earlier version's caches, its own kept, and no other app's", () => {
		const keys = [
			...Object.values(cacheNames('100')),
			...Object.values(cacheNames('200')),
			'edgebook-runtime-050',
			'another-app-cache',
			'edgebookish'
		];
		expect(staleCaches(keys, '200')).toEqual([
			'edgebook-shell-100',
			'edgebook-runtime-100',
			'edgebook-runtime-050'
		]);
		expect(staleCaches(Object.values(cacheNames('200')), '200')).toEqual([]);
	});

	it('names both caches by the version, so a new build never reads an old one', () => {
		expect(cacheNames('1764.5')).toEqual({
			shell: 'edgebook-shell-1764.5',
			runtime: 'edgebook-runtime-1764.5'
		});
	});
});
