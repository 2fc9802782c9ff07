import type { Envelope, Mutation } from '../../src/lib/contract';
import { call, testEnv } from './helpers';

/** The admin token vitest.worker.config.ts gives the Worker (EDGEBOOK_ADMIN_TOKEN): admin of `local`. */
export const ADMIN = 'test-admin-token';

export function api(
	path: string,
	init: RequestInit & { token?: string | null; json?: unknown } = {}
): Promise<Response> {
	const headers = new Headers(init.headers);
	const token = init.token === undefined ? ADMIN : init.token;
	if (token) headers.set('authorization', `Bearer ${token}`);
	let body = init.body;
	if (init.json !== undefined) {
		headers.set('content-type', 'application/json');
		body = JSON.stringify(init.json);
	}
	return call(path, { ...init, headers, body });
}

let n = 0;
export function envelope(seq: number, mutation: Mutation, id = `m${++n}_${seq}`): Envelope {
	return { id, seq, at: 1_700_000_000_000 + seq, mutation };
}

/** A second workspace with a token of the given scopes, written straight to D1 (the tokens route is tested apart). */
export async function otherWorkspaceToken(workspace = 'other', scopes = ['admin']): Promise<string> {
	const { mintToken } = await import('../../workers/auth/tokens');
	const t = await mintToken();
	await testEnv.DB.batch([
		testEnv.DB.prepare('INSERT OR IGNORE INTO workspaces (id, name) VALUES (?, ?)').bind(
			workspace,
			workspace
		),
		testEnv.DB.prepare(
			'INSERT INTO tokens (id, workspace_id, name, secret_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?)'
		).bind(t.id, workspace, 'test', t.secretHash, JSON.stringify(scopes), Date.now())
	]);
	return t.secret;
}

export const experiment = (name = 'penguins', id = `exp_${name}`): Mutation => ({
	type: 'experiment.create',
	experiment: { id, name, createdAt: 1_700_000_000_000 }
});

export const runCreate = (
	id: string,
	experimentId = 'exp_penguins',
	params: Record<string, string> = {}
): Mutation => ({
	type: 'run.create',
	run: {
		id,
		experimentId,
		parentId: null,
		name: id,
		startedAt: 1_700_000_000_000,
		notebookId: null,
		cellId: null,
		params: Object.entries(params).map(([key, value]) => ({ key, value })),
		tags: [],
		lineage: null
	}
});
