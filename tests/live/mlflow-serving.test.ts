import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trafficBucket, type PredictionRecord } from '../../src/lib/contract';
import { sklearnLikeModel } from '../worker/inference/onnx-builder';
import { freePort, startServer, type Server } from './server';

/**
 * An application's journey against the real `wrangler dev`, from Node: an ONNX file (not the notebook's export)
 * is logged as a run artifact through MLflow's API, registered with model-versions/create and aliased `champion`,
 * then called in each of MLflow's scoring formats; a 10% canary answers exactly the callers its sticky key places
 * there, and the prediction log shows it.
 */

const ADMIN = 'live-serving-admin-token-0123456789';

let server: Server;
let persistTo: string;

function call(path: string, init: RequestInit & { json?: unknown } = {}) {
	const headers = new Headers(init.headers);
	headers.set('authorization', `Bearer ${ADMIN}`);
	if (init.json !== undefined) headers.set('content-type', 'application/json');
	const body = init.json === undefined ? init.body : JSON.stringify(init.json);
	return fetch(`${server.url}${path}`, { ...init, headers, body, signal: AbortSignal.timeout(30_000) });
}
async function ok<T = Record<string, unknown>>(path: string, init: RequestInit & { json?: unknown } = {}) {
	const res = await call(path, init);
	const text = await res.text();
	expect(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${text}`).toBe(true);
	return (text ? JSON.parse(text) : {}) as T;
}

// Version 1 says class 0 for every row, version 2 class 2: an answer shows which version gave it.
const ZERO = Array.from({ length: 4 }, () => [5, 0, 0]);
const TWO = Array.from({ length: 4 }, () => [0, 0, 5]);
const ROWS = [
	[1, 2, 3, 4],
	[0, 1, 0, 1]
];
const MODEL = 'iris-onnx';

/** Logs an ONNX file as MLflow's onnx flavor does (MLmodel + model.onnx under model/) and registers it. */
async function logAndRegister(weights: number[][]): Promise<string> {
	const { experiment: exp } = await ok<{ experiment: { experiment_id: string } }>(
		'/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default'
	);
	const run = await ok<{ run: { info: { run_id: string } } }>('/api/2.0/mlflow/runs/create', {
		method: 'POST',
		json: { experiment_id: exp.experiment_id, start_time: Date.now() }
	});
	const runId = run.run.info.run_id;
	const root = `/api/2.0/mlflow-artifacts/artifacts/${exp.experiment_id}/${runId}/artifacts/model`;
	const mlmodel = 'artifact_path: model\nflavors:\n  onnx:\n    data: model.onnx\n    onnx_version: 1.16.0\n';
	await ok(`${root}/MLmodel`, { method: 'PUT', body: mlmodel, headers: { 'content-type': 'text/plain' } });
	await ok(`${root}/model.onnx`, {
		method: 'PUT',
		body: Buffer.from(sklearnLikeModel(weights)),
		headers: { 'content-type': 'application/octet-stream' }
	});
	const created = await ok<{ model_version: { version: string } }>('/api/2.0/mlflow/model-versions/create', {
		method: 'POST',
		json: { name: MODEL, source: `runs:/${runId}/model`, run_id: runId }
	});
	return created.model_version.version;
}

beforeAll(async () => {
	persistTo = mkdtempSync(join(tmpdir(), 'edgebook-live-serving-'));
	server = await startServer({ port: await freePort(), persistTo, quiet: true, adminToken: ADMIN });
	await ok('/api/2.0/mlflow/registered-models/create', { method: 'POST', json: { name: MODEL } });
	expect(await logAndRegister(ZERO)).toBe('1');
	expect(await logAndRegister(TWO)).toBe('2');
	await ok('/api/2.0/mlflow/registered-models/alias', {
		method: 'POST',
		json: { name: MODEL, alias: 'champion', version: '1' }
	});
});

afterAll(async () => {
	await server?.stop();
	if (persistTo) rmSync(persistTo, { recursive: true, force: true });
});

async function predict(json: unknown, headers: Record<string, string> = {}) {
	const res = await call(`/api/v1/models/${MODEL}/predict`, { method: 'POST', json, headers });
	const text = await res.text();
	expect(res.status, text).toBe(200);
	return {
		body: JSON.parse(text) as { predictions: unknown },
		version: res.headers.get('x-edgebook-version')
	};
}

describe('live: an MLflow-logged ONNX model at the edge', () => {
	it('lists its artifacts as MLflow does and answers every MLflow scoring format', async () => {
		const { runs } = await ok<{ runs: { info: { run_id: string } }[] }>('/api/2.0/mlflow/runs/search', {
			method: 'POST',
			json: { experiment_ids: ['0'], max_results: 1, order_by: ['attributes.start_time ASC'] }
		});
		const listing = await ok<{ files: { path: string; is_dir: boolean }[] }>(
			`/api/2.0/mlflow/artifacts/list?run_id=${runs[0].info.run_id}&path=model`
		);
		expect(listing.files.map((f) => f.path)).toEqual(['model/MLmodel', 'model/model.onnx']);

		const tensor = await predict({ inputs: ROWS });
		expect(tensor.version).toBe('1');
		expect((tensor.body.predictions as { label: number[] }).label).toEqual([0, 0]);
		const named = await predict({ inputs: { float_input: ROWS } });
		expect((named.body.predictions as { label: number[] }).label).toEqual([0, 0]);
		const instances = await predict({ instances: ROWS });
		expect((instances.body.predictions as { label: number[] }).label).toEqual([0, 0]);
		const split = await predict({ dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: ROWS } });
		expect((split.body.predictions as { label: number }[]).map((r) => r.label)).toEqual([0, 0]);
		const records = await predict({ dataframe_records: ROWS.map(([a, b, c, d]) => ({ a, b, c, d })) });
		expect((records.body.predictions as { label: number }[]).map((r) => r.label)).toEqual([0, 0]);
		// Softmax of [5·Σx, 0, 0] for the first row: its probabilities, computed here.
		const z = 5 * ROWS[0].reduce((s, x) => s + x, 0);
		const p0 = 1 / (1 + 2 * Math.exp(-z));
		expect((split.body.predictions as { probabilities: number[] }[])[0].probabilities[0]).toBeCloseTo(p0, 6);
	});

	it('a 10% canary sticky by a header answers exactly its callers, and the log records them', async () => {
		await ok(`/api/v1/models/${MODEL}/aliases/champion/traffic`, {
			method: 'PUT',
			json: { canary: { version: 2, percent: 10, stickyBy: { header: 'x-user-id' } } }
		});
		const users = Array.from({ length: 100 }, (_, i) => `caller-${i}`);
		const expected = users.filter((u) => trafficBucket('champion', u) < 10);
		const canaried: string[] = [];
		for (const u of users) {
			const { body, version } = await predict({ inputs: [ROWS[0]] }, { 'x-user-id': u });
			expect((body.predictions as { label: number[] }).label).toEqual([version === '2' ? 2 : 0]);
			if (version === '2') canaried.push(u);
		}
		expect(canaried).toEqual(expected);
		// The log is written after each answer: poll until every canary row is there.
		let records: PredictionRecord[] = [];
		for (let i = 0; i < 50; i++) {
			records = (
				await ok<{ predictions: PredictionRecord[] }>(`/api/v1/models/${MODEL}/predictions?limit=10000`)
			).predictions;
			if (records.filter((r) => r.route === 'canary').length >= expected.length) break;
			await new Promise((r) => setTimeout(r, 200));
		}
		const canary = records.filter((r) => r.route === 'canary');
		expect(canary.length).toBe(expected.length);
		expect(canary.every((r) => r.version === 2 && r.alias === 'champion')).toBe(true);
	});
});
