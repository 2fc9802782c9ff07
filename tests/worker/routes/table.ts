import { createExecutionContext, env } from 'cloudflare:test';
import { expect } from 'vitest';
import worker from '../../../workers/index';
import { routeTable, type RouteEntry } from '../../../workers/http/route-table';
import { mlflow } from '../../../workers/mlflow';
import { registry } from '../../../workers/routes/v1';

/**
 * The two routers' own route tables, as the route-driven tests enumerate them, and what those tests share:
 * placeholder path parameters, a call with per-test bindings (a small rate limit), and each dialect's error check.
 */

/** The prefixes workers/index.ts mounts the routers at. */
export const V1_ROUTES = routeTable(registry, '/api/v1');
export const MLFLOW_ROUTES = routeTable(mlflow, '/api/2.0');
export const ALL_ROUTES = [...V1_ROUTES, ...MLFLOW_ROUTES];

export const label = (r: RouteEntry) => `${r.method} ${r.path}`;
export const isMlflow = (path: string) => path.startsWith('/api/2.0/');

/** A concrete path for a pattern: each `:param` (with or without `{regex}`) and `*` replaced by a value. */
export function fillPath(pattern: string, values: Record<string, string> = {}): string {
	return pattern
		.replace(/:(\w+)(\{[^}]*\})?/g, (_, name: string) => encodeURIComponent(values[name] ?? `x${name}1`))
		.replace(/\*$/, values['*'] ?? 'exp_x/run_x/artifacts/a.txt');
}

/** Every parameter name in a pattern, `*` included: to check a table of values covers a route. */
export const paramsOf = (pattern: string) => [
	...[...pattern.matchAll(/:(\w+)/g)].map((m) => m[1]),
	...(pattern.endsWith('*') ? ['*'] : [])
];

/** The Worker's fetch with the test bindings, some of them overridden (vars are read per request). */
export function callWith(
	path: string,
	init: RequestInit & { token?: string | null; json?: unknown } = {},
	vars: Record<string, string> = {}
): Promise<Response> {
	const headers = new Headers(init.headers);
	if (init.token) headers.set('authorization', `Bearer ${init.token}`);
	let body = init.body;
	if (init.json !== undefined) {
		headers.set('content-type', 'application/json');
		body = JSON.stringify(init.json);
	}
	const req = new Request(`http://edgebook.test${path}`, { ...init, headers, body });
	return Promise.resolve(worker.fetch(req, { ...env, ...vars } as never, createExecutionContext()));
}

/**
 * Asserts the dialect's error shape with the status range given: `{error:{code,message}}` under /api/v1,
 * MLflow's `{error_code, message}` (nothing else) under /api/2.0. Returns the code.
 */
export async function expectError(
	res: Response,
	path: string,
	what: string,
	status: number | [number, number] = [400, 499]
): Promise<string> {
	const text = await res.text();
	const where = `${what} → ${res.status} ${text.slice(0, 300)}`;
	if (typeof status === 'number') expect(res.status, where).toBe(status);
	else {
		expect(res.status, where).toBeGreaterThanOrEqual(status[0]);
		expect(res.status, where).toBeLessThanOrEqual(status[1]);
	}
	let body: Record<string, unknown>;
	try {
		body = JSON.parse(text) as Record<string, unknown>;
	} catch {
		throw new Error(`${where}: the error body is not JSON`);
	}
	if (isMlflow(path)) {
		expect(Object.keys(body).sort(), where).toEqual(['error_code', 'message']);
		expect(typeof body.error_code, where).toBe('string');
		expect(typeof body.message, where).toBe('string');
		return body.error_code as string;
	}
	const error = body.error as { code?: unknown; message?: unknown } | undefined;
	expect(typeof error?.code, where).toBe('string');
	expect(typeof error?.message, where).toBe('string');
	return error!.code as string;
}
