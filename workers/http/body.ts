import type { Context } from 'hono';
import type { z } from 'zod';
import { LIMITS } from '../../src/lib/contract';
import { parseOrInvalid } from '../domain/parse';
import { ApiError } from '../errors';
import { JsonBodyError, parseJson } from './json';
import { loneSurrogateMessage, loneSurrogatePath } from './unicode';

/**
 * Reads a JSON body against a contract schema. Every way it can be wrong ends in a 4xx that names the problem:
 * too large (413), not JSON (415 for another content type, 400 for bad JSON or nesting past LIMITS.jsonDepth), or
 * not the right shape (400 with each issue's path), before anything is written.
 */
export async function jsonBody<S extends z.ZodType>(
	c: Context,
	schema: S,
	limit: number = LIMITS.jsonBodyBytes
): Promise<z.infer<S>> {
	const type = c.req.header('content-type') ?? '';
	if (type && !/^application\/json\b/i.test(type))
		throw new ApiError({
			status: 415,
			code: 'unsupported_media_type',
			message: `The body must be application/json, not ${type}.`
		});
	const text = await readText(c.req.raw, limit);
	let value: unknown;
	try {
		value = parseJson(text);
	} catch (e) {
		const limit = e instanceof JsonBodyError ? e.depthLimit : undefined;
		throw new ApiError({
			status: 400,
			code: 'invalid_request',
			message: (e as Error).message,
			...(limit ? { details: { depthLimit: limit } } : {})
		});
	}
	const lone = loneSurrogatePath(value);
	if (lone !== null)
		throw new ApiError({
			status: 400,
			code: 'invalid_request',
			message: `Invalid body: ${loneSurrogateMessage(lone)}`,
			details: { path: lone }
		});
	return parseWith(schema, value, 'body');
}

/** A 400 naming the first issue's path (onError maps the InvalidInput). */
export const parseWith = parseOrInvalid;

/** The body as text, refusing more than `limit` bytes whether or not Content-Length says so. */
export async function readText(req: Request, limit: number): Promise<string> {
	const bytes = await readBytes(req, limit);
	try {
		return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
	} catch {
		throw new ApiError({ status: 400, code: 'invalid_request', message: 'The body is not valid UTF-8.' });
	}
}

export async function readBytes(req: Request, limit: number): Promise<Uint8Array> {
	const tooLarge = () =>
		new ApiError({
			status: 413,
			code: 'payload_too_large',
			message: `The body is larger than ${limit} bytes.`,
			details: { limit }
		});
	const declared = Number(req.headers.get('content-length'));
	if (Number.isFinite(declared) && declared > limit) throw tooLarge();
	if (!req.body) return new Uint8Array();
	const reader = req.body.getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		total += value.byteLength;
		if (total > limit) {
			await reader.cancel();
			throw tooLarge();
		}
		chunks.push(value);
	}
	const out = new Uint8Array(total);
	let at = 0;
	for (const ch of chunks) {
		out.set(ch, at);
		at += ch.byteLength;
	}
	return out;
}
