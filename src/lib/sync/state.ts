import { FEED_START } from '$lib/contract';
import type { EdgebookDB } from '$lib/tracking/db';
import { newId } from '$lib/tracking/ids';
import type { SyncStateKey } from '$lib/tracking/sync-schema';

/** The syncState table as typed values. Reads validate lightly: it is our own table, written only here. */

export interface SyncConfig {
	clientId: string;
	url: string;
	token: string;
	workspaceId: string;
	scopes: string[];
}

export async function getState<T>(d: EdgebookDB, key: SyncStateKey): Promise<T | undefined> {
	return (await d.syncState.get(key))?.value as T | undefined;
}

export function setState(d: EdgebookDB, key: SyncStateKey, value: unknown): Promise<unknown> {
	return d.syncState.put({ key, value });
}

/** One id per browser database, kept across sign-outs: the registry orders this client's mutations by it. */
export async function clientIdOf(d: EdgebookDB): Promise<string> {
	return d.transaction('rw', d.syncState, async () => {
		const id = await getState<string>(d, 'clientId');
		if (id) return id;
		const fresh = newId('client');
		await setState(d, 'clientId', fresh);
		return fresh;
	});
}

export async function readConfig(d: EdgebookDB): Promise<SyncConfig | null> {
	const rows = await d.syncState.bulkGet(['url', 'token', 'workspaceId', 'scopes']);
	const [url, token, workspaceId, scopes] = rows.map((r) => r?.value);
	if (typeof url !== 'string' || typeof token !== 'string' || typeof workspaceId !== 'string') return null;
	return {
		clientId: await clientIdOf(d),
		url,
		token,
		workspaceId,
		scopes: Array.isArray(scopes) ? (scopes as string[]) : []
	};
}

/** Save a registry; another registry or workspace than before starts its pull feed from the beginning. */
export async function writeConfig(
	d: EdgebookDB,
	c: { url: string; token: string; workspaceId: string; scopes: string[] }
): Promise<void> {
	await d.transaction('rw', d.syncState, async () => {
		const [url, ws] = [await getState(d, 'url'), await getState(d, 'workspaceId')];
		if (url !== c.url || ws !== c.workspaceId) {
			await setState(d, 'cursor', FEED_START);
			await setState(d, 'missingArtifacts', []); // the other registry's blobs
		}
		for (const [k, v] of Object.entries(c)) await setState(d, k as SyncStateKey, v);
		await setState(d, 'lastError', null);
	});
}

export async function clearConfig(d: EdgebookDB): Promise<void> {
	await d.syncState.bulkDelete(['token', 'scopes', 'lastError']);
}
