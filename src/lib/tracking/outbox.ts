import Dexie from 'dexie';
import { LIMITS, type Mutation } from '$lib/contract';
import type { EdgebookDB } from './db';
import { newId } from './ids';
import type { OutboxEntry } from './sync-schema';

/**
 * The outbox: every tracking write adds its mutations here inside the write's own transaction (the caller's
 * transaction must include `outbox`), so a write never exists without its entry nor an entry without its write.
 * Recording does not depend on being signed in: whatever is made offline syncs once a registry is configured.
 */

type Pair = { key: string; value: string };
type Point = { key: string; value: number; step: number; timestamp: number };

/** Rough cap of one mutation's text, so any mutation fits a push body (1 MiB) with room to spare. */
const MAX_CHARS_PER_MUTATION = 200_000;

const listeners = new Set<() => void>();
/** Called after a transaction that recorded mutations commits (the sync engine wakes up). */
export function onOutboxChange(fn: () => void): () => void {
	listeners.add(fn);
	return () => listeners.delete(fn);
}
function notify() {
	for (const fn of listeners) fn();
}

function blobOf(m: Mutation): string | undefined {
	if (m.type === 'artifact.link') return m.artifact.sha256;
	if (m.type === 'model.version.create') return m.artifactSha256 ?? undefined;
	return undefined;
}

export function outboxEntry(m: Mutation, at = Date.now()): Omit<OutboxEntry, 'seq'> {
	const e: Omit<OutboxEntry, 'seq'> = { id: newId('mut'), at, mutation: m, state: 'pending' };
	const sha = blobOf(m);
	if (sha) e.blobSha256 = sha;
	return e;
}

/** Inside the caller's transaction. */
export async function record(d: EdgebookDB, mutations: Mutation[], at = Date.now()): Promise<void> {
	if (!mutations.length) return;
	await d.outbox.bulkAdd(mutations.map((m) => outboxEntry(m, at)));
	const tx = Dexie.currentTransaction;
	if (tx) tx.on('complete', notify);
	else notify();
}

/** Split by count and by size: MLflow's log-batch limits, and one push body per mutation at most. */
function chunk<T>(items: readonly T[], max: number, size: (t: T) => number): T[][] {
	const out: T[][] = [];
	let cur: T[] = [];
	let chars = 0;
	for (const it of items) {
		const n = size(it);
		if (cur.length && (cur.length >= max || chars + n > MAX_CHARS_PER_MUTATION)) {
			out.push(cur);
			cur = [];
			chars = 0;
		}
		cur.push(it);
		chars += n;
	}
	if (cur.length) out.push(cur);
	return out;
}
const pairSize = (p: Pair) => p.key.length + p.value.length + 16;

export const toPairs = (map: Record<string, string>): Pair[] =>
	Object.entries(map).map(([key, value]) => ({ key, value }));

/** run.log mutations for any amount of data: ≤1000 metrics, ≤100 params, ≤100 tags each. */
export function runLog(
	runId: string,
	data: { metrics?: readonly Point[]; params?: readonly Pair[]; tags?: readonly Pair[] }
): Mutation[] {
	const m = chunk(data.metrics ?? [], LIMITS.metricsPerBatch, (p) => p.key.length + 64);
	const p = chunk(data.params ?? [], LIMITS.paramsPerBatch, pairSize);
	const t = chunk(data.tags ?? [], LIMITS.tagsPerBatch, pairSize);
	const out: Mutation[] = [];
	for (let i = 0; i < Math.max(m.length, p.length, t.length); i++) {
		// One kind per mutation when a chunk is already large, so two big chunks never share a body.
		out.push({
			type: 'run.log',
			runId,
			metrics: (m[i] ?? []).map(({ key, value, step, timestamp }) => ({ key, value, step, timestamp })),
			params: p[i] ?? [],
			tags: t[i] ?? []
		});
	}
	return splitLarge(out);
}

function splitLarge(ms: Mutation[]): Mutation[] {
	return ms.flatMap((m): Mutation[] => {
		if (m.type !== 'run.log') return [m];
		const chars = m.params.reduce((n, x) => n + pairSize(x), 0) + m.tags.reduce((n, x) => n + pairSize(x), 0);
		if (chars <= MAX_CHARS_PER_MUTATION || !m.params.length || !m.tags.length) return [m];
		return [
			{ ...m, tags: [] },
			{ type: 'run.log', runId: m.runId, metrics: [], params: [], tags: m.tags }
		];
	});
}
