/**
 * A small LRU of loaded models per isolate, keyed by the artifact's sha-256. Content-addressed, so one entry can
 * serve every workspace holding those bytes (the route checks blob_refs before it asks). Promises are cached, so
 * concurrent first requests load the model once; a failed load is dropped so the next request tries again.
 */
export class LruCache<V> {
	readonly #max: number;
	readonly #entries = new Map<string, Promise<V>>();

	constructor(max: number) {
		this.#max = max;
	}

	get size(): number {
		return this.#entries.size;
	}

	has(key: string): boolean {
		return this.#entries.has(key);
	}

	getOrLoad(key: string, load: () => Promise<V>, onEvict?: (value: Promise<V>) => void): Promise<V> {
		const hit = this.#entries.get(key);
		if (hit) {
			// Map keeps insertion order: re-inserting marks the entry most recently used.
			this.#entries.delete(key);
			this.#entries.set(key, hit);
			return hit;
		}
		const loading = load();
		this.#entries.set(key, loading);
		loading.catch(() => {
			if (this.#entries.get(key) === loading) this.#entries.delete(key);
		});
		while (this.#entries.size > this.#max) {
			const [oldest, value] = this.#entries.entries().next().value!;
			this.#entries.delete(oldest);
			onEvict?.(value);
		}
		return loading;
	}
}
