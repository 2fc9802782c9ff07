/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, version } from '$service-worker';
import { cacheNames, cacheRole, MANIFEST_PATH, SHELL_PATH, staleCaches } from '$lib/offline/cache-plan';

/**
 * Offline first (docs/architecture.md, "Offline"): the app shell (every built script, style and worker, and the SPA's
 * index.html) is precached at install, so the app opens with no network; the engines' wasm (DuckDB's route, TF.js's
 * and ONNX Runtime's files) and the sample datasets are cached the first time they are fetched, since they are
 * ~50 MB together; once the first page has loaded it asks for them in the background (`WARM_ENGINES`), so a visit
 * that never queried or trained still leaves an app that does both offline. Both caches carry the version and are deleted when a newer
 * worker takes over. A new worker waits until the page says so (the "reload to update" banner), so code never
 * changes under a running notebook. The registry's API is never cached: sync owns its retries.
 */

const sw = self as unknown as ServiceWorkerGlobalScope;
const { shell: SHELL, runtime: RUNTIME } = cacheNames(version);

/**
 * The built files: SvelteKit's list, and the web workers' files from the build's manifest, read from the network at
 * install (and kept in the shell cache with it), from that cache afterwards.
 */
async function builtFiles(from: 'network' | 'cache'): Promise<string[]> {
	const shell = await caches.open(SHELL);
	let response = from === 'cache' ? await shell.match(MANIFEST_PATH) : undefined;
	if (!response) {
		response = await fetch(MANIFEST_PATH, { cache: 'no-store' });
		if (!response.ok) throw new Error(`${MANIFEST_PATH}: ${response.status}`);
		await shell.put(MANIFEST_PATH, response.clone());
	}
	return [...new Set([SHELL_PATH, ...build, ...files, ...((await response.json()) as string[])])];
}

/** The engines' wasm: fetched into the runtime cache once the page asks (after its first load), not at install. */
async function warmEngines() {
	const cache = await caches.open(RUNTIME);
	const built = await builtFiles('cache').catch(() => [] as string[]);
	const engines = [__DUCKDB_WASM_PATH__, ...built.filter((p) => p.endsWith('.wasm'))];
	for (const path of engines) {
		if (await cache.match(path)) continue;
		try {
			// Not fromCacheOrNetwork: nothing reads this answer, so it goes to the cache whole, where a clone would
			// buffer the 34 MB a second time while the cache write reads the first.
			const response = await fetch(path);
			if (response.status === 200) await cache.put(path, response);
		} catch {
			// Offline or the server is away: the file is cached on its first use instead.
		}
	}
}

sw.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			const shell = (await builtFiles('network')).filter((p) => cacheRole(p) === 'shell');
			await (await caches.open(SHELL)).addAll(shell);
		})()
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of staleCaches(await caches.keys(), version)) await caches.delete(key);
			await sw.clients.claim();
		})()
	);
});

sw.addEventListener('message', (event) => {
	const type = (event.data as { type?: string } | null)?.type;
	if (type === 'SKIP_WAITING') void sw.skipWaiting();
	if (type === 'WARM_ENGINES') event.waitUntil(warmEngines());
});

async function fromCacheOrNetwork(cacheName: string, request: Request): Promise<Response> {
	const cache = await caches.open(cacheName);
	const hit = await cache.match(request, { ignoreSearch: true });
	if (hit) return hit;
	const response = await fetch(request);
	// Only whole answers are kept: a range read or an error must not stand in for the file.
	if (response.status === 200) await cache.put(request, response.clone());
	return response;
}

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;
	if (request.mode === 'navigate') {
		// Every page of the SPA is index.html: the cached one, of this worker's version.
		event.respondWith(
			caches
				.open(SHELL)
				.then((c) => c.match(SHELL_PATH))
				.then((hit) => hit ?? fetch(request))
		);
		return;
	}
	if (request.headers.has('range')) return;
	const role = cacheRole(url.pathname);
	if (role === 'shell') event.respondWith(fromCacheOrNetwork(SHELL, request));
	else if (role === 'on-first-use') event.respondWith(fromCacheOrNetwork(RUNTIME, request));
});
