import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, testEnv, type ErrorJson } from './helpers';

const VERSION = '1.32.0';
const PATH = `/vendor/duckdb/${VERSION}/duckdb-eh.wasm`;
const KEY = `vendor/duckdb/${VERSION}/duckdb-eh.wasm`;
// The wasm magic number and version: enough to prove the bytes come back untouched.
const BYTES = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

async function seed(): Promise<string> {
	const object = await testEnv.ARTIFACTS.put(KEY, BYTES);
	return object!.httpEtag;
}

afterEach(async () => {
	await testEnv.ARTIFACTS.delete(KEY);
});

describe('/vendor/duckdb/:version/:file', () => {
	it('streams a seeded file with wasm type, immutable caching and an ETag', async () => {
		const etag = await seed();
		const res = await call(PATH);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/wasm');
		expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
		expect(res.headers.get('etag')).toBe(etag);
		expect(new Uint8Array(await res.arrayBuffer())).toEqual(BYTES);
	});

	it.each([
		['the exact ETag', (etag: string) => etag],
		['a weak ETag', (etag: string) => `W/${etag}`],
		['a list holding the ETag', (etag: string) => `"other", ${etag}`],
		['*', () => '*']
	])('answers 304 without a body for If-None-Match with %s', async (_, header) => {
		const etag = await seed();
		const res = await call(PATH, { headers: { 'if-none-match': header(etag) } });
		expect(res.status).toBe(304);
		expect(res.headers.get('etag')).toBe(etag);
		expect(res.body).toBeNull();
	});

	it('answers 200 when If-None-Match names another ETag', async () => {
		await seed();
		const res = await call(PATH, { headers: { 'if-none-match': '"stale"' } });
		expect(res.status).toBe(200);
		expect((await res.arrayBuffer()).byteLength).toBe(BYTES.byteLength);
	});

	it('answers HEAD with the headers and no body', async () => {
		const etag = await seed();
		const res = await call(PATH, { method: 'HEAD' });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/wasm');
		expect(res.headers.get('content-length')).toBe(String(BYTES.byteLength));
		expect(res.headers.get('etag')).toBe(etag);
		expect(await res.text()).toBe('');
	});

	it.each([
		`/vendor/duckdb/${VERSION}/duckdb-browser-eh.worker.js`,
		`/vendor/duckdb/${VERSION}/..%2F..%2Fsecret`,
		'/vendor/duckdb/latest/duckdb-eh.wasm',
		'/vendor/other/duckdb-eh.wasm'
	])('404 JSON for a file that is not listed: %s', async (path) => {
		await seed();
		const res = await call(path);
		expect(res.status).toBe(404);
		expect((await res.json<ErrorJson>()).error.code).toBe('not_found');
	});

	it('503 JSON when the engine is missing: the caller learns no key or command, the operator log has both', async () => {
		const logged: string[] = [];
		const spy = vi.spyOn(console, 'error').mockImplementation((...args) => {
			logged.push(args.join(' '));
		});
		try {
			const res = await call(PATH);
			expect(res.status).toBe(503);
			const text = await res.text();
			const body = JSON.parse(text) as ErrorJson;
			expect(body.error.code).toBe('engine_not_seeded');
			expect(body.error.message).toMatch(/not available/);
			expect(body.error.details).toBeUndefined();
			for (const secret of [KEY, 'edgebook-artifacts', 'wrangler', 'npm start', 'node_modules'])
				expect(text).not.toContain(secret);
			expect(logged.join('\n')).toContain(KEY);
			expect(logged.join('\n')).toContain('npm start');
		} finally {
			spy.mockRestore();
		}
	});

	it('503 on HEAD too when the engine is missing', async () => {
		const res = await call(PATH, { method: 'HEAD' });
		expect(res.status).toBe(503);
	});
});
