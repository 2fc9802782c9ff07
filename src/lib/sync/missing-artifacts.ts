import type { MutationOf } from '$lib/contract';
import type { EdgebookDB } from '$lib/tracking/db';
import type { MissingArtifact } from '$lib/tracking/sync-schema';
import { retryDelay } from './backoff';
import { RegistryError, type RegistryClient } from './client';
import { getState, setState } from './state';

/**
 * Artifacts whose bytes the pull could not fetch (no answer in time, 404, 5xx). One bad blob must never
 * stall sync (docs/sync.md): the pull records it here, applies everything else and moves its cursor on;
 * later passes retry it with backoff until the bytes arrive or the artifact is deleted.
 */

export type { MissingArtifact };

/** The first retry waits about this long, doubling up to MISSING_RETRY_MAX_MS. */
export const MISSING_RETRY_BASE_MS = 30_000;
export const MISSING_RETRY_MAX_MS = 60 * 60_000;
/** A blob with no answer after this long is given up for this pass. */
export const BLOB_TIMEOUT_MS = 30_000;

export const missingKey = (a: { runId: string; name: string }) => `${a.runId}\u0000${a.name}`;

export async function readMissing(d: EdgebookDB): Promise<Map<string, MissingArtifact>> {
	const list = (await getState<MissingArtifact[]>(d, 'missingArtifacts')) ?? [];
	return new Map(list.map((m) => [missingKey(m), m]));
}

export function writeMissing(d: EdgebookDB, map: Map<string, MissingArtifact>): Promise<unknown> {
	return setState(d, 'missingArtifacts', [...map.values()]);
}

/** Artifacts this browser knows of but does not hold, oldest first, for the UI. */
export async function listMissing(d: EdgebookDB): Promise<(MissingArtifact & { runName: string | null })[]> {
	const list = [...(await readMissing(d)).values()].sort((a, b) => a.since - b.since);
	const runs = await d.runs.bulkGet(list.map((m) => m.runId));
	return list.map((m, i) => ({ ...m, runName: runs[i]?.name ?? null }));
}

/** Why a blob could not be fetched, in words for the user. */
export function blobFailure(e: unknown, timeoutMs: number): string {
	if (e instanceof RegistryError) {
		const f = e.failure;
		if (f.kind === 'offline')
			return /time|abort/i.test(f.message)
				? `no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`
				: `the download failed: ${f.message}`;
		return `the registry answered ${f.status}: ${f.message}`;
	}
	return (e as Error)?.message ?? String(e);
}

export type BlobOutcome = { blob: Blob } | { reason: string };

/** The bytes, or why not. Never throws: the caller records the failure and carries on. */
export async function fetchBlob(
	client: RegistryClient,
	sha256: string,
	timeoutMs: number
): Promise<BlobOutcome> {
	try {
		const blob = await client.getBlob(sha256, { timeoutMs });
		return blob ? { blob } : { reason: 'the registry holds no bytes for it (404)' };
	} catch (e) {
		return { reason: blobFailure(e, timeoutMs) };
	}
}

export function newMissing(
	a: MutationOf<'artifact.link'>['artifact'],
	changeSeq: number,
	reason: string,
	now: number,
	retryAt: number
): MissingArtifact {
	const { runId, name, mediaType, bytes, sha256 } = a;
	return { runId, name, mediaType, bytes, sha256, changeSeq, reason, attempts: 1, since: now, retryAt };
}

export interface RetryOptions {
	d: EdgebookDB;
	client: RegistryClient;
	now: () => number;
	random?: () => number;
	blobTimeoutMs?: number;
	retryBaseMs?: number;
	retryMaxMs?: number;
}

export function nextRetryAt(o: Omit<RetryOptions, 'd' | 'client'>, attempts: number): number {
	const wait = retryDelay({
		attempt: attempts - 1,
		random: o.random ?? Math.random,
		baseMs: o.retryBaseMs ?? MISSING_RETRY_BASE_MS,
		maxMs: o.retryMaxMs ?? MISSING_RETRY_MAX_MS
	});
	return o.now() + wait;
}

/** Try again the missing artifacts whose wait is over; returns how many are still missing. */
export async function retryMissing(o: RetryOptions): Promise<number> {
	const { d } = o;
	const due = [...(await readMissing(d)).values()].filter((m) => m.retryAt <= o.now());
	const timeoutMs = o.blobTimeoutMs ?? BLOB_TIMEOUT_MS;
	for (const m of due) {
		const got = await fetchBlob(o.client, m.sha256, timeoutMs);
		await d.transaction('rw', [d.syncState, d.runs, d.artifacts], async () => {
			const map = await readMissing(d);
			const cur = map.get(missingKey(m));
			if (!cur) return; // deleted (or fetched by another tab) meanwhile
			if ('blob' in got) {
				map.delete(missingKey(m));
				const held = await d.artifacts.where('[runId+name]').equals([m.runId, m.name]).first();
				if (!held && (await d.runs.get(m.runId)))
					await d.artifacts.add(artifactRow(m, got.blob, m.changeSeq));
			} else {
				const attempts = cur.attempts + 1;
				map.set(missingKey(m), { ...cur, reason: got.reason, attempts, retryAt: nextRetryAt(o, attempts) });
			}
			await writeMissing(d, map);
		});
	}
	return (await readMissing(d)).size;
}

export function artifactRow(
	a: { runId: string; name: string; mediaType: string; bytes: number; sha256: string },
	blob: Blob,
	changeSeq: number
) {
	return {
		id: `art_${a.sha256.slice(0, 12)}_${changeSeq}`,
		runId: a.runId,
		name: a.name,
		mediaType: a.mediaType,
		bytes: a.bytes,
		sha256: a.sha256,
		blob: new Blob([blob], { type: a.mediaType })
	};
}
