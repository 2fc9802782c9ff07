import { expect } from 'vitest';
import type { RouteEntry } from '../../../workers/http/route-table';
import { testEnv } from '../helpers';
import { otherWorkspaceToken } from '../registry-helpers';
import { stateDigest } from './state';
import { callWith, expectError, fillPath, isMlflow } from './table';

/** The small limit the rate-limit tests configure, through the var the Worker reads per request. */
export const LIMIT = 3;
export const VARS = { RATE_LIMIT_PER_MINUTE: String(LIMIT) };

/**
 * With a limit of LIMIT a minute, a fresh token spends it on any LIMIT requests to the route (whatever they
 * answer), and the next is 429 in the dialect's shape with a Retry-After of whole seconds, writing nothing.
 */
export async function expectLimited(r: RouteEntry): Promise<void> {
	const token = await otherWorkspaceToken('local', ['admin']);
	const path = fillPath(r.path);
	const send = () =>
		callWith(
			path,
			{
				method: r.method,
				token,
				headers: { 'content-type': 'application/json' },
				body: ['GET', 'HEAD', 'DELETE'].includes(r.method) ? undefined : '{}'
			},
			VARS
		);
	for (let i = 0; i < LIMIT; i++) {
		const res = await send();
		expect(res.status, `${r.method} ${path} request ${i + 1} of ${LIMIT}`).not.toBe(429);
		await res.body?.cancel();
	}
	const before = await stateDigest(testEnv.DB);
	const res = await send();
	const retryAfter = res.headers.get('retry-after');
	const code = await expectError(res, path, `${r.method} ${path} past ${LIMIT} a minute`, 429);
	expect(code).toBe(isMlflow(path) ? 'REQUEST_LIMIT_EXCEEDED' : 'rate_limited');
	expect(retryAfter, 'Retry-After').toMatch(/^\d+$/);
	expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
	expect(Number(retryAfter)).toBeLessThanOrEqual(60);
	expect(await stateDigest(testEnv.DB)).toBe(before);
}
