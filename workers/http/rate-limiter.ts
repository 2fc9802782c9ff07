import { DurableObject } from 'cloudflare:workers';

/** A token bucket: `tokens` left at time `at` (ms). */
export interface Bucket {
	tokens: number;
	at: number;
}

/**
 * Takes one request from the bucket, refilled at `perMinute` a minute up to `perMinute`; returns 0 when allowed,
 * else the whole seconds until one is. Pure, so the refill arithmetic is tested without waiting.
 */
export function takeFrom(b: Bucket, perMinute: number, now: number): number {
	const rate = perMinute / 60_000;
	b.tokens = Math.min(perMinute, b.tokens + Math.max(0, now - b.at) * rate);
	b.at = now;
	if (b.tokens >= 1) {
		b.tokens -= 1;
		return 0;
	}
	return Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
}

/**
 * One API token's request budget, shared by every isolate and location: the Worker addresses one instance per
 * token (idFromName(tokenId)), and a Durable Object runs one request at a time, so the count is exact. The bucket
 * lives in memory: an evicted instance comes back full, which only ever errs towards letting a client through
 * after it has been idle. Why a Durable Object and not the rate-limiting binding: docs/registry.md.
 */
export class RateLimiter extends DurableObject {
	#bucket: Bucket | null = null;

	/** Called once per request by workers/http/rate-limit.ts; the limit travels with it so a var changes it at once. */
	take(perMinute: number): number {
		const now = Date.now();
		this.#bucket ??= { tokens: perMinute, at: now };
		return takeFrom(this.#bucket, perMinute, now);
	}
}
