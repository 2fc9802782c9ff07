import { FEED_START, LIMITS, type Change, type FeedCursor, type Mutation } from '$lib/contract';
import type { EdgebookDB } from '$lib/tracking/db';
import { applyModel } from './apply-models';
import { applyExperiment, applyRun, type ApplyContext } from './apply-runs';
import type { RegistryClient } from './client';
import {
	BLOB_TIMEOUT_MS,
	fetchBlob,
	missingKey,
	nextRetryAt,
	readMissing,
	retryMissing,
	writeMissing
} from './missing-artifacts';
import { ownReplay } from './own-changes';
import { getState, setState } from './state';

/**
 * Pull: pages of what other clients applied, after our cursor. Each page is applied in ONE transaction with
 * the new cursor, so a change is applied locally exactly once even if the tab closes mid-pull.
 */

export function assertNever(x: never): never {
	throw new Error(`Unhandled mutation: ${JSON.stringify(x)}`);
}

export function applyChange(c: ApplyContext, m: Mutation): Promise<void> {
	switch (m.type) {
		case 'experiment.create':
		case 'experiment.rename':
		case 'experiment.delete':
		case 'experiment.restore':
		case 'experiment.tag.set':
		case 'experiment.tag.delete':
			return applyExperiment(c, m);
		case 'run.create':
		case 'run.log':
		case 'run.update':
		case 'run.tag.delete':
		case 'run.delete':
		case 'run.restore':
		case 'artifact.link':
		case 'artifact.delete':
			return applyRun(c, m);
		case 'model.create':
		case 'model.update':
		case 'model.rename':
		case 'model.delete':
		case 'model.tag.set':
		case 'model.tag.delete':
		case 'model.version.create':
		case 'model.version.update':
		case 'model.version.delete':
		case 'model.version.tag.set':
		case 'model.version.tag.delete':
		case 'model.alias.set':
		case 'model.alias.delete':
			return applyModel(c, m);
		default:
			return assertNever(m);
	}
}

/** The fields local pending mutations will overwrite at the registry (they are applied after this page). */
export function touchedBy(m: Mutation): string[] {
	switch (m.type) {
		case 'experiment.rename':
			return [`exp:${m.experimentId}:name`];
		case 'run.update':
			return [
				...(m.status !== undefined ? [`run:${m.runId}:status`] : []),
				...(m.name !== undefined ? [`run:${m.runId}:name`] : []),
				...(m.note !== undefined ? [`run:${m.runId}:note`] : [])
			];
		case 'run.log':
			return m.tags.map((t) => `run:${m.runId}:tag:${t.key}`);
		case 'run.tag.delete':
			return [`run:${m.runId}:tag:${m.key}`];
		case 'model.update':
			return [`model:${m.name}:description`];
		case 'model.alias.set':
		case 'model.alias.delete':
			return [`alias:${m.modelName}:${m.alias}`];
		default:
			return [];
	}
}

const NEEDS_PENDING = new Set<Mutation['type']>([
	'experiment.rename',
	'run.update',
	'run.log',
	'run.tag.delete',
	'model.update',
	'model.alias.set',
	'model.alias.delete'
]);

async function pendingFields(d: EdgebookDB, changes: Change[]): Promise<Set<string>> {
	const out = new Set<string>();
	if (!changes.some((c) => NEEDS_PENDING.has(c.mutation.type))) return out;
	await d.outbox
		.where('state')
		.equals('pending')
		.each((e) => {
			for (const k of touchedBy(e.mutation)) out.add(k);
		});
	return out;
}

/**
 * Bytes of linked artifacts we do not hold, fetched before the page's transaction, each under its own timeout.
 * A blob that fails is named in `failed` (with why) and never fails the page: one bad blob must not stall sync.
 */
async function fetchBlobs(d: EdgebookDB, client: RegistryClient, changes: Change[], timeoutMs: number) {
	const blobs = new Map<string, Blob>();
	const failed = new Map<string, string>();
	const missing = await readMissing(d);
	for (const { mutation: m } of changes) {
		if (m.type !== 'artifact.link') continue;
		const sha = m.artifact.sha256;
		if (blobs.has(sha) || failed.has(sha) || missing.has(missingKey(m.artifact))) continue;
		const held = await d.artifacts.where('[runId+name]').equals([m.artifact.runId, m.artifact.name]).first();
		if (held) continue;
		const got = await fetchBlob(client, sha, timeoutMs);
		if ('blob' in got) blobs.set(sha, got.blob);
		else failed.set(sha, got.reason);
	}
	return { blobs, failed };
}

/**
 * The stored cursor: what the registry last answered. A number is one stored before cursors were counted per
 * workspace; it is sent as it is and the registry translates it (docs/sync.md), so no change is skipped.
 */
type StoredCursor = FeedCursor | number;

export interface PullOptions {
	db: EdgebookDB;
	client: RegistryClient;
	clientId: string;
	limit?: number;
	now?: () => number;
	random?: () => number;
	/** Per blob; see missing-artifacts.ts. */
	blobTimeoutMs?: number;
	/** First wait before a missing artifact is tried again (doubling, capped). */
	missingRetryBaseMs?: number;
}

export async function pullChanges(
	o: PullOptions
): Promise<{ applied: number; cursor: StoredCursor; missing: number }> {
	const d = o.db;
	const now = o.now ?? Date.now;
	const retry = { now, random: o.random, retryBaseMs: o.missingRetryBaseMs, blobTimeoutMs: o.blobTimeoutMs };
	let applied = 0;
	let cursor = (await getState<StoredCursor>(d, 'cursor')) ?? FEED_START;
	// Our own last-writer-wins changes must be replayed at their place in the feed (own-changes.ts).
	const withOwn = (await getState<boolean>(d, 'replayOwn')) === true;
	for (;;) {
		const page = await o.client.pull({
			cursor,
			limit: o.limit ?? LIMITS.changesPerPull,
			exclude: withOwn ? undefined : o.clientId
		});
		const theirs = page.changes.filter((c) => c.clientId !== o.clientId);
		const { blobs, failed } = await fetchBlobs(d, o.client, theirs, o.blobTimeoutMs ?? BLOB_TIMEOUT_MS);
		const tables = [
			d.syncState,
			d.experiments,
			d.runs,
			d.metrics,
			d.artifacts,
			d.models,
			d.modelVersions,
			d.outbox
		];
		await d.transaction('rw', tables, async () => {
			// Another tab may have applied this page meanwhile: the stored cursor decides.
			if (((await getState<StoredCursor>(d, 'cursor')) ?? FEED_START) !== cursor) return;
			const pending = await pendingFields(d, page.changes);
			const missing = await readMissing(d);
			const ctx = { d, pending, blobs, failed, missing, now: now(), retryAt: nextRetryAt(retry, 1) };
			for (const change of page.changes) {
				const m = change.clientId === o.clientId ? ownReplay(change.mutation) : change.mutation;
				if (m) await applyChange({ ...ctx, change }, m);
			}
			await writeMissing(d, missing);
			await setState(d, 'cursor', page.cursor);
			if (withOwn && !page.hasMore) await setState(d, 'replayOwn', false);
			applied += theirs.length;
		});
		cursor = (await getState<StoredCursor>(d, 'cursor')) ?? page.cursor;
		if (!page.hasMore) break;
	}
	const missing = await retryMissing({ d, client: o.client, ...retry });
	return { applied, cursor, missing };
}
