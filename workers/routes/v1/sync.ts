import { Hono } from 'hono';
import { z } from 'zod';
import {
	pushRequestSchema,
	scopeFor,
	type PullResponse,
	type PushResponse,
	type PushResult
} from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { hasScope } from '../../auth/tokens';
import { ApiError } from '../../errors';
import { jsonBody, parseWith } from '../../http/body';
import { applyMutation, logged, type ApplyOutcome } from '../../registry/apply';
import { pullQuery, readFeed } from '../../registry/feed';
import type { AppEnv } from '../../types';

/**
 * Sync. Push applies a browser's outbox in its order, each mutation exactly once; pull pages through the
 * workspace's change feed after a cursor. See docs/sync.md for the rules.
 */
export const sync = new Hono<AppEnv>();

async function lastSeqOf(db: D1Database, workspaceId: string, clientId: string): Promise<number> {
	const row = await db
		.prepare(
			'SELECT COALESCE(MAX(client_seq), 0) AS n FROM mutations WHERE workspace_id = ? AND client_id = ?'
		)
		.bind(workspaceId, clientId)
		.first<{ n: number }>();
	return row?.n ?? 0;
}

sync.post('/push', requireScope('write'), async (c) => {
	const caller = c.get('caller');
	const body = await jsonBody(c, pushRequestSchema);
	let lastSeq = await lastSeqOf(c.env.DB, caller.workspaceId, body.clientId);
	const results: PushResult[] = [];
	for (const env of body.mutations) {
		if (env.seq > lastSeq + 1) {
			// A gap: something before this was never received. Stop; the client re-sends from lastSeq + 1.
			if (!results.length)
				throw new ApiError({
					status: 409,
					code: 'out_of_order',
					message: `Mutation ${env.id} has sequence ${env.seq}, but the registry expects ${lastSeq + 1} next from this client.`,
					details: { expectedSeq: lastSeq + 1 }
				});
			break;
		}
		if (env.seq <= lastSeq) {
			// Sent before (a retry, or a duplicated request): repeat its first outcome.
			const seen = await logged(c.env.DB, caller.workspaceId, env.id);
			if (!seen)
				throw new ApiError({
					status: 409,
					code: 'out_of_order',
					message: `Sequence ${env.seq} from this client was already used by another mutation.`,
					details: { expectedSeq: lastSeq + 1 }
				});
			results.push(resultOf(env, seen));
			continue;
		}
		const scope = scopeFor(env.mutation);
		const out = hasScope(caller, scope)
			? await applyMutation({
					db: c.env.DB,
					workspaceId: caller.workspaceId,
					mutationId: env.id,
					clientId: body.clientId,
					clientSeq: env.seq,
					at: env.at,
					mutation: env.mutation
				})
			: await applyForbidden(c.env.DB, caller.workspaceId, body.clientId, env, scope);
		results.push(resultOf(env, out));
		lastSeq = env.seq;
	}
	return c.json({ results, lastSeq } satisfies PushResponse);
});

function resultOf(env: { id: string; seq: number }, out: ApplyOutcome): PushResult {
	return out.outcome === 'rejected'
		? {
				id: env.id,
				seq: env.seq,
				outcome: 'rejected',
				result: null,
				error: { code: out.code, message: out.message }
			}
		: { id: env.id, seq: env.seq, outcome: out.outcome, result: out.result, error: null };
}
/** A mutation the token may not make is refused for good (logged as rejected), so the outbox moves past it. */
async function applyForbidden(
	db: D1Database,
	workspaceId: string,
	clientId: string,
	env: z.infer<typeof pushRequestSchema>['mutations'][number],
	scope: string
) {
	const error = {
		status: 403,
		code: 'forbidden',
		message: `This token lacks the "${scope}" scope needed for ${env.mutation.type}.`
	};
	const existing = await db
		.prepare('SELECT seq FROM mutations WHERE workspace_id = ? AND mutation_id = ?')
		.bind(workspaceId, env.id)
		.first<{ seq: number }>();
	if (!existing)
		await db
			.prepare(
				`INSERT INTO mutations (workspace_id, mutation_id, client_id, client_seq, type, body, outcome, error, at, applied_at)
				 VALUES (?, ?, ?, ?, ?, ?, 'rejected', ?, ?, ?)`
			)
			.bind(
				workspaceId,
				env.id,
				clientId,
				env.seq,
				env.mutation.type,
				JSON.stringify(env.mutation),
				JSON.stringify(error),
				env.at,
				Date.now()
			)
			.run();
	return { outcome: 'rejected' as const, seq: env.seq, ...error };
}

sync.get('/pull', requireScope('read'), async (c) => {
	const caller = c.get('caller');
	const q = parseWith(pullQuery, c.req.query(), 'query');
	return c.json((await readFeed(c.env.DB, caller.workspaceId, q)) satisfies PullResponse);
});
