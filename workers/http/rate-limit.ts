import { createMiddleware } from 'hono/factory';
import { LIMITS } from '../../src/lib/contract';
import { ApiError } from '../errors';
import type { AppEnv } from '../types';

/**
 * A token bucket per API token, in module scope: per Worker isolate, so a burst spread over many isolates gets
 * more through. That bounds runaway scripts cheaply; a hard global quota would need a Durable Object.
 * RATE_LIMIT_PER_MINUTE (an optional var) overrides LIMITS.requestsPerMinute, so tests can use a small one.
 */
interface Bucket {
	tokens: number;
	at: number;
}

const buckets = new Map<string, Bucket>();
/** Idle buckets are full again anyway; dropping them keeps a long-lived isolate's memory flat. */
const MAX_BUCKETS = 10_000;

export function limitPerMinute(raw: string | undefined): number {
	const n = Number(raw);
	return raw && Number.isInteger(n) && n > 0 ? n : LIMITS.requestsPerMinute;
}

/** Takes one request from the bucket; returns 0 when allowed, else the seconds until one is. */
export function take(key: string, perMinute: number, now = Date.now()): number {
	const rate = perMinute / 60_000;
	const b = buckets.get(key) ?? { tokens: perMinute, at: now };
	b.tokens = Math.min(perMinute, b.tokens + (now - b.at) * rate);
	b.at = now;
	if (buckets.size >= MAX_BUCKETS && !buckets.has(key)) buckets.clear();
	buckets.set(key, b);
	if (b.tokens >= 1) {
		b.tokens -= 1;
		return 0;
	}
	return Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
}

export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
	const perMinute = limitPerMinute((c.env as { RATE_LIMIT_PER_MINUTE?: string }).RATE_LIMIT_PER_MINUTE);
	const wait = take(c.get('caller').tokenId, perMinute);
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
