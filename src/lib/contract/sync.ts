import { z } from 'zod';
import { LIMITS } from './limits';
import { epochMs, idSchema } from './records';
import { mutationSchema } from './mutations';

/**
 * Sync: a browser pushes its outbox in order; each entry has a client-generated id (exactly once) and the
 * client's sequence number (in order, no gaps). It pulls what others applied with a cursor over the change feed.
 */

export const envelopeSchema = z.strictObject({
	id: idSchema,
	seq: z.number().int().positive(),
	at: epochMs,
	mutation: mutationSchema
});
export type Envelope = z.infer<typeof envelopeSchema>;

export const pushRequestSchema = z.strictObject({
	clientId: idSchema,
	mutations: z.array(envelopeSchema).min(1).max(LIMITS.mutationsPerPush)
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

/**
 * applied: written now. duplicate: written by an earlier push (its first outcome is repeated).
 * rejected: refused for good (e.g. a param logged again with another value): the client drops it and shows why.
 */
export const OUTCOMES = ['applied', 'duplicate', 'rejected'] as const;
export const pushResultSchema = z.object({
	id: z.string(),
	seq: z.number(),
	outcome: z.enum(OUTCOMES),
	/** What the registry decided, e.g. `{ version: 3 }` for a new model version. */
	result: z.record(z.string(), z.unknown()).nullable(),
	error: z.object({ code: z.string(), message: z.string() }).nullable()
});
export type PushResult = z.infer<typeof pushResultSchema>;

export const pushResponseSchema = z.object({
	results: z.array(pushResultSchema),
	/** The highest sequence number of this client the registry holds. */
	lastSeq: z.number().int().nonnegative()
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

/**
 * A change-feed cursor: `w<n>`, after the n-th change of the caller's own workspace (numbered per workspace, so
 * it says nothing about other workspaces). Opaque to clients: store the one the registry answers, send it back.
 * A plain number is a cursor stored before the per-workspace numbering (a global position); the registry
 * translates it, so a browser that held one misses no change (docs/sync.md).
 */
export const feedCursorSchema = z.string().regex(/^w\d{1,15}$/, 'a feed cursor is w<number>');
export type FeedCursor = z.infer<typeof feedCursorSchema>;
export const FEED_START: FeedCursor = 'w0';

export const changeSchema = z.object({
	/** Position in the workspace's own change feed (1, 2, 3… per workspace). */
	seq: z.number().int().positive(),
	clientId: z.string().nullable(),
	mutationId: z.string(),
	at: epochMs,
	mutation: mutationSchema,
	result: z.record(z.string(), z.unknown()).nullable()
});
export type Change = z.infer<typeof changeSchema>;

export const pullResponseSchema = z.object({
	changes: z.array(changeSchema),
	cursor: feedCursorSchema,
	hasMore: z.boolean()
});
export type PullResponse = z.infer<typeof pullResponseSchema>;
