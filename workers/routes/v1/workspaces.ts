import { Hono, type Context } from 'hono';
import { workspaceCreateSchema, workspaceUpdateSchema, type Workspace } from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { hasScope, LOCAL_WORKSPACE, mintToken } from '../../auth/tokens';
import { ApiError } from '../../errors';
import { jsonBody } from '../../http/body';
import type { AppEnv } from '../../types';
import { ws } from './common';

/**
 * Workspaces. Any token reads its own; its admins rename it. Creating and listing workspaces belongs to the
 * install's own admins (admins of the `local` workspace, which includes EDGEBOOK_ADMIN_TOKEN): a workspace's
 * admin never learns that other workspaces exist.
 */
export const workspaces = new Hono<AppEnv>();

type Row = { id: string; name: string; created_at: string };
const toWire = (r: Row): Workspace => ({
	id: r.id,
	name: r.name,
	createdAt: r.created_at
});

function requireInstallAdmin(c: Context<AppEnv>) {
	const caller = c.get('caller');
	if (caller.workspaceId !== LOCAL_WORKSPACE || !hasScope(caller, 'admin'))
		throw new ApiError({
			status: 403,
			code: 'forbidden',
			message: 'Only admins of the local workspace (the install) create and list workspaces.'
		});
}

async function current(db: D1Database, id: string): Promise<Row> {
	const row = await db
		.prepare('SELECT id, name, created_at FROM workspaces WHERE id = ?')
		.bind(id)
		.first<Row>();
	// A token always belongs to an existing workspace (the foreign key); say so if that ever breaks.
	if (!row)
		throw new ApiError({
			status: 404,
			code: 'not_found',
			message: `No workspace ${id}.`
		});
	return row;
}

workspaces.get('/current', async (c) => c.json(toWire(await current(c.env.DB, ws(c))), 200));

workspaces.patch('/current', requireScope('admin'), async (c) => {
	const { name } = await jsonBody(c, workspaceUpdateSchema);
	await c.env.DB.prepare('UPDATE workspaces SET name = ? WHERE id = ?').bind(name, ws(c)).run();
	return c.json(toWire(await current(c.env.DB, ws(c))), 200);
});

workspaces.get('/', async (c) => {
	requireInstallAdmin(c);
	const { results } = await c.env.DB.prepare(
		'SELECT id, name, created_at FROM workspaces ORDER BY created_at, id'
	).all<Row>();
	return c.json({ workspaces: results.map(toWire) }, 200);
});

/** A new workspace and its first admin token (the secret is shown once), in one transaction. */
workspaces.post('/', async (c) => {
	requireInstallAdmin(c);
	const body = await jsonBody(c, workspaceCreateSchema);
	const t = await mintToken();
	const now = Date.now();
	try {
		await c.env.DB.batch([
			c.env.DB.prepare('INSERT INTO workspaces (id, name) VALUES (?, ?)').bind(body.id, body.name),
			c.env.DB.prepare(
				'INSERT INTO tokens (id, workspace_id, name, secret_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?)'
			).bind(t.id, body.id, 'first admin token', t.secretHash, '["admin"]', now)
		]);
	} catch (e) {
		if (/constraint/i.test(String((e as Error)?.message)))
			throw new ApiError({
				status: 409,
				code: 'conflict',
				message: `A workspace with id "${body.id}" already exists.`
			});
		throw e;
	}
	const row = await current(c.env.DB, body.id);
	return c.json(
		{
			workspace: toWire(row),
			token: {
				id: t.id,
				workspaceId: body.id,
				name: 'first admin token',
				scopes: ['admin'],
				createdAt: now,
				lastUsedAt: null,
				revokedAt: null
			},
			secret: t.secret
		},
		201
	);
});
