/**
 * What a prediction reads of its version (lookup.ts), kept in the isolate for a second. The read is one D1 query,
 * about 2 ms under wrangler dev, as much as the rest of a 1-row prediction's work in the Worker (measured in a
 * workerd test; docs/architecture.md, "The inference service"). The one write path (workers/registry/write.ts)
 * clears it on every write, so in this isolate an alias move, a traffic split or a log setting takes effect with
 * the next request; another isolate sees it within TTL_MS. Only servable rows are kept: a version waiting for its
 * artifact's upload is read again every time.
 */
const TTL_MS = 1000;
/** An isolate serves a handful of models; a flood of distinct names only ever costs the D1 read. */
const MAX_ENTRIES = 256;

const entries = new Map<string, { at: number; value: unknown }>();

export function cached<T>(key: string, now = Date.now()): T | undefined {
	const hit = entries.get(key);
	if (!hit) return undefined;
	if (now - hit.at > TTL_MS) {
		entries.delete(key);
		return undefined;
	}
	return hit.value as T;
}

export function remember(key: string, value: unknown, now = Date.now()): void {
	if (entries.size >= MAX_ENTRIES) entries.clear();
	entries.set(key, { at: now, value });
}

/** Every registry write calls this: nothing read before it is served after it, in this isolate. */
export function forgetServing(): void {
	entries.clear();
}
