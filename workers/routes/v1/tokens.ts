import { Hono } from 'hono';
import { tokenCreateSchema, type Scope, type TokenInfo } from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { mintToken } from '../../auth/tokens';
import { jsonBody } from '../../http/body';
import type { AppEnv } from '../../types';
import { notFound, param, ws } from './common';
import { z } from 'zod';

/**
 * A workspace's API tokens, managed by its admins. Tokens are not domain data (they never sync to browsers),
 * so they are written here directly rather than through a mutation. Only the sha-256 of a secret is stored.
 */
export const tokens = new Hono<AppEnv>();
tokens.use('*', requireScope('admin'));

interface TokenRow {
	id: string;
	workspace_id: string;
	name: string;
	scopes: string;
	created_at: number;
	last_used_at: number | null;
	revoked_at: number | null;
	federated_job: string | null;
}

const toInfo = (r: TokenRow): TokenInfo => ({
	id: r.id,
	workspaceId: r.workspace_id,
	name: r.name,
	scopes: JSON.parse(r.scopes) as Scope[],
	createdAt: r.created_at,
	lastUsedAt: r.last_used_at,
	revokedAt: r.revoked_at,
	federatedJob: r.federated_job
});

const COLUMNS = 'id, workspace_id, name, scopes, created_at, last_used_at, revoked_at, federated_job';
const tokenId = z.string().regex(/^[A-Za-z0-9]{8,32}$/, 'a token id has 8-32 letters or digits');

tokens.post('/', async (c) => {
	const body = await jsonBody(c, tokenCreateSchema);
	const t = await mintToken();
	const row: TokenRow = {
		id: t.id,
		workspace_id: ws(c),
		name: body.name,
		scopes: JSON.stringify([...new Set(body.scopes)]),
		created_at: Date.now(),
		last_used_at: null,
		revoked_at: null,
		federated_job: null
	};
	await c.env.DB.prepare(
		'INSERT INTO tokens (id, workspace_id, name, secret_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?)'
	)
		.bind(row.id, row.workspace_id, row.name, t.secretHash, row.scopes, row.created_at)
		.run();
	// The secret leaves the Worker once, here; it cannot be read back later.
	return c.json({ token: toInfo(row), secret: t.secret }, 201);
});

tokens.get('/', async (c) => {
	const { results } = await c.env.DB.prepare(
		`SELECT ${COLUMNS} FROM tokens WHERE workspace_id = ? ORDER BY created_at DESC, id`
	)
		.bind(ws(c))
		.all<TokenRow>();
	return c.json({ tokens: results.map(toInfo) }, 200);
});

tokens.delete('/:id', async (c) => {
	const id = param(c, 'id', tokenId);
	// Another workspace's token is "not found": an admin learns nothing about tokens outside its workspace.
	const row = await c.env.DB.prepare(
		`UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND workspace_id = ? RETURNING ${COLUMNS}`
	)
		.bind(Date.now(), id, ws(c))
		.first<TokenRow>();
	if (!row) throw notFound(`No token with id ${id} in this workspace.`, { id });
	return c.json({ token: toInfo(row) }, 200);
});
