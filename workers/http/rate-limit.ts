import { createMiddleware } from 'hono/factory';
import { FED_CLIENT_HEADER, LIMITS } from '../../src/lib/contract';
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

/**
 * Whose bucket a request takes from: the token's; but a participation token is one join link shared by every
 * device of a federated job (each polling its task), so each participant has its own bucket under it — by the
 * client id it sends, or by its address before it has one. A made-up client id only reaches the job's object,
 * which refuses it.
 */
export function bucketOf(caller: { tokenId: string; federatedJob: string | null }, headers: Headers): string {
	if (caller.federatedJob === null) return caller.tokenId;
	const client = /^(c[A-Za-z0-9]{8,64})\./.exec(headers.get(FED_CLIENT_HEADER) ?? '')?.[1];
	const who = client ?? `ip:${headers.get('cf-connecting-ip') ?? 'unknown'}`;
	return `${caller.tokenId}\n${who}`;
}

export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
	const perMinute = limitPerMinute(c.env.RATE_LIMIT_PER_MINUTE);
	const limiter = c.env.RATE_LIMITER;
	let wait = 0;
	try {
		wait = await limiter
			.get(limiter.idFromName(bucketOf(c.get('caller'), c.req.raw.headers)))
			.take(perMinute);
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
			message: c.get('caller').federatedJob
				? `Too many requests from this participant (${perMinute} a minute); retry in ${wait} s.`
				: `Too many requests for this token (${perMinute} a minute); retry in ${wait} s.`,
			details: { limitPerMinute: perMinute, retryAfterSeconds: wait }
		});
	}
	await next();
});
