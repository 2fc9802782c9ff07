import { env, type D1Migration } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';

/** Sends a request to the Worker's default export, as a browser on the same origin would. */
export function call(path: string, init?: RequestInit): Promise<Response> {
	return exports.default.fetch(new Request(`http://edgebook.test${path}`, init));
}

export type ErrorJson = { error: { code: string; message: string; details?: unknown } };

/** The bindings plus the test-only list of migration files that vitest.worker.config.ts reads from disk. */
export const testEnv = env as Env & { TEST_MIGRATIONS: D1Migration[] };
