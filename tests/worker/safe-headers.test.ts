import { describe, expect, it } from 'vitest';
import { sha256 } from './v1/fixtures';
import { api } from './registry-helpers';

const JSON_CSP = "default-src 'none'; frame-ancestors 'none'";

describe('every Worker answer carries nosniff; JSON answers a CSP that runs nothing', () => {
	it.each([
		['health', '/api/v1/health', {}, 200],
		['a v1 read', '/api/v1/experiments', {}, 200],
		['a v1 error (no token)', '/api/v1/experiments', { token: null }, 401],
		['a v1 error (bad cursor)', '/api/v1/sync/pull?cursor=nope', {}, 400],
		['an MLflow read', '/api/2.0/mlflow/experiments/get?experiment_id=0', {}, 200],
		['an MLflow error', '/api/2.0/mlflow/experiments/get', {}, 400],
		['an unknown API route', '/api/v3/nothing', {}, 404],
		['a /vendor 404', '/vendor/duckdb/1.0.0/other.wasm', { token: null }, 404],
		['a /vendor 503 (engine not seeded)', '/vendor/duckdb/9.9.9/duckdb-eh.wasm', { token: null }, 503]
	] as const)('%s', async (_, path, init, status) => {
		const res = await api(path, init);
		expect(res.status).toBe(status);
		expect(res.headers.get('content-type')).toMatch(/^application\/json/);
		expect(res.headers.get('x-content-type-options')).toBe('nosniff');
		expect(res.headers.get('content-security-policy')).toBe(JSON_CSP);
	});

	it('a download keeps the headers its route sets', async () => {
		const bytes = new TextEncoder().encode('<script>alert(1)</script>');
		const sha = await sha256(bytes);
		expect((await api(`/api/v1/blobs/${sha}`, { method: 'PUT', body: bytes })).status).toBe(201);
		const res = await api(`/api/v1/blobs/${sha}`);
		expect(res.status).toBe(200);
		expect(res.headers.get('x-content-type-options')).toBe('nosniff');
		expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
	});
});
