import type { Context } from 'hono';
import type { z } from 'zod';
import type { Mutation } from '../../../src/lib/contract';
import { ApiError } from '../../errors';
import { parseWith } from '../../http/body';
import { newMutationId, submit } from '../../registry/submit';
import type { AppEnv } from '../../types';

/** Helpers every /api/v1 route group shares: the one write path, 404s, and validated path parameters. */

export type Ctx = Context<AppEnv>;

/** A fresh id (mutations, versions): the HTTP routes are not retried by an outbox. */
export const newId = newMutationId;

/**
 * Applies one mutation for the caller's workspace (the registry's single write path). A refusal becomes the
 * route's 4xx with the planner's message; the batch is one transaction, so a refusal never leaves half a write.
 */
export async function apply(c: Ctx, mutation: Mutation): Promise<Record<string, unknown> | null> {
	const out = await submit(c.env.DB, c.get('caller').workspaceId, mutation);
	if (out.outcome === 'rejected')
		throw new ApiError({
			status: out.status as 400,
			code: out.code,
			message: out.message,
			details: out.details
		});
	return out.result;
}

export const notFound = (message: string, details?: unknown) =>
	new ApiError({ status: 404, code: 'not_found', message, details });

export const conflictError = (message: string, details?: unknown) =>
	new ApiError({ status: 409, code: 'conflict', message, details });

/** A path parameter checked against a contract schema: 400 naming the parameter when it is malformed. */
export function param<S extends z.ZodType>(c: Ctx, name: string, schema: S): z.infer<S> {
	return parseWith(schema, c.req.param(name), `path parameter "${name}"`);
}

export const ws = (c: Ctx) => c.get('caller').workspaceId;
