import { SCOPES, TOKEN_PATTERN, type Scope } from '../../src/lib/contract';
import { randomText, sameText, sha256Hex } from './hash';
import type { Caller } from '../types';

/** A new token's parts: `eb_<id>_<secret>`; store `secretHash`, show `secret` once. */
export async function mintToken(): Promise<{ id: string; secret: string; secretHash: string }> {
	const id = randomText(16);
	const secret = `eb_${id}_${randomText(43)}`;
	return { id, secret, secretHash: await sha256Hex(secret) };
}

export const LOCAL_WORKSPACE = 'local';

/**
 * The caller a bearer token stands for, or null. EDGEBOOK_ADMIN_TOKEN (from `.dev.vars` or the environment)
 * is an admin of the local workspace, so scripts and MLflow clients can be pointed at a local instance.
 */
export async function callerFor(
	db: D1Database,
	bearer: string,
	adminToken: string | undefined,
	now = Date.now()
): Promise<Caller | null> {
	if (adminToken && sameText(bearer, adminToken))
		return { tokenId: 'env-admin', workspaceId: LOCAL_WORKSPACE, scopes: ['admin'], federatedJob: null };
	const match = TOKEN_PATTERN.exec(bearer);
	if (!match) return null;
	const row = await db
		.prepare(
			'SELECT id, workspace_id, secret_hash, scopes, last_used_at, revoked_at, federated_job FROM tokens WHERE id = ?'
		)
		.bind(match[1])
		.first<{
			id: string;
			workspace_id: string;
			secret_hash: string;
			scopes: string;
			last_used_at: number | null;
			revoked_at: number | null;
			federated_job: string | null;
		}>();
	if (!row || row.revoked_at !== null) return null;
	if (!sameText(await sha256Hex(bearer), row.secret_hash)) return null;
	// Last use to the minute is enough to spot unused tokens, and spares a write on every request.
	if (row.last_used_at === null || now - row.last_used_at > 60_000)
		await db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?').bind(now, row.id).run();
	const scopes = (JSON.parse(row.scopes) as string[]).filter((s): s is Scope =>
		(SCOPES as readonly string[]).includes(s)
	);
	return { tokenId: row.id, workspaceId: row.workspace_id, scopes, federatedJob: row.federated_job };
}

export function hasScope(caller: Caller, scope: Scope): boolean {
	return caller.scopes.includes('admin') || caller.scopes.includes(scope);
}
