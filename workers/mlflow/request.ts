import type { Context } from 'hono';
import { z } from 'zod';
import { LIMITS, type Mutation, type Scope } from '../../src/lib/contract';
import { hasScope } from '../auth/tokens';
import { readText } from '../http/body';
import { parseJson } from '../http/json';
import { loneSurrogateMessage, loneSurrogatePath } from '../http/unicode';
import { DomainError } from '../domain/errors';
import type { MetricRowIn } from '../registry/plan-runs';
import { check, write } from '../registry/write';
import type { AppEnv } from '../types';
import { MlflowError, fromRegistry, invalid } from './errors';

export type Ctx = Context<AppEnv>;

/**
 * MLflow's handlers read GET requests from the query string and everything else from a JSON body (an empty or
 * unparsable body counts as `{}`, so a missing field is reported by name rather than as bad JSON).
 */
async function rawMessage(c: Ctx): Promise<Record<string, unknown>> {
	const url = new URL(c.req.url);
	// HEAD is answered by the GET handlers (Hono), so it reads the same query string.
	const method = c.req.method;
	if (method === 'GET' || method === 'HEAD' || (method === 'DELETE' && url.search.length > 1)) {
		const out: Record<string, unknown> = {};
		for (const key of new Set(url.searchParams.keys())) {
			const all = url.searchParams.getAll(key);
			// `experiment_ids[]=1` and `experiment_ids[0]=1` are how some clients spell a repeated field.
			out[key.replace(/\[\d*\]$/, '')] = all.length === 1 && !/\[\d*\]$/.test(key) ? all[0] : all;
		}
		return out;
	}
	const text = await readText(c.req.raw, LIMITS.jsonBodyBytes);
	if (!text.trim()) return {};
	let value: unknown;
	try {
		value = parseJson(text);
	} catch (e) {
		throw new MlflowError('BAD_REQUEST', (e as Error).message);
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value))
		throw new MlflowError('BAD_REQUEST', 'The request body must be a JSON object.');
	const lone = loneSurrogatePath(value);
	if (lone !== null) throw invalid(loneSurrogateMessage(lone));
	return value as Record<string, unknown>;
}

function at(obj: unknown, path: PropertyKey[]): unknown {
	let v = obj;
	for (const p of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
	return v;
}

/** Parses the request into `schema`; failures read as MLflow's handlers word them, with INVALID_PARAMETER_VALUE. */
export async function readMessage<S extends z.ZodType>(c: Ctx, schema: S): Promise<z.infer<S>> {
	const raw = await rawMessage(c);
	const parsed = schema.safeParse(raw);
	if (parsed.success) return parsed.data;
	const issue = parsed.error.issues[0];
	const name = issue.path.map(String).join('.');
	const value = at(raw, issue.path);
	if (value === undefined && issue.code === 'invalid_type')
		throw invalid(`Missing value for required parameter '${name}'.`);
	throw invalid(
		`Invalid value ${JSON.stringify(value) ?? ''} for parameter '${name}' supplied: ${issue.message}`.trim()
	);
}

/** Field types as MLflow's protos declare them; int64s may arrive as JSON strings (proto3 JSON) or query text. */
export const f = {
	str: z.string(),
	// Beyond 2^53 a number no longer holds the integer it was sent as (400 digits parse as Infinity): refused.
	int: z
		.union([
			z.number().int(),
			z
				.string()
				.regex(/^-?\d+$/)
				.transform(Number)
		])
		.refine(Number.isSafeInteger, 'an integer within ±2^53'),
	maxResults: (max: number) =>
		z
			.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)])
			.refine((n) => n >= 1 && n <= max, `max_results must be between 1 and ${max}`),
	list: <T extends z.ZodType>(item: T) =>
		z.preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(item)),
	tags: z.array(z.object({ key: z.string(), value: z.string().default('') })).default([])
};

export function requireScope(c: Ctx, scope: Scope): void {
	const caller = c.get('caller');
	if (!hasScope(caller, scope))
		throw new MlflowError('PERMISSION_DENIED', `This token lacks the "${scope}" scope.`);
}

export const workspace = (c: Ctx) => c.get('caller').workspaceId;

/**
 * Every MLflow write goes through the registry's one checked entry, as contract mutations; keys, names and
 * lengths are checked there, so MLflow input meets the same rules as sync's. Several mutations are all checked
 * before the first is applied. A refusal becomes MLflow's error code here, in the door.
 */
export async function apply(
	c: Ctx,
	mutations: Mutation | Mutation[],
	specialMetrics?: MetricRowIn[]
): Promise<Record<string, unknown> | null> {
	const out = await write({ db: c.env.DB }, workspace(c), [mutations].flat(), { specialMetrics });
	if (out instanceof DomainError) throw mlflowOf(out);
	return out[0].result;
}

const mlflowOf = (e: DomainError) =>
	Object.assign(fromRegistry(e.code, e.message), { retryAfter: e.retryAfter });

/** Checks mutations against the contract before the lookups a handler does first, as MLflow orders its errors. */
export function checkAll(...mutations: Mutation[]): void {
	const bad = check(mutations);
	if (bad) throw mlflowOf(bad);
}

/** Page tokens are opaque to clients; ours carry an offset into the ordered result. */
export const pageToken = {
	encode: (offset: number) => btoa(JSON.stringify({ offset })),
	decode(token: string | undefined): number {
		if (!token) return 0;
		try {
			const { offset } = JSON.parse(atob(token)) as { offset: unknown };
			if (Number.isInteger(offset) && (offset as number) >= 0) return offset as number;
		} catch {
			// fall through to the error below
		}
		throw invalid(`Invalid page token "${token}".`);
	}
};

/** One page of an ordered list, with next_page_token only when more remain (as MLflow answers). */
export function page<T>(items: T[], offset: number, max: number): { items: T[]; next_page_token?: string } {
	const slice = items.slice(offset, offset + max);
	return offset + max < items.length
		? { items: slice, next_page_token: pageToken.encode(offset + max) }
		: { items: slice };
}
