import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { DomainError } from '../domain/errors';

/** The /api/v1 door's reading of the services' domain errors: one status per code (docs/architecture.md). */
const STATUS: Record<string, ContentfulStatusCode> = {
	invalid_request: 400,
	forbidden: 403,
	not_found: 404,
	conflict: 409,
	not_servable: 409,
	payload_too_large: 413,
	invalid_model: 422,
	broken_artifact: 503,
	unavailable: 503
};

export const statusOf = (e: DomainError): ContentfulStatusCode => STATUS[e.code] ?? 400;
