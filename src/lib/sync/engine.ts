import type { EdgebookDB } from '$lib/tracking/db';
import { onOutboxChange } from '$lib/tracking/outbox';
import { retryDelay } from './backoff';
import { RegistryClient, RegistryError } from './client';
import { pullChanges } from './pull';
import { pushOutbox } from './push';
import { readConfig, setState } from './state';
import { SyncStatus } from './status.svelte';

/**
 * The sync engine: push the outbox, then pull the feed; on a failure worth retrying, wait (exponential
 * backoff with jitter, capped at 30 s, or the server's Retry-After) and go again. Everything it touches is
 * injectable so tests drive it with a fake fetch, clock and timers, and several engines can share a process.
 */

export type SyncResult =
	| { ok: true; pushed: number; rejected: number; pulled: number; missing: number }
	| {
			ok: false;
			reason: 'signed-out' | 'offline' | 'retrying' | 'failed';
			message: string;
			retryInMs?: number;
	  };

interface LockManagerLike {
	request<T>(name: string, cb: () => Promise<T>): Promise<T>;
}
type Schedule = (fn: () => void, ms: number) => () => void;

export interface SyncEngineOptions {
	db: EdgebookDB;
	fetch?: typeof fetch;
	now?: () => number;
	random?: () => number;
	schedule?: Schedule;
	/** Web Locks: one tab syncs at a time. Defaults to navigator.locks where it exists. */
	locks?: LockManagerLike | null;
	/** Where `online`/`offline` are raised (window in a browser). */
	events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null;
	isOnline?: () => boolean;
	status?: SyncStatus;
	/** A request with no answer after this long is lost. */
	timeoutMs?: number;
	/** Wait after a local write, so a burst of writes leaves in one push. */
	debounceMs?: number;
	/** Pull this often while idle, for changes made elsewhere. */
	pollMs?: number;
	baseDelayMs?: number;
	maxDelayMs?: number;
	/** Per artifact blob fetched by the pull; one that fails is skipped and retried later. */
	blobTimeoutMs?: number;
	/** First wait before a missing artifact is tried again (doubling, capped at an hour). */
	missingRetryBaseMs?: number;
}

const LOCK = 'edgebook-sync';
const defaultSchedule: Schedule = (fn, ms) => {
	const t = setTimeout(fn, ms);
	return () => clearTimeout(t);
};

export class SyncEngine {
	readonly status: SyncStatus;
	readonly #o: SyncEngineOptions;
	readonly #now: () => number;
	readonly #random: () => number;
	readonly #schedule: Schedule;
	readonly #locks: LockManagerLike | null;
	#attempt = 0;
	#running: Promise<SyncResult> | null = null;
	#again = false;
	#cancelTimer: (() => void) | null = null;
	#stops: (() => void)[] = [];
	#started = false;

	constructor(o: SyncEngineOptions) {
		this.#o = o;
		this.status = o.status ?? new SyncStatus();
		this.#now = o.now ?? Date.now;
		this.#random = o.random ?? Math.random;
		this.#schedule = o.schedule ?? defaultSchedule;
		const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
		this.#locks = o.locks === undefined ? (nav?.locks ?? null) : o.locks;
	}

