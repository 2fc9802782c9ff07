import { z } from 'zod';

/** Every error the registry answers has this body, whatever the route, so clients handle failures in one place. */
export const ERROR_CODES = [
	'invalid_request',
	'unauthenticated',
	'forbidden',
	'not_found',
	'conflict',
	'payload_too_large',
	'unsupported_media_type',
	'hash_mismatch',
	'out_of_order',
	'rate_limited',
	'not_migrated',
	'not_servable',
	'invalid_model',
	'broken_artifact',
	'internal'
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorBodySchema = z.object({
	error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() })
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
