import { envelopeSchema, LIMITS, type Envelope, type PushResult } from '$lib/contract';
import type { EdgebookDB } from '$lib/tracking/db';
import type { OutboxEntry } from '$lib/tracking/sync-schema';
import { RegistryError, type RegistryClient } from './client';
import { ownReplay } from './own-changes';
import { setState } from './state';

/**
 * Push: blobs first, then the outbox in sequence order, in chunks the registry accepts. The registry applies
 * each mutation id exactly once, so any chunk may be sent again after a lost answer.
 */

/** Leaves room under the registry's 1 MiB body limit for the envelope around the mutations. */
export const MAX_PUSH_CHARS = 900_000;

export interface PushReport {
	applied: number;
	rejected: number;
}

/** The pending entries at the head of the outbox that fit one push. */
export async function nextChunk(d: EdgebookDB): Promise<OutboxEntry[]> {
	const head = await d.outbox.where('state').equals('pending').limit(LIMITS.mutationsPerPush).toArray();
	const out: OutboxEntry[] = [];
	let chars = 0;
	for (const e of head) {
		const n = JSON.stringify(e.mutation).length + 120;
		if (out.length && chars + n > MAX_PUSH_CHARS) break;
		out.push(e);
		chars += n;
	}
	return out;
}

async function uploadBlobs(d: EdgebookDB, client: RegistryClient, entries: OutboxEntry[]) {
	const shas = new Set(entries.flatMap((e) => (e.blobSha256 ? [e.blobSha256] : [])));
	for (const sha of shas) {
		if (await client.hasBlob(sha)) continue;
		const blob = await localBlob(d, entries, sha);
		// Bytes gone locally (the file was replaced): the registry refuses the link and says why.
		if (blob) await client.putBlob(sha, blob);
	}
}

async function localBlob(d: EdgebookDB, entries: OutboxEntry[], sha: string): Promise<Blob | null> {
	const runIds = new Set(
		entries.flatMap((e) =>
			e.blobSha256 !== sha
				? []
				: e.mutation.type === 'artifact.link'
					? [e.mutation.artifact.runId]
					: e.mutation.type === 'model.version.create' && e.mutation.sourceRunId
						? [e.mutation.sourceRunId]
						: []
		)
	);
	for (const runId of runIds) {
		const files = await d.artifacts.where('[runId+name]').between([runId, ''], [runId, '\uffff']).toArray();
		const hit = files.find((f) => f.sha256 === sha);
		if (hit) return hit.blob;
	}
	return (await d.artifacts.filter((a) => a.sha256 === sha).first())?.blob ?? null;
}

/**
 * The registry expects `expected` next but our head is elsewhere: sequence numbers were skipped (an aborted
 * write, a locally refused entry) or are already taken by other mutations. Renumbering is safe because the
 * registry recognises a mutation by its id, whatever its number: one it holds comes back as a duplicate.
 */
export async function renumberFrom(d: EdgebookDB, expected: number): Promise<void> {
	await d.transaction('rw', d.outbox, async () => {
		const pending = await d.outbox.where('state').equals('pending').toArray();
		const stale = await d.outbox.where('seq').aboveOrEqual(expected).toArray();
		const rejected = stale.filter((e) => e.state === 'rejected');
		const moving = [...pending, ...rejected].sort((a, b) => a.seq! - b.seq!);
		await d.outbox.bulkDelete(moving.map((e) => e.seq!));
		// Pending first and contiguous; refused ones (never re-sent) after them, still visible.
		const order = [...pending.sort((a, b) => a.seq! - b.seq!), ...rejected];
		await d.outbox.bulkAdd(order.map((e, i) => ({ ...e, seq: expected + i })));
	});
}

async function settle(d: EdgebookDB, results: PushResult[]): Promise<PushReport> {
	const report = { applied: 0, rejected: 0 };
	await d.transaction('rw', d.outbox, d.modelVersions, d.runs, d.syncState, async () => {
		for (const r of results) {
			const entry = await d.outbox.get(r.seq);
			if (!entry || entry.id !== r.id) continue;
			if (r.outcome === 'rejected') {
				report.rejected++;
				await d.outbox.update(r.seq, {
					state: 'rejected',
					error: r.error ?? { code: 'rejected', message: 'The registry refused this change.' }
				});
				continue;
			}
			report.applied++;
			await d.outbox.delete(r.seq);
			await learn(d, entry, r.result);
			// The next pull replays it in the registry's order, after remote changes applied before it.
			if (ownReplay(entry.mutation)) await setState(d, 'replayOwn', true);
		}
	});
	return report;
}

/** What the registry decided that the browser could not know: version numbers, a status that lost. */
async function learn(d: EdgebookDB, entry: OutboxEntry, result: Record<string, unknown> | null) {
	const m = entry.mutation;
	if (m.type === 'model.version.create' && typeof result?.version === 'number')
		await d.modelVersions.update(m.id, { version: result.version });
	if (m.type === 'run.update' && result?.statusIgnored === true && typeof result.status === 'string')
		// First end wins: another browser ended this run before us; show what the registry holds.
		await d.runs.update(m.runId, { status: result.status as never });
}

/** A locally invalid entry would make the registry refuse the whole push: refuse it here, alone. */
async function refuseInvalid(d: EdgebookDB, entries: OutboxEntry[]): Promise<OutboxEntry[]> {
	const ok: OutboxEntry[] = [];
	for (const e of entries) {
		const parsed = envelopeSchema.safeParse({ id: e.id, seq: e.seq, at: e.at, mutation: e.mutation });
		if (parsed.success) {
			ok.push(e);
			continue;
		}
		await d.outbox.update(e.seq!, {
			state: 'rejected',
			error: { code: 'invalid_request', message: parsed.error.issues[0]?.message ?? 'invalid' }
		});
		break; // the rest would leave a gap; the next round renumbers them
	}
	return ok;
}

export async function pushOutbox(o: {
	db: EdgebookDB;
	client: RegistryClient;
	clientId: string;
}): Promise<PushReport> {
	const total = { applied: 0, rejected: 0 };
	for (let rounds = 0; rounds < 10_000; rounds++) {
		const chunk = await nextChunk(o.db);
		if (!chunk.length) break;
		const valid = await refuseInvalid(o.db, chunk);
		if (!valid.length) continue;
		await uploadBlobs(o.db, o.client, valid);
		const mutations: Envelope[] = valid.map((e) => ({
			id: e.id,
			seq: e.seq!,
			at: e.at,
			mutation: e.mutation
		}));
		let res;
		try {
			res = await o.client.push({ clientId: o.clientId, mutations });
		} catch (e) {
			const f = e instanceof RegistryError ? e.failure : null;
			const expected = (
				f?.kind === 'final' && f.code === 'out_of_order'
					? (f.details as { expectedSeq?: unknown } | undefined)?.expectedSeq
					: undefined
			) as number | undefined;
			if (typeof expected === 'number' && expected !== valid[0].seq) {
				await renumberFrom(o.db, expected);
				continue;
			}
			throw e;
		}
		const r = await settle(o.db, res.results);
		total.applied += r.applied;
		total.rejected += r.rejected;
	}
	return total;
}
