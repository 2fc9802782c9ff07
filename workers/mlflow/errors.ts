import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError } from '../domain/errors';
import { ApiError } from '../errors';
import { statusOf } from '../http/domain-status';

/**
 * MLflow's error body is `{error_code, message}` with the HTTP status MLflow's server gives each code
 * (mlflow/exceptions.py ERROR_CODE_TO_HTTP_STATUS); its clients raise on the error_code.
 */
export const MLFLOW_STATUS = {
	RESOURCE_DOES_NOT_EXIST: 404,
	ENDPOINT_NOT_FOUND: 404,
	INVALID_PARAMETER_VALUE: 400,
	RESOURCE_ALREADY_EXISTS: 400,
	BAD_REQUEST: 400,
	UNAUTHENTICATED: 401,
	PERMISSION_DENIED: 403,
	REQUEST_LIMIT_EXCEEDED: 429,
	INTERNAL_ERROR: 500,
	TEMPORARILY_UNAVAILABLE: 503
} as const satisfies Record<string, ContentfulStatusCode>;
export type MlflowErrorCode = keyof typeof MLFLOW_STATUS;

export class MlflowError extends Error {
	readonly errorCode: MlflowErrorCode;
	readonly status: ContentfulStatusCode;
	/** Seconds before a retry may succeed (the Retry-After header MLflow's client honours). */
	retryAfter?: number;

	constructor(errorCode: MlflowErrorCode, message: string, status?: ContentfulStatusCode) {
		super(message);
		this.name = 'MlflowError';
		this.errorCode = errorCode;
		this.status = status ?? MLFLOW_STATUS[errorCode];
	}
}

export const notFound = (message: string) => new MlflowError('RESOURCE_DOES_NOT_EXIST', message);
export const invalid = (message: string) => new MlflowError('INVALID_PARAMETER_VALUE', message);
export const exists = (message: string) => new MlflowError('RESOURCE_ALREADY_EXISTS', message);

/** The registry's own codes (ApiError, rejected mutations) in MLflow's words; the HTTP status is kept where MLflow has none. */
const FROM_REGISTRY: Record<string, MlflowErrorCode> = {
	invalid_request: 'INVALID_PARAMETER_VALUE',
	unsupported_media_type: 'BAD_REQUEST',
	payload_too_large: 'BAD_REQUEST',
	length_required: 'BAD_REQUEST',
	unauthenticated: 'UNAUTHENTICATED',
	forbidden: 'PERMISSION_DENIED',
	not_found: 'RESOURCE_DOES_NOT_EXIST',
	conflict: 'RESOURCE_ALREADY_EXISTS',
	rate_limited: 'REQUEST_LIMIT_EXCEEDED',
	unavailable: 'TEMPORARILY_UNAVAILABLE'
};

export function fromRegistry(code: string, message: string, status?: ContentfulStatusCode): MlflowError {
	const errorCode = FROM_REGISTRY[code] ?? 'INTERNAL_ERROR';
	// 413 and 411 stay (no MLflow code says "too large" or "length required"); the rest take MLflow's status.
	return new MlflowError(errorCode, message, status === 413 || status === 411 ? status : undefined);
}

/**
 * onError for the MLflow sub-app: it also catches what authenticate and the body readers throw, and the domain
 * errors of the write path, in MLflow's codes.
 */
export function mlflowOnError(err: Error, c: Context): Response {
	const e =
		err instanceof MlflowError
			? err
			: err instanceof ApiError
				? Object.assign(fromRegistry(err.code, err.message, err.status), { retryAfter: err.retryAfter })
				: err instanceof DomainError
					? Object.assign(fromRegistry(err.code, err.message, statusOf(err)), { retryAfter: err.retryAfter })
					: null;
	if (e?.retryAfter !== undefined) c.header('Retry-After', String(e.retryAfter));
	if (e) return c.json({ error_code: e.errorCode, message: e.message }, e.status);
	console.error('unhandled error', c.req.method, new URL(c.req.url).pathname, err);
	return c.json({ error_code: 'INTERNAL_ERROR', message: 'Internal server error' }, 500);
}
