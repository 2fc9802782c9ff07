import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, onError } from '../../workers/errors';
import type { ErrorJson } from './helpers';

// The real routes do not throw on purpose, so the handler is proven on a tiny app wired the same way.
function appThatThrows(err: Error) {
	const app = new Hono();
	app.get('/', () => {
		throw err;
	});
	app.onError(onError);
	return app;
}

afterEach(() => {
	vi.restoreAllMocks();
});

describe('onError', () => {
	it('turns an unexpected error into a 500 JSON without the message or stack', async () => {
		// The operator's log still gets the error; the client does not.
		const log = vi.spyOn(console, 'error').mockImplementation(() => {});
		const res = await appThatThrows(new Error('secret detail at db.ts:12')).request('/');
		expect(res.status).toBe(500);
		const text = await res.text();
		expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
		expect(text).not.toContain('secret');
		expect(text).not.toContain('db.ts');
		expect(log).toHaveBeenCalledOnce();
	});

	it('keeps the status, code and details of an ApiError', async () => {
		const err = new ApiError({ status: 409, code: 'conflict', message: 'taken', details: { field: 'name' } });
		const res = await appThatThrows(err).request('/');
		expect(res.status).toBe(409);
		expect(await res.json<ErrorJson>()).toEqual({
			error: { code: 'conflict', message: 'taken', details: { field: 'name' } }
		});
	});
});
