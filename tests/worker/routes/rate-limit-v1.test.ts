import { describe, expect, it } from 'vitest';
import { otherWorkspaceToken } from '../registry-helpers';
import { expectLimited, LIMIT, VARS } from './rate-limit';
import { callWith, label, V1_ROUTES } from './table';

// Every /api/v1 route from the router's own table, with RATE_LIMIT_PER_MINUTE set small for these requests.
describe('rate limit on every /api/v1 route', () => {
	it.each(V1_ROUTES.map((r) => [label(r), r] as const))('%s: 429 with Retry-After past the limit', (_, r) =>
		expectLimited(r)
	);

	it('the bucket is per token: another token of the same workspace is still served', async () => {
		const a = await otherWorkspaceToken('local', ['read']);
		const b = await otherWorkspaceToken('local', ['read']);
		for (let i = 0; i < LIMIT; i++)
			expect((await callWith('/api/v1/me', { token: a }, VARS)).status).toBe(200);
		expect((await callWith('/api/v1/me', { token: a }, VARS)).status).toBe(429);
		expect((await callWith('/api/v1/me', { token: b }, VARS)).status).toBe(200);
	});
});
