import { expect } from 'vitest';
import { api } from '../registry-helpers';

// The shared helper calls the Worker's fetch directly (tests/worker/helpers.ts `call`), as the fuzz test needs.
export { api };

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
	'tokens',
	'batch_jobs'
] as const;

/**
 * Row counts of every domain table plus the latest update times and the total size of overwritable values, in
 * one query: cheap enough to take around every fuzzed request, and any insert, delete or update shows in it.
 */
export async function snapshot(db: D1Database): Promise<string> {
	const counts = DOMAIN_TABLES.map((t) => `(SELECT COUNT(*) FROM ${t}) AS ${t}`);
	const extra = [
		'(SELECT MAX(updated_at) FROM experiments) AS e_up',
		'(SELECT MAX(updated_at) FROM runs) AS r_up',
		'(SELECT MAX(updated_at) FROM registered_models) AS m_up',
		'(SELECT MAX(updated_at) FROM model_versions) AS v_up',
		'(SELECT SUM(LENGTH(value)) FROM run_tags) AS rt',
		'(SELECT SUM(LENGTH(value)) FROM model_tags) AS mt',
		'(SELECT SUM(LENGTH(value)) FROM model_version_tags) AS vt',
		'(SELECT SUM(version) FROM model_aliases) AS al',
		'(SELECT COUNT(*) FROM tokens WHERE revoked_at IS NOT NULL) AS revoked'
	];
	return JSON.stringify(await db.prepare(`SELECT ${[...counts, ...extra].join(', ')}`).first());
}
