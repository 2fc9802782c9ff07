// First: Dexie reads the global indexedDB when it loads.
import 'fake-indexeddb/auto';
import { pushRequestSchema, type Change, type Mutation, type PushResult } from '$lib/contract';
import { EdgebookDB, useDb } from '$lib/tracking/db';
import { writeConfig } from '$lib/sync/state';

/**
 * An in-memory registry that speaks the sync contract (push in order and exactly once per id, pull with
 * exclude), for unit tests of the browser side. The real Worker is exercised by tests/sync-chaos.
 */
export class FakeRegistry {
	log: {
		id: string;
		clientId: string | null;
		clientSeq: number | null;
		mutation: Mutation;
		outcome: string;
		result: Record<string, unknown> | null;
	}[] = [];
	requests: { method: string; path: string; search: string; query: URLSearchParams; body?: unknown }[] = [];
	blobs = new Map<string, Uint8Array>();
	/** Return this for the next requests instead of answering (a status, or 'drop' for no answer). */
	failures: (number | 'drop' | { status: number; headers?: Record<string, string> })[] = [];
	reject: (m: Mutation) => string | null = () => null;
	/** Blobs whose GET never answers (like one `wrangler dev` cannot serve); only the request's signal ends it. */
	hangingBlobs = new Set<string>();
	/** Blobs whose GET answers 200 but whose body never ends; the signal errors it, as fetch does. */
	stallingBlobs = new Set<string>();
	/** Blobs whose GET answers with this status instead of the bytes. */
	blobStatus = new Map<string, number>();
	versions = new Map<string, number>();

	fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
		const url = new URL(String(input));
		const method = init.method ?? 'GET';
		const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
		this.requests.push({ method, path: url.pathname, search: url.search, query: url.searchParams, body });
		const f = this.failures.shift();
		if (f === 'drop') throw new TypeError('fetch failed');
		if (f !== undefined) {
			const { status, headers } = typeof f === 'number' ? { status: f, headers: {} } : f;
			return Response.json({ error: { code: 'x', message: `failed with ${status}` } }, { status, headers });
		}
		if (url.pathname === '/api/v1/me')
			return Response.json({ tokenId: 't', workspaceId: 'ws', scopes: ['admin'] });
		if (url.pathname === '/api/v1/sync/push') return this.#push(body);
		if (url.pathname === '/api/v1/sync/pull') return this.#pull(url.searchParams);
		const blob = /^\/api\/v1\/blobs\/([0-9a-f]{64})$/.exec(url.pathname);
		if (blob) {
			const sha = blob[1];
			if (method === 'PUT') {
				this.blobs.set(sha, new Uint8Array(await new Response(init.body as BodyInit).arrayBuffer()));
				return new Response(null, { status: 201 });
			}
			if (method === 'GET' && this.hangingBlobs.has(sha))
				return new Promise<Response>((_, reject) => {
					const signal = init.signal;
					signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
				});
			if (method === 'GET' && this.stallingBlobs.has(sha)) {
				const signal = init.signal;
				const body = new ReadableStream<Uint8Array>({
					start(c) {
						c.enqueue(new Uint8Array([1]));
						signal?.addEventListener('abort', () => c.error(signal.reason), { once: true });
					}
				});
				return new Response(body, { status: 200 });
			}
			const status = method === 'GET' ? this.blobStatus.get(sha) : undefined;
			if (status)
				return Response.json({ error: { code: 'x', message: `blob failed with ${status}` } }, { status });
			const bytes = this.blobs.get(sha);
			if (!bytes) return Response.json({ error: { code: 'not_found', message: 'no' } }, { status: 404 });
			return new Response(method === 'HEAD' ? null : (bytes as Uint8Array<ArrayBuffer>), { status: 200 });
		}
		return new Response('not found', { status: 404 });
	};

	lastSeq(clientId: string) {
		return Math.max(0, ...this.log.filter((l) => l.clientId === clientId).map((l) => l.clientSeq ?? 0));
	}

	#push(raw: unknown) {
		const body = pushRequestSchema.parse(raw);
		let lastSeq = this.lastSeq(body.clientId);
		const results: PushResult[] = [];
		for (const env of body.mutations) {
			const seen = this.log.find((l) => l.id === env.id);
			if (env.seq > lastSeq + 1 || (env.seq <= lastSeq && !seen)) {
				if (!results.length)
					return Response.json(
						{ error: { code: 'out_of_order', message: 'gap', details: { expectedSeq: lastSeq + 1 } } },
						{ status: 409 }
					);
				break;
			}
			if (seen) {
				results.push({
					id: env.id,
					seq: env.seq,
					outcome: seen.outcome === 'applied' ? 'duplicate' : 'rejected',
					result: seen.result,
					error: seen.outcome === 'rejected' ? { code: 'invalid_request', message: 'no' } : null
				});
				continue;
			}
			const why = this.reject(env.mutation);
			let result: Record<string, unknown> | null = null;
			if (!why && env.mutation.type === 'model.version.create') {
				const n = (this.versions.get(env.mutation.modelName) ?? 0) + 1;
				this.versions.set(env.mutation.modelName, n);
				result = { version: n };
			}
			this.log.push({
				id: env.id,
				clientId: body.clientId,
				clientSeq: env.seq,
				mutation: env.mutation,
				outcome: why ? 'rejected' : 'applied',
				result
			});
			results.push(
				why
					? {
							id: env.id,
							seq: env.seq,
							outcome: 'rejected',
							result: null,
							error: { code: 'invalid_request', message: why }
						}
					: { id: env.id, seq: env.seq, outcome: 'applied', result, error: null }
			);
			lastSeq = env.seq;
		}
		return Response.json({ results, lastSeq });
	}

	/** A change made elsewhere (another browser, an MLflow client). */
	add(mutation: Mutation, result: Record<string, unknown> | null = null, clientId: string | null = 'other') {
		this.log.push({
			id: `m${this.log.length + 1}`,
			clientId,
			clientSeq: null,
			mutation,
			outcome: 'applied',
			result
		});
	}

	#pull(q: URLSearchParams) {
		// Cursors as the registry words them (w<n>); a plain number is a legacy cursor, read as the same position.
		const cursor = Number((q.get('cursor') ?? 'w0').replace(/^w/, ''));
		const limit = Number(q.get('limit') ?? 500);
		const exclude = q.get('exclude');
		const feed = this.log
			.map((l, i) => ({ ...l, seq: i + 1 }))
			.filter((l) => l.outcome === 'applied' && l.seq > cursor);
		const page = feed.slice(0, limit);
		const changes: Change[] = page
			.filter((l) => l.clientId !== exclude)
			.map((l) => ({
				seq: l.seq,
				clientId: l.clientId,
				mutationId: l.id,
				at: 1000,
				mutation: l.mutation,
				result: l.result
			}));
		return Response.json({
			changes,
			cursor: `w${page.length ? page[page.length - 1].seq : cursor}`,
			hasMore: feed.length > limit
		});
	}
}

let n = 0;
/** A fresh database, made the tracking module's current one. */
export function freshDb(): EdgebookDB {
	const d = new EdgebookDB(`registry-test-${++n}-${Math.random().toString(36).slice(2)}`);
	useDb(d);
	return d;
}

export async function signedIn(d: EdgebookDB, url = 'http://registry.test') {
	await writeConfig(d, { url, token: 'tok', workspaceId: 'ws', scopes: ['admin'] });
}

export const pending = (d: EdgebookDB) => d.outbox.where('state').equals('pending').toArray();
