import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServer, type Server } from './server';

/**
 * An artifact uploaded as `text/html; charset=utf-7` downloads under the real `wrangler dev`, through every
 * download path, with the safe headers. Served with the uploader's type, wrangler dev's HTML rewriting hung on
 * that charset (HEAD answered, GET never did) and a signed-in browser showed "Syncing…" forever.
 */

const ADMIN = 'live-downloads-admin-token-0123456789';
const HOSTILE = 'text/html; charset=utf-7';
const PAGE = Buffer.from('+ADw-script+AD4-alert(1)+ADw-/script+AD4- <html><body>hi</body></html>');
const SHA = createHash('sha256').update(PAGE).digest('hex');
/** A hang is the failure under test: give up on a download after this long instead of hanging the tier. */
const HANG_MS = 20_000;

let server: Server;
let persistTo: string;

function call(path: string, init: RequestInit = {}) {
	const headers = new Headers(init.headers);
	headers.set('authorization', `Bearer ${ADMIN}`);
	return fetch(`${server.url}${path}`, { ...init, headers, signal: AbortSignal.timeout(HANG_MS) });
}
async function ok<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
	const res = await call(path, {
		...init,
		...(init.json === undefined
			? {}
			: { body: JSON.stringify(init.json), headers: { 'content-type': 'application/json' } })
	});
	const text = await res.text();
	expect(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${text}`).toBe(true);
	return (text ? JSON.parse(text) : {}) as T;
}

const paths: Record<string, string> = {};

beforeAll(async () => {
	persistTo = mkdtempSync(join(tmpdir(), 'edgebook-live-'));
	server = await startServer({ port: await freePort(), persistTo, quiet: true, adminToken: ADMIN });
	// v1: the blob, and a run artifact linked to it.
	await ok(`/api/v1/blobs/${SHA}`, { method: 'PUT', body: PAGE, headers: { 'content-type': HOSTILE } });
	const exp = await ok<{ id: string }>('/api/v1/experiments', { method: 'POST', json: { name: 'live' } });
	await ok('/api/v1/runs', { method: 'POST', json: { id: 'run_live', experimentId: exp.id } });
	await ok('/api/v1/runs/run_live/artifacts', { method: 'POST', json: { name: 'page.html', sha256: SHA } });
	// MLflow's artifact proxy, as its client uploads.
	const mlExp = await ok<{ experiment_id: string }>('/api/2.0/mlflow/experiments/create', {
		method: 'POST',
		json: { name: 'live-mlflow' }
	});
	const mlRun = await ok<{ run: { info: { run_id: string } } }>('/api/2.0/mlflow/runs/create', {
		method: 'POST',
		json: { experiment_id: mlExp.experiment_id, start_time: Date.now() }
	});
	const mlPath = `/api/2.0/mlflow-artifacts/artifacts/${mlExp.experiment_id}/${mlRun.run.info.run_id}/artifacts/page.html`;
	await ok(mlPath, { method: 'PUT', body: PAGE, headers: { 'content-type': HOSTILE } });
	Object.assign(paths, {
		blob: `/api/v1/blobs/${SHA}`,
		artifact: '/api/v1/runs/run_live/artifacts/page.html',
		mlflow: mlPath
	});
}, 150_000);

afterAll(async () => {
	await server?.stop();
	if (persistTo) rmSync(persistTo, { recursive: true, force: true });
});

describe('live: a text/html; charset=utf-7 artifact under wrangler dev', () => {
	it.each(['blob', 'artifact', 'mlflow'])(
		'%s downloads whole, as an octet-stream attachment',
		async (which) => {
			const res = await call(paths[which]);
			expect(res.status).toBe(200);
			expect(Buffer.from(await res.arrayBuffer()).equals(PAGE)).toBe(true);
			expect(res.headers.get('content-type')).toBe('application/octet-stream');
			expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
			expect(res.headers.get('x-content-type-options')).toBe('nosniff');
			expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
			expect(res.headers.get('x-edgebook-media-type')).toBe(HOSTILE);
		}
	);
});
