import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError } from './domain/errors';
import { statusOf } from './http/domain-status';

// One error shape for every API answer, so clients (and the zod contract) handle failures in one place.
export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

/** Throw from a handler to answer with a JSON error and an explicit status. */
export class ApiError extends Error {
	readonly status: ContentfulStatusCode;
	readonly code: string;
	readonly details?: unknown;
	/** Seconds a client should wait before trying again (the Retry-After header), for 429 and 503. */
	readonly retryAfter?: number;

	constructor(opts: {
		status: ContentfulStatusCode;
		code: string;
		message: string;
		details?: unknown;
		retryAfter?: number;
	}) {
		super(opts.message);
		this.name = 'ApiError';
		this.status = opts.status;
		this.code = opts.code;
		this.details = opts.details;
		this.retryAfter = opts.retryAfter;
	}
}

/** A service's domain error in /api/v1's words: its code, message and details, with the door's status. */
export const toApiError = (e: DomainError): ApiError =>
	new ApiError({
		status: statusOf(e),
		code: e.code,
		message: e.message,
		details: e.details,
		retryAfter: e.retryAfter
	});

export function errorBody(opts: { code: string; message: string; details?: unknown }): ErrorBody {
	const { code, message, details } = opts;
	return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function jsonError(c: Context, err: ApiError): Response {
	if (err.retryAfter !== undefined) c.header('Retry-After', String(err.retryAfter));
	return c.json(errorBody(err), err.status);
}

/** The status onError answers a thrown value with. */
export const statusOfThrown = (err: unknown): number =>
	err instanceof ApiError ? err.status : err instanceof DomainError ? statusOf(err) : 500;

/** Hono onError: known errors keep their status; anything else is a 500 that never leaks a stack. */
export function onError(err: Error, c: Context): Response {
	if (err instanceof ApiError) return jsonError(c, err);
	if (err instanceof DomainError) return jsonError(c, toApiError(err));
	// Logged for `wrangler dev` / `wrangler tail`; the client only learns that it failed.
	console.error('unhandled error', c.req.method, new URL(c.req.url).pathname, err);
	return c.json(errorBody({ code: 'internal', message: 'Internal server error' }), 500);
}
