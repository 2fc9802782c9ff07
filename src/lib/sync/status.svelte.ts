/**
 * What the sync engine is doing, for the UI (docs/architecture.md, Conventions): one instance, written only by the engine.
 * 'pending' means changes wait for the next try (after a failure, or because one is scheduled).
 */
export type SyncState = 'signed-out' | 'synced' | 'pending' | 'syncing' | 'offline' | 'error';

export interface SyncStatusSnapshot {
	state: SyncState;
	pending: number;
	rejected: number;
	error: string | null;
	lastSyncAt: number | null;
	url: string | null;
	workspaceId: string | null;
	/** When the next automatic try is due (epoch ms), while waiting after a failure. */
	retryAt: number | null;
	/** Artifacts pulled without their bytes (they could not be fetched); retried later. */
	missing: number;
}

export class SyncStatus {
	#s = $state<SyncStatusSnapshot>({
		state: 'signed-out',
		pending: 0,
		rejected: 0,
		error: null,
		lastSyncAt: null,
		url: null,
		workspaceId: null,
		retryAt: null,
		missing: 0
	});

	get state(): SyncState {
		return this.#s.state;
	}
	get pending(): number {
		return this.#s.pending;
	}
	get rejected(): number {
		return this.#s.rejected;
	}
	get error(): string | null {
		return this.#s.error;
	}
	get lastSyncAt(): number | null {
		return this.#s.lastSyncAt;
	}
	get url(): string | null {
		return this.#s.url;
	}
	get workspaceId(): string | null {
		return this.#s.workspaceId;
	}
	get retryAt(): number | null {
		return this.#s.retryAt;
	}
	get missing(): number {
		return this.#s.missing;
	}

	snapshot(): SyncStatusSnapshot {
		return { ...this.#s };
	}

	/** For the engine. */
	set(patch: Partial<SyncStatusSnapshot>): void {
		Object.assign(this.#s, patch);
	}
}
