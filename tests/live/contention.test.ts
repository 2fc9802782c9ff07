import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServer, type Server } from './server';

/**
 * Contention against the real Worker under `wrangler dev` (local D1, which serialises batches as Cloudflare's
 * does): fifty parallel creates of versions, experiments, models and runs through /api/v1 and MLflow. No answer
 * may be a 5xx; a name is created exactly once; versions are numbered 1..50 with no gap or repeat.
 */

const N = 50;
const ADMIN = 'contention-admin-token-0123456789';

let server: Server;
let persistTo: string;

beforeAll(async () => {
	persistTo = mkdtempSync(join(tmpdir(), 'edgebook-contention-'));
	server = await startServer({ port: await freePort(), persistTo, quiet: true, adminToken: ADMIN });
}, 90_000);

afterAll(async () => {
	await server?.stop();
	rmSync(persistTo, { recursive: true, force: true });
});

type Answer = { status: number; body: Record<string, unknown> };

/**
 * wrangler dev's own proxy (not the Worker) answers this 503 when its connection to workerd resets under load,
 * and asks for the request to be sent again. Such a request may or may not have reached the Worker, so the
 * checks below allow for it (only) when it happened; any other 5xx fails the test.
 */
const DEV_PROXY_DROPPED = /^Your worker restarted mid-request/;
let resent = 0;

async function send(method: string, path: string, json?: unknown): Promise<Answer> {
	for (let attempt = 0; ; attempt++) {
		const res = await fetch(`${server.url}${path}`, {
			method,
			headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
			body: json === undefined ? undefined : JSON.stringify(json)
		});
		const text = await res.text();
		if (res.status === 503 && DEV_PROXY_DROPPED.test(text) && attempt < 5) {
			resent++;
			continue;
		}
		try {
			return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
		} catch {
			// Not JSON: keep the text, so a failed assertion shows what answered.
			return { status: res.status, body: { text } };
		}
	}
}
const v1 = (path: string, json: unknown) => send('POST', `/api/v1${path}`, json);
const ml = (path: string, json: unknown) => send('POST', `/api/2.0/mlflow${path}`, json);

async function fifty(make: (i: number) => Promise<Answer>): Promise<Answer[]> {
	resent = 0;
	const out = await Promise.all(Array.from({ length: N }, (_, i) => make(i)));
	const failed = out.filter((a) => a.status >= 500);
	expect(failed, JSON.stringify(failed)).toEqual([]);
	return out;
}
const statuses = (out: Answer[]) => {
	const by: Record<number, number> = {};
	for (const a of out) by[a.status] = (by[a.status] ?? 0) + 1;
	return by;
};
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const oneToN = range(N);

/** One winner and N - 1 "already exists"; a winner whose answer wrangler dropped leaves none, never two. */
function expectOneWinner(out: Answer[], won: number, lost: number) {
	const by = statuses(out);
	if (resent === 0) expect(by).toEqual({ [won]: 1, [lost]: N - 1 });
	else expect((by[won] ?? 0) <= 1 && (by[won] ?? 0) + (by[lost] ?? 0) === N, JSON.stringify(by)).toBe(true);
}

/** Stored versions are 1..M with no gap or repeat; M is N unless wrangler dropped an answer after the write. */
async function expectVersions(model: string, answered: number[]) {
	const listed = await send('GET', `/api/v1/models/${model}`);
	const stored = (listed.body.versions as { version: number }[]).map((v) => v.version).sort((x, y) => x - y);
	expect(stored).toEqual(range(stored.length));
	expect(stored.length).toBeGreaterThanOrEqual(N);
	expect(stored.length).toBeLessThanOrEqual(N + resent);
	expect(new Set(answered).size).toBe(answered.length);
	if (resent === 0) expect([...answered].sort((x, y) => x - y)).toEqual(oneToN);
}

describe('contention under wrangler dev', () => {
	it('numbers 50 parallel versions 1..50 through each API', async () => {
		const made = await v1('/models', { name: 'live-v1' });
		expect(made.status, JSON.stringify(made.body)).toBe(201);
		const a = await fifty(() => v1('/models/live-v1/versions', {}));
		expect(statuses(a)).toEqual({ 201: N });
		await expectVersions(
			'live-v1',
			a.map((x) => x.body.version as number)
		);

		expect((await ml('/registered-models/create', { name: 'live-ml' })).status).toBe(200);
		const b = await fifty(() =>
			ml('/model-versions/create', { name: 'live-ml', source: 'mlflow-artifacts:/m' })
		);
		expect(statuses(b)).toEqual({ 200: N });
		await expectVersions(
			'live-ml',
			b.map((x) => Number((x.body.model_version as { version: string }).version))
		);
	});

	it('creates an experiment and a model exactly once for 50 identical creates through each API', async () => {
		expectOneWinner(await fifty(() => v1('/experiments', { name: 'live-exp' })), 201, 409);
		expectOneWinner(await fifty(() => ml('/experiments/create', { name: 'live-exp-ml' })), 200, 400);
		expectOneWinner(await fifty(() => v1('/models', { name: 'live-model' })), 201, 409);
		const models = await fifty(() => ml('/registered-models/create', { name: 'live-model-ml' }));
		expectOneWinner(models, 200, 400);
		expect(new Set(models.filter((x) => x.status === 400).map((x) => x.body.error_code))).toEqual(
			new Set(['RESOURCE_ALREADY_EXISTS'])
		);
		const exps = (await send('GET', '/api/v1/experiments')).body.experiments as { name: string }[];
		expect(
			exps
				.filter((e) => e.name.startsWith('live-exp'))
				.map((e) => e.name)
				.sort()
		).toEqual(['live-exp', 'live-exp-ml']);
		const all = (await send('GET', '/api/v1/models')).body.models as { name: string }[];
		expect(
			all
				.filter((m) => m.name.startsWith('live-model'))
				.map((m) => m.name)
				.sort()
		).toEqual(['live-model', 'live-model-ml']);
	});

	it('creates runs: one for 50 creates of one id, 50 for MLflow creates in the default experiment', async () => {
		const exp = await v1('/experiments', { name: 'live-runs' });
		expectOneWinner(await fifty(() => v1('/runs', { id: 'live_run', experimentId: exp.body.id })), 201, 409);
		const b = await fifty(() => ml('/runs/create', { experiment_id: '0' }));
		expect(statuses(b)).toEqual({ 200: N });
		expect(new Set(b.map((x) => (x.body.run as { info: { run_id: string } }).info.run_id)).size).toBe(N);
	});
});