	/** Idempotent: syncs now, after local writes, when the browser comes online, and every `pollMs`. */
	start(): void {
		if (this.#started) return;
		this.#started = true;
		const debounce = this.#o.debounceMs ?? 300;
		this.#stops.push(onOutboxChange(() => this.#later(debounce)));
		const ev = this.#o.events ?? (typeof window !== 'undefined' ? window : null);
		if (ev) {
			const online = () => void this.syncNow();
			const offline = () => this.status.set({ state: 'offline' });
			ev.addEventListener('online', online);
			ev.addEventListener('offline', offline);
			this.#stops.push(() => {
				ev.removeEventListener('online', online);
				ev.removeEventListener('offline', offline);
			});
		}
		const poll = this.#o.pollMs ?? 30_000;
		let cancelPoll = () => {};
		const tick = () => {
			cancelPoll = this.#schedule(() => {
				if (!this.#cancelTimer && !this.#running) void this.syncNow();
				tick();
			}, poll);
		};
		tick();
		this.#stops.push(() => cancelPoll());
		void this.syncNow();
	}

	stop(): void {
		this.#started = false;
		for (const s of this.#stops.splice(0)) s();
		this.#cancelTimer?.();
		this.#cancelTimer = null;
	}

	#later(ms: number) {
		if (this.#running) {
			this.#again = true;
			return;
		}
		this.#cancelTimer?.();
		this.#cancelTimer = this.#schedule(() => {
			this.#cancelTimer = null;
			void this.syncNow();
		}, ms);
		void this.refreshCounts();
	}

	/** One pass now (or right after the running one). Resolves with what happened; never throws. */
	syncNow(): Promise<SyncResult> {
		if (this.#running) {
			this.#again = true;
			return this.#running;
		}
		this.#cancelTimer?.();
		this.#cancelTimer = null;
		const run = (async () => {
			let result: SyncResult;
			do {
				this.#again = false;
				result = await (this.#locks ? this.#locks.request(LOCK, () => this.#pass()) : this.#pass());
			} while (this.#again && result.ok);
			return result;
		})();
		this.#running = run.finally(() => {
			this.#running = null;
		});
		return this.#running;
	}

	async refreshCounts(): Promise<void> {
		const d = this.#o.db;
		const [pending, rejected] = await Promise.all([
			d.outbox.where('state').equals('pending').count(),
			d.outbox.where('state').equals('rejected').count()
		]);
		const state = this.status.state;
		this.status.set({
			pending,
			rejected,
			...(state === 'synced' && pending ? { state: 'pending' as const } : {})
		});
	}

	async #pass(): Promise<SyncResult> {
		const d = this.#o.db;
		const config = await readConfig(d);
		if (!config) {
			this.status.set({ state: 'signed-out', url: null, workspaceId: null, error: null, retryAt: null });
			await this.refreshCounts();
			return { ok: false, reason: 'signed-out', message: 'Not signed in to a registry.' };
		}
		this.status.set({ url: config.url, workspaceId: config.workspaceId });
		if (
			this.#o.isOnline?.() === false ||
			(globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false
		) {
			this.status.set({ state: 'offline' });
			await this.refreshCounts();
			return { ok: false, reason: 'offline', message: 'The browser is offline.' };
		}
		this.status.set({ state: 'syncing', retryAt: null });
		const client = new RegistryClient({
			url: config.url,
			token: config.token,
			fetch: this.#o.fetch,
			timeoutMs: this.#o.timeoutMs,
			now: this.#now
		});
		try {
			const pushed = await pushOutbox({ db: d, client, clientId: config.clientId });
			const pulled = await pullChanges({
				db: d,
				client,
				clientId: config.clientId,
				now: this.#now,
				random: this.#random,
				blobTimeoutMs: this.#o.blobTimeoutMs,
				missingRetryBaseMs: this.#o.missingRetryBaseMs
			});
			const at = this.#now();
			this.#attempt = 0;
			await d.transaction('rw', d.syncState, async () => {
				await setState(d, 'lastSyncAt', at);
				await setState(d, 'lastError', null);
			});
			this.status.set({ state: 'synced', error: null, lastSyncAt: at, missing: pulled.missing });
			await this.refreshCounts();
			return {
				ok: true,
				pushed: pushed.applied,
				rejected: pushed.rejected,
				pulled: pulled.applied,
				missing: pulled.missing
			};
		} catch (e) {
			return this.#failed(e);
		}
	}

	async #failed(e: unknown): Promise<SyncResult> {
		const d = this.#o.db;
		const err = e instanceof RegistryError ? e : null;
		const message = (e as Error)?.message ?? String(e);
		await setState(d, 'lastError', message).catch(() => {});
		await this.refreshCounts().catch(() => {});
		if (err && !err.retryable) {
			this.status.set({ state: 'error', error: message, retryAt: null });
			return { ok: false, reason: 'failed', message };
		}
		// Retryable: no answer, 5xx, 429 — or a local hiccup (IndexedDB busy), which a later pass may clear.
		const f = err?.failure;
		const wait = retryDelay({
			attempt: this.#attempt++,
			random: this.#random,
			retryAfterMs: f?.kind === 'retry' ? f.retryAfterMs : null,
			baseMs: this.#o.baseDelayMs,
			maxMs: this.#o.maxDelayMs
		});
		this.status.set({
			state: f?.kind === 'offline' ? 'offline' : 'pending',
			error: message,
			retryAt: this.#now() + wait
		});
		if (this.#started) {
			this.#cancelTimer?.();
			this.#cancelTimer = this.#schedule(() => {
				this.#cancelTimer = null;
				void this.syncNow();
			}, wait);
		}
		return { ok: false, reason: f?.kind === 'offline' ? 'offline' : 'retrying', message, retryInMs: wait };
	}
}
