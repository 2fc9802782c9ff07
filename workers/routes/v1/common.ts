import type { Context } from 'hono';
import { z } from 'zod';
import type { Mutation } from '../../../src/lib/contract';
import { ApiError } from '../../errors';
import { parseWith } from '../../http/body';
import { DomainError } from '../../domain/errors';
import { write } from '../../registry/write';
import type { AppEnv } from '../../types';

/** Helpers every /api/v1 route group shares: the one write path, 404s, and validated path parameters. */

export type Ctx = Context<AppEnv>;

/**
 * Applies one mutation for the caller's workspace through the registry's one checked entry. A refusal is thrown
 * as its DomainError, which onError answers with the status of its code (workers/http/domain-status.ts); the
 * batch is one transaction, so a refusal never leaves half a write.
 */
export async function apply(c: Ctx, mutation: Mutation): Promise<Record<string, unknown> | null> {
	const out = await write({ db: c.env.DB }, ws(c), [mutation]);
	if (out instanceof DomainError) throw out;
	return out[0].result;
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

/** A time in a query: milliseconds since the epoch, as digits. */
export const msQuery = z
	.string()
	.regex(/^\d{1,15}$/, 'a time is milliseconds since the epoch, as digits')
	.transform(Number);

/** The windows time series are cut into (`?window=`). */
export const WINDOWS: Record<'hour' | 'day', number> = { hour: 3_600_000, day: 86_400_000 };
