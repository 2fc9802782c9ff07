import { describe, expect, it } from 'vitest';
import { call, type ErrorJson } from './helpers';
import { ADMIN } from './registry-helpers';

describe('errors are JSON with a status', () => {
	it.each([
		['GET', '/api/v1/nope'],
		['POST', '/api/v1/health'],
		['GET', '/api'],
		['DELETE', '/api/v2/anything']
	])('%s %s → 404 not_found', async (method, path) => {
		const res = await call(path, { method, headers: { authorization: `Bearer ${ADMIN}` } });
		expect(res.status).toBe(404);
		expect(res.headers.get('content-type')).toMatch(/^application\/json/);
		const body = await res.json<ErrorJson>();
		expect(body.error.code).toBe('not_found');
		expect(body.error.message).toContain(path);
	});

	it('an unknown registry route asks for a token before it says anything else', async () => {
		const res = await call('/api/v1/nope');
		expect(res.status).toBe(401);
		expect((await res.json<ErrorJson>()).error.code).toBe('unauthenticated');
	});

	it('HEAD on the health route answers like GET without a body', async () => {
		const res = await call('/api/v1/health', { method: 'HEAD' });
		expect(res.status).toBe(200);
		expect(await res.text()).toBe('');
	});
});
