import { expect } from 'vitest';
import { api } from '../registry-helpers';

/** A small registry built through the routes themselves, for the isolation, scope and fuzz tests. */

export async function sha256(bytes: Uint8Array): Promise<string> {
	const d = await crypto.subtle.digest('SHA-256', bytes);
	return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Sends and checks the status; the body comes back parsed. */
export async function ok<T = Record<string, unknown>>(
	path: string,
	init: Parameters<typeof api>[1] & { status?: number } = {}
): Promise<T> {
	const res = await api(path, init);
	const text = await res.text();
	expect(res.status, `${init.method ?? 'GET'} ${path}: ${text}`).toBe(init.status ?? 200);
	return (text ? JSON.parse(text) : null) as T;
}

export const BYTES = new TextEncoder().encode('weights v1');

export interface Seeded {
	experimentId: string;
	runId: string;
	sha: string;
	model: string;
}

/** One of everything, in the admin token's workspace (`local`). */
export async function seed(token?: string): Promise<Seeded> {
	const exp = await ok<{ id: string }>('/api/v1/experiments', {
		method: 'POST',
		json: { name: 'iris' },
		status: 201,
		token
	});
	await ok('/api/v1/runs', {
		method: 'POST',
		json: { id: 'run_1', experimentId: exp.id, name: 'first', params: { lr: '0.1' }, tags: { t: 'x' } },
		status: 201,
		token
	});
	await ok('/api/v1/runs/run_1/log-batch', {
		method: 'POST',
		json: { metrics: [{ key: 'loss', value: 0.5, step: 0, timestamp: 1 }] },
		token
	});
	const sha = await sha256(BYTES);
	await ok(`/api/v1/blobs/${sha}`, { method: 'PUT', body: BYTES, status: 201, token });
	await ok('/api/v1/runs/run_1/artifacts', {
		method: 'POST',
		json: { name: 'model/weights.bin', sha256: sha },
		status: 201,
		token
	});
	await ok('/api/v1/models', { method: 'POST', json: { name: 'classifier' }, status: 201, token });
	await ok('/api/v1/models/classifier/versions', {
		method: 'POST',
		json: { sourceRunId: 'run_1', artifactSha256: sha, tags: { stage: 'a' } },
		status: 201,
		token
	});
	await ok('/api/v1/models/classifier/aliases/champion', { method: 'PUT', json: { version: 1 }, token });
	await ok('/api/v1/models/classifier/tags/team', { method: 'PUT', json: { value: 'ml' }, token });
	return { experimentId: exp.id, runId: 'run_1', sha, model: 'classifier' };
}

export const DOMAIN_TABLES = [
	'experiments',
	'runs',
	'run_params',
	'run_tags',
	'run_metrics',
	'blobs',
	'blob_refs',
	'run_artifacts',
	'registered_models',
	'model_versions',
	'model_aliases',
	'model_tags',
	'model_version_tags',
	'mutations',
	'tokens'
] as const;

/** Row counts of every domain table (and a digest of their contents for the given workspace). */
export async function snapshot(db: D1Database): Promise<string> {
	const rows = await db.batch(DOMAIN_TABLES.map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`)));
	return JSON.stringify(
		rows.map((r, i) => [
			DOMAIN_TABLES[i],
			// last_used_at moves on reads and is not domain data.
			(r.results as Record<string, unknown>[]).map((row) => ({ ...row, last_used_at: undefined }))
		])
	);
}
