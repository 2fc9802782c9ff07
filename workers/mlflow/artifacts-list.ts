import { Hono } from 'hono';
import { z } from 'zod';
import { listArtifacts } from '../registry/read-artifacts';
import { getRun } from '../registry/read-runs';
import type { AppEnv } from '../types';
import { runArtifactRoot } from './convert';
import { invalid, notFound } from './errors';
import { f, readMessage, requireScope, workspace } from './request';

/**
 * The tracking API's artifact listing (GET /api/2.0/mlflow/artifacts/list), answered as MLflow's server answers
 * a run whose artifact root is its proxy: entries are paths relative to the run's artifact root ("model/MLmodel",
 * not "MLmodel"), files carry `file_size`, folders `is_dir: true`, and an empty listing has no `files` field
 * (proto3 JSON leaves out an empty repeated field). Every entry fits in one page, so no `next_page_token`.
 */
export const artifactsList = new Hono<AppEnv>();

/** As MLflow's validate_path_is_safe: no "..", no absolute or drive paths, no backslashes, no encoded dots. */
function safePath(raw: string): string {
	const parts = raw.split('/');
	const bad =
		raw.startsWith('/') ||
		/^[A-Za-z]:/.test(raw) ||
		raw.includes('\\') ||
		/%2e|%2f/i.test(raw) ||
		parts.some((p) => p === '..' || p === '.');
	if (bad) throw invalid(`Invalid path: ${raw}`);
	return parts.filter((p) => p !== '').join('/');
}

artifactsList.get('/list', async (c) => {
	requireScope(c, 'read');
	const m = await readMessage(
		c,
		z.object({
			run_id: f.str.optional(),
			run_uuid: f.str.optional(),
			path: f.str.optional(),
			page_token: f.str.optional()
		})
	);
	// MLflow reads run_id first and falls back to the deprecated run_uuid that older clients still send.
	const runId = m.run_id || m.run_uuid;
	if (!runId) throw invalid(`Missing value for required parameter 'run_id'.`);
	const run = await getRun(c.env.DB, workspace(c), runId);
	if (!run) throw notFound(`Run with id=${runId} not found`);
	const dir = m.path === undefined ? '' : safePath(m.path);
	const prefix = dir ? `${dir}/` : '';
	const entries = new Map<string, { path: string; is_dir: boolean; file_size?: number }>();
	for (const a of await listArtifacts(c.env.DB, workspace(c), run.id, { prefix })) {
		const rest = a.name.slice(prefix.length);
		const slash = rest.indexOf('/');
		const name = slash === -1 ? rest : rest.slice(0, slash);
		const path = prefix + name;
		if (slash === -1) entries.set(path, { path, is_dir: false, file_size: a.bytes });
		else entries.set(path, { path, is_dir: true });
	}
	const files = [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
	const root_uri = runArtifactRoot(run.experimentId, run.id);
	return c.json(files.length ? { root_uri, files } : { root_uri });
});
