import type { Mutation } from '$lib/contract';

/** Stored shapes of the sync tables (db.ts v3). See docs/sync.md. */

export interface OutboxEntry {
	/** The client's sequence number: the auto-increment key, so the push order is the commit order. */
	seq?: number;
	/** Random mutation id: the registry applies each id exactly once. */
	id: string;
	at: number;
	mutation: Mutation;
	/** Bytes the registry must hold before this mutation is pushed (an artifact, a model's weights). */
	blobSha256?: string;
	state: 'pending' | 'rejected';
	/** Why the registry refused it, kept so the user sees it. */
	error?: { code: string; message: string };
}

export interface SyncStateRow {
	key: SyncStateKey;
	value: unknown;
}
export type SyncStateKey =
	| 'clientId'
	| 'url'
	| 'token'
	| 'workspaceId'
	| 'scopes'
	| 'cursor'
	| 'lastSyncAt'
	| 'lastError'
	| 'missingArtifacts'
	| 'replayOwn';

/** An artifact the pull could not fetch the bytes of; retried later (docs/sync.md). */
export interface MissingArtifact {
	runId: string;
	name: string;
	mediaType: string;
	bytes: number;
	sha256: string;
	/** The feed change that linked it (names the local row like a pulled one). */
	changeSeq: number;
	/** Why the last try failed, for the user. */
	reason: string;
	attempts: number;
	since: number;
	retryAt: number;
}

export interface LocalModel {
	name: string;
	description: string;
	createdAt: number;
	updatedAt: number;
	tags: Record<string, string>;
	/** alias → version id (known offline; the number may not be). */
	aliases: Record<string, string>;
}

export interface LocalModelVersion {
	/** Client-chosen id; the number comes from the registry. */
	id: string;
	modelName: string;
	version: number | null;
	sourceRunId: string | null;
	artifactSha256: string | null;
	signature: Record<string, unknown> | null;
	description: string;
	createdAt: number;
	tags: Record<string, string>;
}
