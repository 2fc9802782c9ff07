import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../types';

/**
 * CORS for the API, only for origins listed in CORS_ORIGINS (comma-separated, exact `scheme://host[:port]`).
 * The SPA is same-origin and needs none; a listed origin (another deployment of the UI, a notebook host) gets
 * its preflight answered without a token, since browsers never send credentials on a preflight. Any other
 * origin gets no CORS headers at all, so the browser keeps the response from it.
 */
const ALLOW_HEADERS = 'authorization, content-type';
const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const EXPOSE_HEADERS =
	'retry-after, etag, content-length, x-edgebook-model, x-edgebook-version, x-edgebook-alias, x-edgebook-route';

export function allowedOrigins(raw: string | undefined): Set<string> {
	return new Set(
		(raw ?? '')
			.split(',')
			.map((o) => o.trim().replace(/\/+$/, ''))
			.filter((o) => o && o !== '*')
	);
}

export const cors = createMiddleware<AppEnv>(async (c, next) => {
	const origin = c.req.header('origin');
	const allowed = origin !== undefined && allowedOrigins(c.env.CORS_ORIGINS).has(origin);
	if (allowed && c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
		return new Response(null, {
			status: 204,
			headers: {
				'access-control-allow-origin': origin,
				'access-control-allow-methods': ALLOW_METHODS,
				'access-control-allow-headers': ALLOW_HEADERS,
				'access-control-max-age': '600',
				vary: 'Origin'
			}
		});
	}
	await next();
	// Every API answer varies by Origin once CORS is on, so a shared cache never serves one origin's to another.
	c.res.headers.append('vary', 'Origin');
	if (allowed) {
		c.res.headers.set('access-control-allow-origin', origin);
		c.res.headers.set('access-control-expose-headers', EXPOSE_HEADERS);
	}
});
