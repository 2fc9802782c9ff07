import { createExecutionContext, env, type D1Migration } from 'cloudflare:test';
import worker from '../../workers/index';

/**
 * Sends a request to the Worker's fetch handler, as a browser on the same origin would. Called directly:
 * through `exports.default.fetch` each request of a test file got slower than the one before.
 */
export function call(path: string, init?: RequestInit): Promise<Response> {
	const req = new Request(`http://edgebook.test${path}`, init);
	return Promise.resolve(worker.fetch(req, env as never, createExecutionContext()));
}

export type ErrorJson = { error: { code: string; message: string; details?: unknown } };

/** The bindings plus the test-only list of migration files that vitest.worker.config.ts reads from disk. */
export const testEnv = env as Env & { TEST_MIGRATIONS: D1Migration[] };
