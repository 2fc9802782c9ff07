import { describe, expect, it } from 'vitest';
import { testEnv } from '../helpers';
import { stateDigest } from './state';
import {
	ALL_ROUTES,
	callWith,
	expectError,
	fillPath,
	isMlflow,
	label,
	MLFLOW_ROUTES,
	V1_ROUTES
} from './table';

/**
 * Authentication over the routers' own route tables: every /api/v1 and /api/2.0 route (a new one included, with
 * no list to update) answers 401 in its dialect's error shape without a valid bearer token, and writes nothing.
 */

const NO_TOKEN: [string, Record<string, string>][] = [
	['no Authorization header', {}],
	['not a bearer token', { authorization: 'Basic dXNlcjpwYXNz' }],
	['an empty bearer', { authorization: 'Bearer ' }],
	['an unknown token', { authorization: `Bearer eb_abcdefgh12345678_${'x'.repeat(43)}` }],
	['a token of the wrong form', { authorization: 'Bearer test-admin-token-not' }]
];

describe('authentication on every route of both route tables', () => {
	it('the tables are the routers: both dialects have routes, and the public ones are not among them', () => {
		expect(V1_ROUTES.length).toBeGreaterThan(40);
		expect(MLFLOW_ROUTES.length).toBeGreaterThan(40);
		expect(ALL_ROUTES.map(label)).not.toContain('GET /api/v1/health');
	});

	it.each(ALL_ROUTES.map((r) => [label(r), r] as const))('%s: 401 without a valid token', async (_, r) => {
		const before = await stateDigest(testEnv.DB);
		const path = fillPath(r.path);
		for (const [what, headers] of NO_TOKEN) {
			const res = await callWith(path, {
				method: r.method,
				headers: { ...headers, 'content-type': 'application/json' },
				body: ['GET', 'HEAD', 'DELETE'].includes(r.method) ? undefined : '{}'
			});
			const code = await expectError(res, path, `${r.method} ${path} with ${what}`, 401);
			expect(code).toBe(isMlflow(path) ? 'UNAUTHENTICATED' : 'unauthenticated');
		}
		expect(await stateDigest(testEnv.DB)).toBe(before);
	});
});
