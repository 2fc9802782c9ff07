import { z } from 'zod';
import {
	aliasTrafficSchema,
	errorBodySchema,
	type Traffic,
	type FeedCursor,
	pullResponseSchema,
	pushResponseSchema,
	type PullResponse,
	type PushRequest,
	type PushResponse
} from '$lib/contract';

/**
 * Typed fetch for the registry. Every failure is classified once, here, so the sync engine only asks "retry or
 * give up": no answer or a 5xx is worth retrying (429 after its Retry-After), any other 4xx is final.
 */

export type Failure =
	| { kind: 'offline'; message: string }
	| { kind: 'retry'; status: number; code: string; message: string; retryAfterMs: number | null }
	| { kind: 'final'; status: number; code: string; message: string; details?: unknown };

export class RegistryError extends Error {
	override readonly name = 'RegistryError';
	constructor(readonly failure: Failure) {
		super(failure.message);
	}
	get retryable(): boolean {
		return this.failure.kind !== 'final';
	}
}

export const meSchema = z.object({
	tokenId: z.string(),
	workspaceId: z.string(),
	scopes: z.array(z.string())
});
export type Me = z.infer<typeof meSchema>;

export interface ClientOptions {
	url: string;
	token: string;
	fetch?: typeof fetch;
	/** A request with no answer after this long counts as lost (a dropped connection never answers). */
	timeoutMs?: number;
	now?: () => number;
}

/** Seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
	if (!value) return null;
	const s = Number(value);
	if (Number.isFinite(s)) return Math.max(0, s * 1000);
	const at = Date.parse(value);
	return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export class RegistryClient {
	readonly url: string;
	readonly #token: string;
	readonly #fetch: typeof fetch;
	readonly #timeoutMs: number;
	readonly #now: () => number;

	constructor(o: ClientOptions) {
		this.url = o.url.replace(/\/+$/, '');
		this.#token = o.token;
		this.#fetch = o.fetch ?? ((...a) => globalThis.fetch(...a));
		this.#timeoutMs = o.timeoutMs ?? 30_000;
		this.#now = o.now ?? Date.now;
	}

	async #request(path: string, init: RequestInit = {}, timeoutMs = this.#timeoutMs): Promise<Response> {
		const headers = new Headers(init.headers);
		headers.set('authorization', `Bearer ${this.#token}`);
		let res: Response;
		try {
			res = await this.#fetch(`${this.url}${path}`, {
				...init,
				headers,
				signal: AbortSignal.timeout(timeoutMs)
			});
		} catch (e) {
			throw new RegistryError({
				kind: 'offline',
				message: `The registry at ${this.url} did not answer (${(e as Error)?.message ?? e}).`
			});
		}
		if (res.ok || (init.method === 'HEAD' && res.status === 404)) return res;
		throw await this.#failure(res);
	}

	async #failure(res: Response): Promise<RegistryError> {
		const text = await res.text().catch(() => '');
		let code = `http_${res.status}`;
		let message = `The registry answered ${res.status} ${res.statusText}.`;
		let details: unknown;
		try {
			const body = errorBodySchema.parse(JSON.parse(text));
			({ code, message, details } = body.error);
		} catch {
			// Not our JSON error body (a proxy's page, a crashed Worker): keep the status.
		}
		const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.#now());
		if (res.status === 429 || res.status >= 500)
			return new RegistryError({ kind: 'retry', status: res.status, code, message, retryAfterMs });
		return new RegistryError({ kind: 'final', status: res.status, code, message, details });
	}

	async #json<T>(schema: z.ZodType<T>, res: Response): Promise<T> {
		const type = res.headers.get('content-type') ?? '';
		// A web server that is not a registry (an SPA fallback, a proxy page) answers 200 with HTML.
		if (type && !/json/i.test(type))
			throw new RegistryError({
				kind: 'final',
				status: res.status,
				code: 'not_a_registry',
				message: `${this.url} is not an Edgebook registry: it answered ${type.split(';')[0]} where a registry answers JSON.`
			});
		let body: unknown;
		try {
			body = await res.json();
		} catch (e) {
			// The body was cut off on the way: the same as no answer.
			throw new RegistryError({
				kind: 'offline',
				message: `A response was cut off: ${(e as Error).message}`
			});
		}
		const parsed = schema.safeParse(body);
		if (!parsed.success)
			throw new RegistryError({
				kind: 'final',
				status: res.status,
				code: 'invalid_response',
				message: `The registry's answer does not match the contract: ${parsed.error.issues[0]?.message}`
			});
		return parsed.data;
	}

	async me(): Promise<Me> {
		return this.#json(meSchema, await this.#request('/api/v1/me'));
	}

	async push(body: PushRequest): Promise<PushResponse> {
		const res = await this.#request('/api/v1/sync/push', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body)
		});
		return this.#json(pushResponseSchema, res);
	}

	/** `cursor` as the last pull answered it (a number only if stored before per-workspace cursors). */
	async pull(q: { cursor: FeedCursor | number; limit?: number; exclude?: string }): Promise<PullResponse> {
		const params = new URLSearchParams({ cursor: String(q.cursor) });
		if (q.limit) params.set('limit', String(q.limit));
		if (q.exclude) params.set('exclude', q.exclude);
		return this.#json(pullResponseSchema, await this.#request(`/api/v1/sync/pull?${params}`));
	}

	async hasBlob(sha256: string): Promise<boolean> {
		return (await this.#request(`/api/v1/blobs/${sha256}`, { method: 'HEAD' })).status === 200;
	}

	async putBlob(sha256: string, bytes: Blob): Promise<void> {
		const res = await this.#request(`/api/v1/blobs/${sha256}`, {
			method: 'PUT',
			headers: { 'content-type': 'application/octet-stream' },
			body: bytes
		});
		await res.body?.cancel();
	}

	/**
	 * The bytes, or null when the registry holds none with that hash. The timeout covers the body too (the
	 * signal aborts its read): a blob whose bytes never finish arriving is a failure like no answer.
	 */
	async getBlob(sha256: string, o: { timeoutMs?: number } = {}): Promise<Blob | null> {
		try {
			const res = await this.#request(`/api/v1/blobs/${sha256}`, {}, o.timeoutMs);
			try {
				return await res.blob();
			} catch (e) {
				throw new RegistryError({
					kind: 'offline',
					message: `A blob was cut off: ${(e as Error)?.message ?? e}`
				});
			}
		} catch (e) {
			if (e instanceof RegistryError && e.failure.kind === 'final' && e.failure.status === 404) return null;
			throw e;
		}
	}

	/** An alias's traffic split, or null when it has none (GET …/aliases/:alias/traffic answers 404). */
	async traffic(model: string, alias: string): Promise<Traffic | null> {
		try {
			const res = await this.#request(this.#trafficPath(model, alias));
			return (await this.#json(aliasTrafficSchema, res)).traffic;
		} catch (e) {
			if (e instanceof RegistryError && e.failure.kind === 'final' && e.failure.status === 404) return null;
			throw e;
		}
	}

	/** Sets (a split) or ends (null) an alias's traffic split; the registry checks the versions first. */
	async setTraffic(model: string, alias: string, split: Traffic | null): Promise<void> {
		const path = this.#trafficPath(model, alias);
		const res = split
			? await this.#request(path, {
					method: 'PUT',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(split)
				})
			: await this.#request(path, { method: 'DELETE' }).catch((e) => {
					// Ending a split that is not there leaves what was asked for.
					if (e instanceof RegistryError && e.failure.kind === 'final' && e.failure.status === 404)
						return null;
					throw e;
				});
		await res?.body?.cancel();
	}

	/** A JSON write to the registry API; the answer's JSON, or a RegistryError naming the refusal. */
	async postJson(path: string, body: unknown): Promise<unknown> {
		const res = await this.#request(path, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body)
		});
		return this.#json(z.unknown(), res);
	}

	/** A DELETE of the registry API (an alert rule); the answer's JSON, or a RegistryError naming the refusal. */
	async deleteJson(path: string): Promise<unknown> {
		return this.#json(z.unknown(), await this.#request(path, { method: 'DELETE' }));
	}

	/** A file as the body of a POST (a batch job's input); the answer's JSON. Uploads get a minute per try. */
	async postFile(path: string, body: Blob, type: string): Promise<unknown> {
		const res = await this.#request(
			path,
			{ method: 'POST', headers: { 'content-type': type }, body },
			Math.max(this.#timeoutMs, 120_000)
		);
		return this.#json(z.unknown(), res);
	}

	/** A text read of the registry API (a batch job's NDJSON result). */
	async getText(path: string): Promise<string> {
		return (await this.#request(path, {}, Math.max(this.#timeoutMs, 120_000))).text();
	}

	/** Any JSON read of the registry API (the prediction log pages), with the client's auth and error handling. */
	async getJson(path: string): Promise<unknown> {
		return this.#json(z.unknown(), await this.#request(path));
	}

	#trafficPath(model: string, alias: string): string {
		return `/api/v1/models/${encodeURIComponent(model)}/aliases/${encodeURIComponent(alias)}/traffic`;
	}
}
