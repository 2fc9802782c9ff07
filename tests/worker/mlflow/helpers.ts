import { expect } from 'vitest';
import { api } from '../registry-helpers';

/** Calls an MLflow route the way MLflow's Python client does: GET with a query string, the rest with JSON. */
export function ml(
	path: string,
	opts: {
		method?: string;
		json?: unknown;
		query?: Record<string, string | string[]>;
		token?: string | null;
	} = {}
): Promise<Response> {
	const url = new URL(`http://x/api/2.0/mlflow${path}`);
	for (const [k, v] of Object.entries(opts.query ?? {}))
		for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one);
	return api(url.pathname + url.search, {
		method: opts.method ?? (opts.json === undefined ? 'GET' : 'POST'),
		json: opts.json,
		token: opts.token
	});
}

export async function ok<T = Record<string, unknown>>(res: Response | Promise<Response>): Promise<T> {
	const r = await res;
	const body = await r.text();
	expect(r.status, body).toBe(200);
	return JSON.parse(body) as T;
}

export type MlflowErrorJson = { error_code: string; message: string };

/** Asserts MLflow's error shape: the status MLflow gives the code, and only error_code and message. */
export async function fails(
	res: Response | Promise<Response>,
	status: number,
	code: string
): Promise<string> {
	const r = await res;
	const body = (await r.json()) as MlflowErrorJson;
	expect({ status: r.status, code: body.error_code }, body.message).toEqual({ status, code });
	expect(Object.keys(body).sort()).toEqual(['error_code', 'message']);
	expect(typeof body.message).toBe('string');
	return body.message;
}

export async function newExperiment(name: string): Promise<string> {
	return (await ok<{ experiment_id: string }>(ml('/experiments/create', { json: { name } }))).experiment_id;
}

export async function newRun(experimentId: string, extra: Record<string, unknown> = {}): Promise<string> {
	const body = await ok<{ run: { info: { run_id: string } } }>(
		ml('/runs/create', { json: { experiment_id: experimentId, start_time: 1_700_000_000_000, ...extra } })
	);
	return body.run.info.run_id;
}
