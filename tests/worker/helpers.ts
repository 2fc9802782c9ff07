import { createExecutionContext, env, waitOnExecutionContext, type D1Migration } from 'cloudflare:test';
import worker from '../../workers/index';

/**
 * Sends a request to the Worker's fetch handler, as a browser on the same origin would. Called directly:
 * through `exports.default.fetch` each request of a test file got slower than the one before.
 */
export function call(path: string, init?: RequestInit): Promise<Response> {
	const req = new Request(`http://edgebook.test${path}`, withLength(init));
	const ctx = createExecutionContext();
	// The latest contexts are kept for `settle`, which waits for their ctx.waitUntil work.
	const running = Promise.resolve(worker.fetch(req, env as never, ctx));
	contexts.push(ctx);
	if (contexts.length > 256) contexts.splice(0, contexts.length - 256);
	return running;
}

const contexts: ExecutionContext[] = [];

/** Waits for what the latest requests left running after answering (`ctx.waitUntil`: the prediction log). */
export async function settle(): Promise<void> {
	while (contexts.length) await waitOnExecutionContext(contexts.shift()!);
}

/**
 * A browser sends Content-Length with a body of known size; a Request built here has none until it goes over the
 * wire, and uploads (streamed to R2) refuse a body without one. A stream body stays without, as a chunked one would.
 */
function withLength(init: RequestInit | undefined): RequestInit | undefined {
	const body = init?.body;
	const headers = new Headers(init?.headers);
	if (body == null || headers.has('content-length')) return init;
	const size =
		typeof body === 'string'
			? new TextEncoder().encode(body).byteLength
			: body instanceof ArrayBuffer || ArrayBuffer.isView(body)
				? body.byteLength
				: body instanceof Blob
					? body.size
					: null;
	if (size === null) return init;
	headers.set('content-length', String(size));
	return { ...init, headers };
}

export type ErrorJson = { error: { code: string; message: string; details?: unknown } };

/** The bindings plus the test-only list of migration files that vitest.worker.config.ts reads from disk. */
export const testEnv = env as Env & { TEST_MIGRATIONS: D1Migration[] };
