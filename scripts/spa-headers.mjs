// The app page's security headers, appended to build/_headers after `vite build`. Cloudflare's static assets
// apply that file both under `wrangler dev` and when deployed (the Worker never sees asset requests: wrangler.toml
// runs it first only for /api and /vendor). It is generated rather than kept in static/ because script-src names
// SvelteKit's inline bootstrap script by its sha-256, which changes with every build; no other inline script runs.
// See docs/architecture.md (the SPA) and docs/registry.md (the API's own headers).
import { createHash } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the app needs, and nothing else. Each entry says why. */
export const DIRECTIVES = {
	'default-src': ["'self'"],
	// Our bundles; wasm compilation (tfjs-wasm, DuckDB-WASM, onnxruntime-web); SvelteKit's bootstrap by hash.
	'script-src': ["'self'", "'wasm-unsafe-eval'"],
	// Svelte and Observable Plot set style attributes; no script can come in through a style.
	'style-src': ["'self'", "'unsafe-inline'"],
	// Charts are shown as blob: SVG images; sample thumbnails and icons may be data: URLs.
	'img-src': ["'self'", 'data:', 'blob:'],
	// Training, data and DuckDB workers are module or classic scripts from our own origin.
	'worker-src': ["'self'"],
	// The registry API, the engine files under /vendor and the wasm files: all same-origin. A registry on another
	// origin (CORS_ORIGINS on its side) is added at build time with EDGEBOOK_REGISTRY_ORIGINS.
	'connect-src': ["'self'"],
	'object-src': ["'none'"],
	'base-uri': ["'none'"],
	'form-action': ["'self'"],
	// Never framed: no clickjacking (only a header can say this; a <meta> CSP ignores it).
	'frame-ancestors': ["'none'"]
};

/**
 * sha-256 sources for every inline <script> (one without src) in the page.
 * @param {string} html
 */
export function inlineScriptHashes(html) {
	const out = /** @type {string[]} */ ([]);
	for (const m of html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)) {
		if (/\ssrc\s*=/i.test(m[1] ?? '')) continue;
		out.push(`'sha256-${createHash('sha256').update(m[2], 'utf8').digest('base64')}'`);
	}
	return out;
}

/** @param {Record<string, string[]>} directives */
const policy = (directives) =>
	Object.entries(directives)
		.map(([name, sources]) => `${name} ${sources.join(' ')}`)
		.join('; ');

/**
 * Origins listed in EDGEBOOK_REGISTRY_ORIGINS (comma-separated `scheme://host[:port]`), for connect-src.
 * @param {string | undefined} raw
 */
export function registryOrigins(raw) {
	const out = (raw ?? '')
		.split(',')
		.map((o) => o.trim())
		.filter(Boolean);
	for (const o of out)
		if (!/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(o))
			throw new Error(`EDGEBOOK_REGISTRY_ORIGINS: "${o}" is not an origin like https://registry.example.com`);
	return out;
}

/**
 * @param {string} html the built index.html
 * @param {string[]} [extraConnect] other registries' origins
 */
export function contentSecurityPolicy(html, extraConnect = []) {
	return policy({
		...DIRECTIVES,
		'script-src': [...DIRECTIVES['script-src'], ...inlineScriptHashes(html)],
		'connect-src': [...DIRECTIVES['connect-src'], ...extraConnect]
	});
}

/**
 * Two kinds of worker cannot run without evaluating strings: the data worker builds Arrow tables from parsed JSON
 * (apache-arrow compiles each builder's null check with `new Function`) and runs DuckDB-WASM in itself, whose
 * emscripten output runs EM_JS snippets through eval; DuckDB-WASM's own worker, which only the bench's bare
 * engine still starts, does the same. A worker's CSP is the one its script arrives with, so only these files get
 * 'unsafe-eval'; the page and every other worker stay without it. Matched by exact path, since `_headers` splats
 * only match whole trailing segments.
 */
