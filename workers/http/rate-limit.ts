import { createMiddleware } from 'hono/factory';
import { LIMITS } from '../../src/lib/contract';
import { ApiError } from '../errors';
import type { AppEnv } from '../types';

/**
 * One rate limit per API token across every isolate: each request takes from the token's bucket in its
 * RateLimiter Durable Object (workers/http/rate-limiter.ts). Runs after authentication on every authenticated
 * route of both APIs; the MLflow app turns the 429 into REQUEST_LIMIT_EXCEEDED. RATE_LIMIT_PER_MINUTE (an
 * optional var, read per request) overrides LIMITS.requestsPerMinute, so tests and deployments can set their own.
 */
export function limitPerMinute(raw: string | undefined): number {
	const n = Number(raw);
	return raw && Number.isInteger(n) && n > 0 ? n : LIMITS.requestsPerMinute;
}

export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
	const perMinute = limitPerMinute(c.env.RATE_LIMIT_PER_MINUTE);
	const limiter = c.env.RATE_LIMITER;
	let wait = 0;
	try {
		wait = await limiter.get(limiter.idFromName(c.get('caller').tokenId)).take(perMinute);
	} catch (e) {
		// The limiter guards the registry; it must not become the way to break it. When its object cannot be
		// reached (an outage, a reset mid-call), the request goes on unmetered and the operator sees why.
		console.error('rate limiter unavailable; request let through', e);
	}
	if (wait > 0) {
		c.header('retry-after', String(wait));
		throw new ApiError({
			status: 429,
			code: 'rate_limited',
			message: `Too many requests for this token (${perMinute} a minute); retry in ${wait} s.`,
			details: { limitPerMinute: perMinute, retryAfterSeconds: wait }
		});
	}
	await next();
});
