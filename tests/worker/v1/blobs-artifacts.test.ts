import { describe, expect, it } from 'vitest';
import { testEnv, type ErrorJson } from '../helpers';
import { otherWorkspaceToken } from '../registry-helpers';
import { api, ok, sha256 } from './fixtures';

const put = (sha: string, body: BodyInit, init: { token?: string; type?: string } = {}) =>
	api(`/api/v1/blobs/${sha}`, {
		method: 'PUT',
		body,
		token: init.token,
		headers: init.type ? { 'content-type': init.type } : {}
	});

describe('/api/v1/blobs', () => {
	it('stores bytes once across workspaces, each workspace keeping its own reference', async () => {
		const bytes = new TextEncoder().encode('hello blob');
		const sha = await sha256(bytes);
		const first = await put(sha, bytes, { type: 'text/plain' });
		expect(first.status).toBe(201);
		expect(await first.json()).toMatchObject({ sha256: sha, bytes: bytes.length, mediaType: 'text/plain' });
		expect((await put(sha, bytes)).status).toBe(200);
		const other = await otherWorkspaceToken('ws_blob', ['read', 'write']);
		// Knowing the hash is not enough to read another workspace's bytes.
		expect((await api(`/api/v1/blobs/${sha}`, { token: other })).status).toBe(404);
		expect((await api(`/api/v1/blobs/${sha}`, { method: 'HEAD', token: other })).status).toBe(404);
		expect((await put(sha, bytes, { token: other })).status).toBe(201);
		const counts = await testEnv.DB.prepare(
			'SELECT (SELECT COUNT(*) FROM blobs) AS b, (SELECT COUNT(*) FROM blob_refs) AS r'
		).first();
		expect(counts).toEqual({ b: 1, r: 2 });

		const got = await api(`/api/v1/blobs/${sha}`);
		expect(got.headers.get('content-type')).toBe('application/octet-stream');
		expect(got.headers.get('x-content-type-options')).toBe('nosniff');
		expect(await got.text()).toBe('hello blob');
		const head = await api(`/api/v1/blobs/${sha}`, { method: 'HEAD' });
		expect(head.status).toBe(200);
		expect(head.headers.get('content-length')).toBe(String(bytes.length));
	});

	it('400 hash_mismatch when the bytes are not what the path says; nothing is stored', async () => {
		const sha = await sha256(new TextEncoder().encode('a'));
		const res = await put(sha, 'b');
		expect(res.status).toBe(400);
		const body = await res.json<ErrorJson>();
		expect(body.error.code).toBe('hash_mismatch');
		expect(await testEnv.ARTIFACTS.get(`blobs/${sha}`)).toBeNull();
		expect((await put('ABC', 'a')).status).toBe(400);
		expect((await put(sha, 'a', { type: 'not a type' })).status).toBe(400);
	});

	it('413 over the artifact limit, from Content-Length before reading', async () => {
		const res = await api(`/api/v1/blobs/${'0'.repeat(64)}`, {
			method: 'PUT',
			body: 'x',
			headers: { 'content-length': String(64 * 1024 * 1024 + 1) }
		});
		expect(res.status).toBe(413);
		expect((await res.json<ErrorJson>()).error.code).toBe('payload_too_large');
	});
});

describe('/api/v1/runs/:id/artifacts', () => {
	it('links an uploaded blob to a path, lists it and streams it with its media type', async () => {
		const exp = await ok<{ id: string }>('/api/v1/experiments', {
			method: 'POST',
			json: { name: 'art' },
			status: 201
		});
		await ok('/api/v1/runs', { method: 'POST', json: { id: 'ar', experimentId: exp.id }, status: 201 });
		const bytes = new Uint8Array([1, 2, 3, 4]);
		const sha = await sha256(bytes);
		await ok(`/api/v1/runs/ar/artifacts`, {
			method: 'POST',
			json: { name: 'w.bin', sha256: sha },
			status: 404
		});
		expect((await put(sha, bytes, { type: 'application/x-weights' })).status).toBe(201);
		const linked = await ok('/api/v1/runs/ar/artifacts', {
			method: 'POST',
			json: { name: 'model/w.bin', sha256: sha },
			status: 201
		});
		expect(linked).toMatchObject({
			runId: 'ar',
			name: 'model/w.bin',
			bytes: 4,
			mediaType: 'application/x-weights'
		});
		await ok('/api/v1/runs/ar/artifacts', {
			method: 'POST',
			json: { name: 'model/w.bin', sha256: sha },
			status: 200
		});
		await ok('/api/v1/runs/ar/artifacts', {
			method: 'POST',
			json: { name: 'model/w.bin', sha256: 'f'.repeat(64) },
			status: 404
		});
		await ok('/api/v1/runs/ar/artifacts', {
			method: 'POST',
			json: { name: 'x', sha256: sha, bytes: 5 },
			status: 400
		});
		expect(
			(await ok<{ artifacts: { name: string }[] }>('/api/v1/runs/ar/artifacts')).artifacts.map((a) => a.name)
		).toEqual(['model/w.bin']);
		const file = await api('/api/v1/runs/ar/artifacts/model/w.bin');
		expect(file.status).toBe(200);
		expect(file.headers.get('content-type')).toBe('application/octet-stream');
		expect(file.headers.get('x-edgebook-media-type')).toBe('application/x-weights');
		expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);
		expect((await api('/api/v1/runs/ar/artifacts/model/none')).status).toBe(404);
		expect((await api('/api/v1/runs/zz/artifacts')).status).toBe(404);
	});
});
