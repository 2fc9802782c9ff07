import { Hono } from 'hono';
import { ApiError } from '../errors';
import type { AppEnv } from '../types';

// DuckDB-WASM's wasm files are over Cloudflare's 25 MiB static-asset limit, so they live in R2 and are served
// here. Only these names are served: the route must not become a generic window onto the bucket.
const DUCKDB_FILES: Record<string, string> = {
	'duckdb-eh.wasm': 'application/wasm',
	'duckdb-mvp.wasm': 'application/wasm'
};
const VERSION_RE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

// The key holds the version, so a given URL's bytes never change: cache forever.
const IMMUTABLE = 'public, max-age=31536000, immutable';

export const vendor = new Hono<AppEnv>();

// Hono answers HEAD through the GET route (and drops the body); we look at the raw method to skip the read.
vendor.get('/duckdb/:version/:file', async (c) => {
	const { version, file } = c.req.param();
	const contentType = DUCKDB_FILES[file];
	if (!contentType || !VERSION_RE.test(version)) {
		throw new ApiError({ status: 404, code: 'not_found', message: `No vendor file ${version}/${file}` });
	}
	const key = `vendor/duckdb/${version}/${file}`;
	const isHead = c.req.raw.method === 'HEAD';
	const inm = c.req.header('if-none-match');
	// With onlyIf, R2 returns the metadata without a body when If-None-Match matches: one call for both cases.
	// Only that header is passed on, so R2 never withholds the body for a reason we do not check below.
	const onlyIf = inm ? new Headers({ 'if-none-match': inm }) : undefined;
	let object = isHead ? await c.env.ARTIFACTS.head(key) : await c.env.ARTIFACTS.get(key, { onlyIf });
	if (!object) {
		// The operator needs the key and how to seed it; an anonymous caller learns neither (the route is public).
		console.error(
			`/vendor: ${key} is not in the ARTIFACTS bucket. Seed it with \`npm start\` (uploads DuckDB-WASM from ` +
				`node_modules) or \`npx wrangler r2 object put edgebook-artifacts/${key} --file ` +
				`node_modules/@duckdb/duckdb-wasm/dist/${file} --local\`.`
		);
		throw new ApiError({
			status: 503,
			code: 'engine_not_seeded',
			message: 'The SQL engine is not available on this server yet. Ask its operator to seed it.'
		});
	}

	const headers = new Headers({
		'content-type': contentType,
		'cache-control': IMMUTABLE,
		etag: object.httpEtag
	});
	if (ifNoneMatch(inm, object.httpEtag)) return new Response(null, { status: 304, headers });
	// R2 parsed If-None-Match differently from us (rare): fetch the body unconditionally.
	if (!isHead && !hasBody(object)) object = (await c.env.ARTIFACTS.get(key)) ?? object;
	headers.set('content-length', String(object.size));
	return new Response(!isHead && hasBody(object) ? object.body : null, { status: 200, headers });
});

function hasBody(object: R2Object | R2ObjectBody): object is R2ObjectBody {
	return 'body' in object;
}

/** RFC 9110 weak comparison: `*`, a list, or W/ prefixes all count as a match. */
function ifNoneMatch(header: string | undefined, etag: string): boolean {
	if (!header) return false;
	const strip = (t: string) => t.trim().replace(/^W\//, '');
	return header.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
}
