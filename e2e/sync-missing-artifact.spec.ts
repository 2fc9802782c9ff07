import { test, expect, type Browser } from './fixtures';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { signedIn } from './helpers';

/**
 * One artifact whose bytes the registry cannot serve must not stall sync (docs/sync.md). The registry holds a
 * run with two artifacts, a model version and an alias; the bytes of one artifact are deleted from local R2
 * behind the Worker's back. A fresh browser signs in and still reaches Synced with the run and the model, and
 * names the missing artifact (run, path, why).
 */

const TOKEN = process.env.EDGEBOOK_ADMIN_TOKEN!;
const STATE = process.env.EDGEBOOK_STATE!;

async function api(baseURL: string, method: string, path: string, body?: unknown, raw?: Uint8Array) {
	const res = await fetch(`${baseURL}${path}`, {
		method,
		headers: {
			authorization: `Bearer ${TOKEN}`,
			'content-type': raw ? 'application/octet-stream' : 'application/json'
		},
		body: raw ? Buffer.from(raw) : body === undefined ? undefined : JSON.stringify(body)
	});
	if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
	return res.json();
}

async function upload(baseURL: string, text: string): Promise<string> {
	const bytes = new TextEncoder().encode(text);
	const sha = createHash('sha256').update(bytes).digest('hex');
	await api(baseURL, 'PUT', `/api/v1/blobs/${sha}`, undefined, bytes);
	return sha;
}

async function newBrowserSignedIn(browser: Browser, baseURL: string) {
	const page = await (await browser.newContext({ baseURL })).newPage();
	await signedIn(page, baseURL);
	return page;
}

test('a blob the registry cannot serve: a second browser converges on the rest and names it', async ({
	browser,
	baseURL
}) => {
	const tag = randomBytes(4).toString('hex');
	const runName = `missing-blob run ${tag}`;
	const modelName = `missing-blob-model-${tag}`;
	const exp = await api(baseURL!, 'POST', '/api/v1/experiments', { name: `missing blob ${tag}` });
	const run = await api(baseURL!, 'POST', '/api/v1/runs', { experimentId: exp.id, name: runName });
	const good = await upload(baseURL!, `good bytes ${tag}`);
	const bad = await upload(baseURL!, `bytes that will vanish ${tag}`);
	await api(baseURL!, 'POST', `/api/v1/runs/${run.id}/artifacts`, { name: 'good.txt', sha256: good });
	await api(baseURL!, 'POST', `/api/v1/runs/${run.id}/artifacts`, { name: 'vanished.html', sha256: bad });
	await api(baseURL!, 'POST', '/api/v1/models', { name: modelName });
	const v = await api(baseURL!, 'POST', `/api/v1/models/${modelName}/versions`, { sourceRunId: run.id });
	await api(baseURL!, 'PUT', `/api/v1/models/${modelName}/aliases/champion`, { version: v.version });

	// The bytes go, the registry's record of them stays: GET answers 404 for this blob from now on.
	execFileSync(
		'npx',
		[
			'wrangler',
			'r2',
			'object',
			'delete',
			`edgebook-artifacts/blobs/${bad}`,
			'--local',
			'--persist-to',
			STATE
		],
		{ env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, stdio: 'pipe' }
	);
	const gone = await fetch(`${baseURL}/api/v1/blobs/${bad}`, {
		headers: { authorization: `Bearer ${TOKEN}` }
	});
	expect(gone.status).toBe(404);

	const page = await newBrowserSignedIn(browser, baseURL!);
	const indicator = page.getByTestId('sync-indicator');
	await expect(indicator).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
	await expect(indicator).toContainText(/Synced · \d+ artifacts? missing/);

	await expect(page.getByTestId('sync-summary')).toContainText(/\d+ artifacts? missing/);
	const missing = page.getByTestId('missing-artifacts');
	const entry = missing.getByRole('listitem').filter({ hasText: 'vanished.html' });
	await expect(entry).toHaveCount(1);
	await expect(entry).toContainText(runName);
	await expect(entry).toContainText('404');
	await expect(missing).not.toContainText('good.txt');

	// Everything else arrived: the run (with its readable artifact) and the model with its alias.
	await page.goto('/runs');
	await expect(page.getByRole('link', { name: runName })).toBeVisible();
	await page.goto('/models');
	await expect(page.getByText(modelName).first()).toBeVisible();
	await expect(page.getByText('champion').first()).toBeVisible();
});
