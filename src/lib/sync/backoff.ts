/** Exponential backoff with full jitter, capped (AWS's "full jitter"), honouring a server's Retry-After. */
export const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 30_000;

export function retryDelay(o: {
	attempt: number;
	random: () => number;
	retryAfterMs?: number | null;
	baseMs?: number;
	maxMs?: number;
}): number {
	const base = o.baseMs ?? BASE_DELAY_MS;
	const max = o.maxMs ?? MAX_DELAY_MS;
	const ceiling = Math.min(max, base * 2 ** Math.min(o.attempt, 20));
	// Half fixed, half random: spread out clients that failed together, never hammer with a zero wait.
	const jittered = ceiling / 2 + (o.random() * ceiling) / 2;
	// The server knows when it can take more: wait what it says, plus a little so clients do not return at once.
	if (o.retryAfterMs != null) return o.retryAfterMs + o.random() * 250;
	return jittered;
}
