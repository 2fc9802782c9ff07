import { z } from 'zod';
import { FEED_START, LIMITS, type Change, type FeedCursor } from '../../src/lib/contract';

/**
 * The change feed: a workspace's applied mutations in apply order, numbered per workspace (`ws_seq`, assigned
 * by migration 0005's trigger), so a cursor never reveals how many writes other workspaces made.
 */

const WS_CURSOR = /^w(\d{1,15})$/;
const LEGACY_CURSOR = /^\d{1,15}$/;

export const pullQuery = z.object({
	cursor: z
		.string()
		.regex(
			new RegExp(`${WS_CURSOR.source}|${LEGACY_CURSOR.source}`),
			'a cursor is the one the last pull answered (w<number>)'
		)
		.default(FEED_START),
	limit: z.coerce.number().int().min(1).max(LIMITS.changesPerPull).default(LIMITS.changesPerPull),
	/** A client skips its own changes (it already holds them); the cursor still moves past them. */
	exclude: z.string().max(64).optional()
});

/**
 * The workspace position a cursor stands for. A plain number is a global seq stored by a browser before
 * migration 0005: it becomes the last of this workspace's changes at or before it, so nothing is skipped.
 * Only global seqs that existed before the migration are looked at (any higher one is clamped), so probing
 * with numbers learns nothing about writes made since, when the numbering became per workspace.
 */
async function positionOf(db: D1Database, workspaceId: string, cursor: string): Promise<number> {
	const ws = WS_CURSOR.exec(cursor);
	if (ws) return Number(ws[1]);
	const row = await db
		.prepare(
			`SELECT COALESCE(MAX(ws_seq), 0) AS n FROM mutations WHERE workspace_id = ?1 AND seq <= MIN(?2,
			 (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'feed_legacy_max_seq'))`
		)
		.bind(workspaceId, Number(cursor))
		.first<{ n: number }>();
	return row?.n ?? 0;
}

export const cursorAt = (n: number): FeedCursor => `w${n}`;

export async function readFeed(
	db: D1Database,
	workspaceId: string,
	q: z.infer<typeof pullQuery>
): Promise<{ changes: Change[]; cursor: FeedCursor; hasMore: boolean }> {
	const after = await positionOf(db, workspaceId, q.cursor);
	const { results } = await db
		.prepare(
			`SELECT ws_seq, client_id, mutation_id, body, result, at FROM mutations
			 WHERE workspace_id = ? AND outcome = 'applied' AND ws_seq > ? ORDER BY ws_seq LIMIT ?`
		)
		.bind(workspaceId, after, q.limit + 1)
		.all<{
			ws_seq: number;
			client_id: string | null;
			mutation_id: string;
			body: string;
			result: string | null;
			at: number;
		}>();
	const page = results.slice(0, q.limit);
	const changes = page
		.filter((r) => !q.exclude || r.client_id !== q.exclude)
		.map((r) => ({
			seq: r.ws_seq,
			clientId: r.client_id,
			mutationId: r.mutation_id,
			at: r.at,
			mutation: JSON.parse(r.body),
			result: r.result ? JSON.parse(r.result) : null
		}));
	const cursor = cursorAt(page.length ? page[page.length - 1].ws_seq : after);
	return { changes, cursor, hasMore: results.length > q.limit };
}
