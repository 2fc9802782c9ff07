import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Contention against the real Worker under `wrangler dev` (local D1, which serialises batches as Cloudflare's
 * does): fifty parallel creates of versions, experiments, models and runs through /api/v1 and MLflow. No answer
 * may be a 5xx; a name is created exactly once; versions are numbered 1..50 with no gap or repeat.
 */

const N = 50;
const ADMIN = 'contention-admin-token-0123456789';

// scripts/server.mjs is plain JS for node; loaded by path so the app's type check does not take it in.
interface Server {
	url: string;
	stop(): Promise<void>;
}
interface ServerModule {
	freePort(): Promise<number>;
	startServer(o: { port: number; persistTo: string; quiet: boolean; adminToken: string }): Promise<Server>;
}
const SERVER_MODULE = '../../scripts/server.mjs';
const { freePort, startServer } = (await import(/* @vite-ignore */ SERVER_MODULE)) as ServerModule;
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

async function send(method: string, path: string, json?: unknown): Promise<Answer> {
	const res = await fetch(`${server.url}${path}`, {
		method,
		headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
		body: json === undefined ? undefined : JSON.stringify(json)
	});
	const text = await res.text();
	return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
const v1 = (path: string, json: unknown) => send('POST', `/api/v1${path}`, json);
const ml = (path: string, json: unknown) => send('POST', `/api/2.0/mlflow${path}`, json);

async function fifty(make: (i: number) => Promise<Answer>): Promise<Answer[]> {
	return Promise.all(Array.from({ length: N }, (_, i) => make(i)));
}
const statuses = (out: Answer[]) => {
	const by: Record<number, number> = {};
	for (const a of out) by[a.status] = (by[a.status] ?? 0) + 1;
	return by;
};
const oneToN = Array.from({ length: N }, (_, i) => i + 1);

describe('contention under wrangler dev', () => {
	it('numbers 50 parallel versions 1..50 through each API', async () => {
		expect((await v1('/models', { name: 'live-v1' })).status).toBe(201);
		const a = await fifty(() => v1('/models/live-v1/versions', {}));
		expect(statuses(a)).toEqual({ 201: N });
		expect(a.map((x) => x.body.version as number).sort((x, y) => x - y)).toEqual(oneToN);

		expect((await ml('/registered-models/create', { name: 'live-ml' })).status).toBe(200);
		const b = await fifty(() =>
			ml('/model-versions/create', { name: 'live-ml', source: 'mlflow-artifacts:/m' })
		);
		expect(statuses(b)).toEqual({ 200: N });
		const numbers = b.map((x) => Number((x.body.model_version as { version: string }).version));
		expect(numbers.sort((x, y) => x - y)).toEqual(oneToN);
		const listed = await send('GET', '/api/v1/models/live-ml');
		const versions = (listed.body.versions as { version: number }[]).map((v) => v.version);
		expect(versions.sort((x, y) => x - y)).toEqual(oneToN);
	});

	it('creates an experiment and a model exactly once for 50 identical creates through each API', async () => {
		expect(statuses(await fifty(() => v1('/experiments', { name: 'live-exp' })))).toEqual({
			201: 1,
			409: N - 1
		});
		expect(statuses(await fifty(() => ml('/experiments/create', { name: 'live-exp-ml' })))).toEqual({
			200: 1,
			400: N - 1
		});
		expect(statuses(await fifty(() => v1('/models', { name: 'live-model' })))).toEqual({
			201: 1,
			409: N - 1
		});
		const models = await fifty(() => ml('/registered-models/create', { name: 'live-model-ml' }));
		expect(statuses(models)).toEqual({ 200: 1, 400: N - 1 });
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
	});

	it('creates runs: one for 50 creates of one id, 50 for MLflow creates in the default experiment', async () => {
		const exp = await v1('/experiments', { name: 'live-runs' });
		const a = await fifty(() => v1('/runs', { id: 'live_run', experimentId: exp.body.id }));
		expect(statuses(a)).toEqual({ 201: 1, 409: N - 1 });
		const b = await fifty(() => ml('/runs/create', { experiment_id: '0' }));
		expect(statuses(b)).toEqual({ 200: N });
		expect(new Set(b.map((x) => (x.body.run as { info: { run_id: string } }).info.run_id)).size).toBe(N);
	});
});
