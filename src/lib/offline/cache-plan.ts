/**
 * What the service worker does with each path of the app (docs/architecture.md, "Offline"), kept apart from the
 * worker so it is tested as a plain function:
 * - `shell`: precached at install, served from the cache (the built scripts, styles and workers; the icon and
 *   the manifest; index.html under `SHELL_PATH`);
 * - `on-first-use`: cached when first fetched, then served from the cache (the engines' wasm, DuckDB's wasm route,
 *   the sample datasets: ~50 MB that a visit may never need);
 * - `network`: never cached (the registry's API, whose retries sync owns; the worker script and the version file,
 *   which must be fresh to find an update).
 */
export type CacheRole = 'shell' | 'on-first-use' | 'network';

/** The SPA's index.html, as the Worker answers it for `/`. */
export const SHELL_PATH = '/';
/** Every built file, written by scripts/offline-manifest.mjs (the web workers' files are not in `$service-worker`). */
export const MANIFEST_PATH = '/offline-manifest.json';

const FIRST_USE_EXTENSIONS = /\.(wasm|parquet|arrow|csv|json)$/i;

export function cacheRole(path: string): CacheRole {
	if (path === SHELL_PATH) return 'shell';
	if (
		path.startsWith('/api/') ||
		path === '/service-worker.js' ||
		path === '/_app/version.json' ||
		path === MANIFEST_PATH
	)
		return 'network';
	if (path.startsWith('/vendor/')) return 'on-first-use';
	if (FIRST_USE_EXTENSIONS.test(path)) return 'on-first-use';
	if (path.startsWith('/samples/')) return 'on-first-use';
	if (path.startsWith('/_app/')) return 'shell';
	if (path === '/favicon.svg' || path === '/manifest.webmanifest') return 'shell';
	return 'network';
}

/** The caches of one version of the app: the shell, and what it cached on first use. */
export function cacheNames(version: string): { shell: string; runtime: string } {
	return { shell: `edgebook-shell-${version}`, runtime: `edgebook-runtime-${version}` };
}

/**
 * The caches a newly active worker of `version` deletes: every earlier version's, and nothing that is not the
 * app's (another app on the origin may keep its own caches).
 */
export function staleCaches(keys: string[], version: string): string[] {
	const own = cacheNames(version);
	return keys.filter((k) => k.startsWith('edgebook-') && k !== own.shell && k !== own.runtime);
}
