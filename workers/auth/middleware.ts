import { createMiddleware } from 'hono/factory';
import type { Scope } from '../../src/lib/contract';
import { ApiError } from '../errors';
import type { AppEnv } from '../types';
import { callerFor, hasScope } from './tokens';

/** Every registry route: a valid bearer token, or 401 with a body that says what was wrong. */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
	const header = c.req.header('authorization');
	if (!header)
		throw new ApiError({
			status: 401,
			code: 'unauthenticated',
			message: 'This route needs a bearer token: send `Authorization: Bearer <token>`.'
		});
	const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
	if (!match)
		throw new ApiError({
			status: 401,
			code: 'unauthenticated',
			message: 'The Authorization header must be `Bearer <token>`.'
		});
	const caller = await callerFor(c.env.DB, match[1], c.env.EDGEBOOK_ADMIN_TOKEN);
	if (!caller)
		throw new ApiError({
			status: 401,
			code: 'unauthenticated',
			message: 'The token is unknown or revoked.'
		});
	c.set('caller', caller);
	await next();
});

/** 403 unless the caller's token has the scope (admin has them all). */
export function requireScope(scope: Scope) {
	return createMiddleware<AppEnv>(async (c, next) => {
		const caller = c.get('caller');
		if (!hasScope(caller, scope))
			throw new ApiError({
				status: 403,
				code: 'forbidden',
				message: `This token lacks the "${scope}" scope.`,
				details: { needed: scope, has: caller.scopes }
			});
		await next();
	});
}
