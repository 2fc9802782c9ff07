import { describe, expect, it } from 'vitest';
import { newExperiment, newRun, ok as mlOk } from './mlflow/helpers';
import { api } from './registry-helpers';
import { ok, sha256 } from './v1/fixtures';

/**
 * Every download path answers stored bytes the same safe way, whatever type the uploader claimed: an HTML page in
 * UTF-7 (which `wrangler dev` cannot rewrite, and which a browser must never render on this origin) included.
 */
const HOSTILE = 'text/html; charset=utf-7';
const PAGE = new TextEncoder().encode('+ADw-script+AD4-alert(1)+ADw-/script+AD4- <h1>hi</h1>');

function expectSafe(res: Response, filename: string) {
	expect(res.status).toBe(200);
	expect(Object.fromEntries(res.headers)).toMatchObject({
		'content-type': 'application/octet-stream',
		'content-disposition': `attachment; filename="${filename}"; filename*=UTF-8''${filename}`,
		'x-content-type-options': 'nosniff',
		'content-security-policy': "default-src 'none'; sandbox",
		'x-edgebook-media-type': HOSTILE,
		'content-length': String(PAGE.length)
	});
}

describe('downloads: one set of safe headers on every path', () => {
	it('v1 blobs and v1 run artifacts (GET and HEAD)', async () => {
		const sha = await sha256(PAGE);
		await ok(`/api/v1/blobs/${sha}`, {
			method: 'PUT',
			body: PAGE,
			headers: { 'content-type': HOSTILE },
			status: 201
		});
		const exp = await ok<{ id: string }>('/api/v1/experiments', {
			method: 'POST',
			json: { name: 'dl' },
			status: 201
		});
		await ok('/api/v1/runs', { method: 'POST', json: { id: 'run_dl', experimentId: exp.id }, status: 201 });
		await ok('/api/v1/runs/run_dl/artifacts', {
			method: 'POST',
			json: { name: 'pages/index.html', sha256: sha },
			status: 201
		});
		const blob = await api(`/api/v1/blobs/${sha}`);
		expectSafe(blob, sha);
		expect(new Uint8Array(await blob.arrayBuffer())).toEqual(PAGE);
		expectSafe(await api(`/api/v1/blobs/${sha}`, { method: 'HEAD' }), sha);
		const art = await api('/api/v1/runs/run_dl/artifacts/pages/index.html');
		expectSafe(art, 'index.html');
		expect(new Uint8Array(await art.arrayBuffer())).toEqual(PAGE);
		// The record keeps the uploader's type: that is where a client reads it from.
		const list = await ok<{ artifacts: { mediaType: string }[] }>('/api/v1/runs/run_dl/artifacts');
		expect(list.artifacts[0].mediaType).toBe(HOSTILE);
	});

	it("MLflow's artifact proxy (GET and HEAD)", async () => {
		const exp = await newExperiment('dl-mlflow');
		const run = await newRun(exp);
		const path = `/api/2.0/mlflow-artifacts/artifacts/${exp}/${run}/artifacts/site/index.html`;
		await mlOk(api(path, { method: 'PUT', body: PAGE, headers: { 'content-type': HOSTILE } }));
		const got = await api(path);
		expectSafe(got, 'index.html');
		expect(new Uint8Array(await got.arrayBuffer())).toEqual(PAGE);
		expectSafe(await api(path, { method: 'HEAD' }), 'index.html');
	});

	it('names a non-ASCII file safely for both old and RFC 5987 readers', async () => {
		const { attachment } = await import('../../workers/http/download');
		expect(attachment('run/a "b"; ü.txt')).toBe(
			`attachment; filename="a__b____.txt"; filename*=UTF-8''a%20%22b%22%3B%20%C3%BC.txt`
		);
	});
});