export const EVAL_WORKER = /^(?:data\.worker-[\w-]+|duckdb-browser-[a-z]+\.worker[-.][\w-]+)\.js$/;
/** @param {string[]} [extraConnect] */
export const evalWorkerPolicy = (extraConnect = []) =>
	policy({
		...DIRECTIVES,
		'script-src': [...DIRECTIVES['script-src'], "'unsafe-eval'"],
		'connect-src': [...DIRECTIVES['connect-src'], ...extraConnect]
	});

/**
 * Paths (from the site root) of the files EVAL_WORKER names under `dir`.
 * @param {string} dir
 */
export function evalWorkerPaths(dir) {
	const out = /** @type {string[]} */ ([]);
	for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
		if (!entry.isFile() || !EVAL_WORKER.test(entry.name)) continue;
		const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
		out.push(`/${path}`);
	}
	return out.sort();
}

/**
 * The `_headers` block for every path (the SPA answers every non-API path with index.html), then the workers'.
 * @param {string} html the built index.html
 * @param {string[]} [evalWorkers] paths from evalWorkerPaths
 * @param {string[]} [extraConnect] other registries' origins
 */
export function spaHeadersBlock(html, evalWorkers = [], extraConnect = []) {
	const workers = evalWorkers.flatMap((path) => [
		path,
		'  ! Content-Security-Policy',
		`  Content-Security-Policy: ${evalWorkerPolicy(extraConnect)}`,
		''
	]);
	return [
		'',
		'# Generated by scripts/spa-headers.mjs after the build.',
		'/*',
		`  Content-Security-Policy: ${contentSecurityPolicy(html, extraConnect)}`,
		'  X-Content-Type-Options: nosniff',
		'  Referrer-Policy: no-referrer',
		'  X-Frame-Options: DENY',
		'',
		...workers
	].join('\n');
}

/**
 * What is wrong with a built `_headers` for this index.html (empty when nothing): the deploy check
 * (scripts/check-deploy.mjs) refuses a build whose app page would go out without its policy.
 * @param {string} headers the text of build/_headers
 * @param {string} html the built index.html
 */
export function builtHeadersProblems(headers, html) {
	/** @type {Map<string, string[]>} */
	const rules = new Map();
	let current = null;
	for (const line of headers.split('\n')) {
		if (!line.trim() || line.trim().startsWith('#')) continue;
		if (!/^\s/.test(line)) rules.set((current = line.trim()), []);
		else if (current) rules.get(current)?.push(line.trim());
	}
	const all = rules.get('/*') ?? [];
	const csp = all.find((h) => /^Content-Security-Policy:/i.test(h)) ?? '';
	const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1].split(' ') ?? [];
	const problems = [];
	if (!csp)
		problems.push('build/_headers sets no Content-Security-Policy for /* (run scripts/spa-headers.mjs)');
	else {
		if (!csp.includes("frame-ancestors 'none'")) problems.push("the app's CSP lacks frame-ancestors 'none'");
		for (const h of inlineScriptHashes(html))
			if (!scriptSrc.includes(h)) problems.push(`the app's CSP does not allow its bootstrap script ${h}`);
		for (const loose of ["'unsafe-inline'", "'unsafe-eval'", '*'])
			if (scriptSrc.includes(loose)) problems.push(`the app's script-src allows ${loose}`);
	}
	if (!all.some((h) => /^X-Content-Type-Options:\s*nosniff$/i.test(h)))
		problems.push('build/_headers sets no X-Content-Type-Options: nosniff for /*');
	return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const build = fileURLToPath(new URL('../build/', import.meta.url));
	const html = readFileSync(join(build, 'index.html'), 'utf8');
	if (!inlineScriptHashes(html).length)
		throw new Error('build/index.html has no inline bootstrap script to hash.');
	const workers = evalWorkerPaths(build);
	if (!workers.some((w) => w.includes('/data.worker-')))
		throw new Error('No /data.worker-* under build/: did its name change?');
	const origins = registryOrigins(process.env.EDGEBOOK_REGISTRY_ORIGINS);
	appendFileSync(join(build, '_headers'), spaHeadersBlock(html, workers, origins));
	console.log('build/_headers: CSP and security headers for the app written.');
}
