import { Hono } from 'hono';
import {
	pushRequestSchema,
	type PullResponse,
	type PushResponse,
	type PushResult
} from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { DomainError, Unavailable, domainErrorOf } from '../../domain/errors';
import { ApiError } from '../../errors';
import { jsonBody, parseWith } from '../../http/body';
import { logged } from '../../registry/apply';
import { write, type Written } from '../../registry/write';
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
			results.push(
				resultOf(
					env,
					seen.outcome === 'rejected'
						? domainErrorOf(seen.code, seen.message)
						: { id: env.id, outcome: seen.outcome, seq: seen.seq, result: seen.result }
				)
			);
			continue;
		}
		const out = await write({ db: c.env.DB }, caller.workspaceId, [env.mutation], {
			from: { clientId: body.clientId, id: env.id, seq: env.seq, at: env.at, scopes: caller.scopes }
		});
		// Momentary: the whole push is a 503 with Retry-After (onError) and the outbox sends it again.
		if (out instanceof Unavailable) throw out;
		results.push(resultOf(env, out instanceof DomainError ? out : out[0]));
		lastSeq = env.seq;
	}
	return c.json({ results, lastSeq } satisfies PushResponse);
});

function resultOf(env: { id: string; seq: number }, out: Written | DomainError): PushResult {
	return out instanceof DomainError
		? {
				id: env.id,
				seq: env.seq,
				outcome: 'rejected',
				result: null,
				error: { code: out.code, message: out.message }
			}
		: { id: env.id, seq: env.seq, outcome: out.outcome, result: out.result, error: null };
}

sync.get('/pull', requireScope('read'), async (c) => {
	const caller = c.get('caller');
	const q = parseWith(pullQuery, c.req.query(), 'query');
	return c.json((await readFeed(c.env.DB, caller.workspaceId, q)) satisfies PullResponse);
});
