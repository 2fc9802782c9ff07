import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../types';

/**
 * Headers every Worker response carries (the API in both dialects, /vendor, errors). `nosniff` stops a
 * browser from guessing a type other than the one sent; a JSON answer also gets a CSP that lets nothing run
 * or frame it, should it ever be opened as a page. A route that sets its own (artifact and blob downloads)
 * keeps it. The SPA's own headers come from build/_headers (scripts/spa-headers.mjs).
 */
const JSON_CSP = "default-src 'none'; frame-ancestors 'none'";

export const safeHeaders = createMiddleware<AppEnv>(async (c, next) => {
	await next();
	const headers = c.res.headers;
	try {
		if (!headers.has('x-content-type-options')) headers.set('x-content-type-options', 'nosniff');
		if (
			/^application\/json\b/i.test(headers.get('content-type') ?? '') &&
			!headers.has('content-security-policy')
		)
			headers.set('content-security-policy', JSON_CSP);
	} catch {
		// Immutable headers (a response passed through from the assets binding) already carry their own.
	}
});
