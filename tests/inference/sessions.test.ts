import { describe, expect, it } from 'vitest';
import { LruCache } from '../../workers/inference/sessions';

describe('LruCache (inference sessions per isolate)', () => {
	it('loads once per key, even for concurrent first requests', async () => {
		const cache = new LruCache<string>(2);
		let loads = 0;
		const load = async () => `model ${++loads}`;
		const [a, b] = await Promise.all([cache.getOrLoad('x', load), cache.getOrLoad('x', load)]);
		expect([a, b, loads]).toEqual(['model 1', 'model 1', 1]);
	});

	it('evicts the least recently used, and tells the caller so it can release it', async () => {
		const cache = new LruCache<string>(2);
		const evicted: string[] = [];
		const onEvict = (v: Promise<string>) => void v.then((s) => evicted.push(s));
		await cache.getOrLoad('a', async () => 'A', onEvict);
		await cache.getOrLoad('b', async () => 'B', onEvict);
		await cache.getOrLoad('a', async () => 'A again', onEvict); // a is now the most recent
		await cache.getOrLoad('c', async () => 'C', onEvict);
		await Promise.resolve();
		expect(evicted).toEqual(['B']);
		expect([cache.has('a'), cache.has('b'), cache.has('c'), cache.size]).toEqual([true, false, true, 2]);
	});

	it('forgets a failed load so the next request tries again', async () => {
		const cache = new LruCache<string>(2);
		await expect(cache.getOrLoad('x', () => Promise.reject(new Error('bad bytes')))).rejects.toThrow();
		expect(cache.has('x')).toBe(false);
		expect(await cache.getOrLoad('x', async () => 'ok')).toBe('ok');
	});
});
