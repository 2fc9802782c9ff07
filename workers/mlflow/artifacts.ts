import { Hono } from 'hono';
import { z } from 'zod';
import { LIMITS } from '../../src/lib/contract';
import { bytesResponse } from '../http/download';
import { declaredLength, storeByContent } from '../http/upload';
import { getArtifact, listArtifacts } from '../registry/read-artifacts';
import { recordBlob } from '../registry/blob-records';
import { getRun } from '../registry/read-runs';
import type { AppEnv } from '../types';
import { invalid, notFound } from './errors';
import { apply, checkAll, f, readMessage, requireScope, workspace, type Ctx } from './request';

/**
 * MLflow's artifact proxy (/api/2.0/mlflow-artifacts/artifacts/<path>). Paths are `<experiment>/<run>/artifacts/<file>`,
 * as the run's artifact_uri says; the bytes are stored once per content (R2 `blobs/<sha256>`) and linked to the
 * run by an artifact.link mutation, so another workspace can never reach them by path or by hash.
 */
export const artifacts = new Hono<AppEnv>();

const PREFIX = '/mlflow-artifacts/artifacts';

interface Target {
	runId: string;
	/** The path inside the run's artifacts; '' for the root. */
	sub: string;
}

function splitPath(raw: string): string[] {
	const parts = raw.split('/').filter((p, i, all) => p !== '' || i === all.length - 1);
	if (parts.at(-1) === '') parts.pop();
	if (parts.some((p) => p === '.' || p === '..' || p === ''))
		throw invalid(`Invalid artifact path "${raw}": no empty, "." or ".." segments.`);
	return parts;
}

/** `<experiment>/<run>/artifacts[/<sub>]` → the run (which must be this workspace's and in that experiment). */
async function resolve(c: Ctx, raw: string): Promise<Target> {
	const parts = splitPath(raw);
	if (parts.length < 3 || parts[2] !== 'artifacts')
		throw invalid(`Artifact paths look like <experiment_id>/<run_id>/artifacts/<path>, not "${raw}".`);
	const run = await getRun(c.env.DB, workspace(c), parts[1]);
	if (!run || run.experimentId !== parts[0]) throw notFound(`Run with id=${parts[1]} not found`);
	return { runId: run.id, sub: parts.slice(3).join('/') };
}

function pathOf(c: Ctx): string {
	const path = new URL(c.req.url).pathname;
	const at = path.indexOf(`${PREFIX}/`);
	try {
		return decodeURIComponent(path.slice(at + PREFIX.length + 1));
	} catch {
		throw invalid('The artifact path is not valid percent-encoding.');
	}
}

// Registered before the `/*` routes, which Hono also matches without a trailing path.
/** Lists one directory: its files with sizes and its subdirectories, by basename (as MLflow's proxy answers). */
artifacts.get(PREFIX, async (c) => {
	requireScope(c, 'read');
	const m = await readMessage(c, z.object({ path: f.str.default('') }));
	const parts = splitPath(m.path);
	// Above a run's artifact root there is nothing to list but the root itself.
	if (parts.length === 2) {
		const run = await getRun(c.env.DB, workspace(c), parts[1]);
		return c.json({ files: run?.experimentId === parts[0] ? [{ path: 'artifacts', is_dir: true }] : [] });
	}
	if (parts.length < 3) return c.json({ files: [] });
	const t = await resolve(c, m.path);
	const prefix = t.sub ? `${t.sub}/` : '';
	const files = new Map<string, { path: string; is_dir: boolean; file_size?: number }>();
	for (const a of await listArtifacts(c.env.DB, workspace(c), t.runId, { prefix })) {
		const rest = a.name.slice(prefix.length);
		const slash = rest.indexOf('/');
		if (slash === -1) files.set(rest, { path: rest, is_dir: false, file_size: a.bytes });
		else files.set(rest.slice(0, slash), { path: rest.slice(0, slash), is_dir: true });
	}
	return c.json({ files: [...files.values()].sort((a, b) => (a.path < b.path ? -1 : 1)) });
});

artifacts.put(`${PREFIX}/*`, async (c) => {
	requireScope(c, 'write');
	const t = await resolve(c, pathOf(c));
	if (!t.sub) throw invalid('Upload to a file path under the run’s artifacts, not to the root.');
	const mediaType = (c.req.header('content-type') || 'application/octet-stream').slice(0, 200);
	// The link this upload will make is checked before a byte is read: a refused upload stores nothing.
	const unknownSha = '0'.repeat(64);
	checkAll({
		type: 'artifact.link',
		artifact: { runId: t.runId, name: t.sub, mediaType, bytes: 0, sha256: unknownSha }
	});
	const length = declaredLength(c.req.raw, LIMITS.artifactBytes);
	// Content-addressed: bytes another upload already stored are not written to R2 again.
	const sha = await storeByContent(c.env.ARTIFACTS, c.req.raw.body, length);
	const db = c.env.DB;
	await recordBlob(db, workspace(c), sha, length, mediaType);
	// MLflow overwrites a path uploaded again; the registry keeps a path's first bytes, so unlink it first.
	const existing = await getArtifact(db, workspace(c), t.runId, t.sub);
	if (existing?.sha256 === sha) return c.json({});
	if (existing) await apply(c, { type: 'artifact.delete', runId: t.runId, path: t.sub });
	await apply(c, {
		type: 'artifact.link',
		artifact: { runId: t.runId, name: t.sub, mediaType, bytes: length, sha256: sha }
	});
	return c.json({});
});

artifacts.get(`${PREFIX}/*`, async (c) => {
	requireScope(c, 'read');
	const t = await resolve(c, pathOf(c));
	const a = t.sub ? await getArtifact(c.env.DB, workspace(c), t.runId, t.sub) : null;
	if (!a) throw notFound(`No artifact at ${pathOf(c)}`);
	const res = await bytesResponse(c.req.method, c.env.ARTIFACTS, a, a.name);
	if (!res) throw notFound(`The bytes of ${pathOf(c)} are missing from storage.`);
	return res;
});

artifacts.delete(`${PREFIX}/*`, async (c) => {
	requireScope(c, 'write');
	const t = await resolve(c, pathOf(c));
	const all = await listArtifacts(c.env.DB, workspace(c), t.runId, { prefix: t.sub ? `${t.sub}/` : '' });
	const exact = t.sub ? await getArtifact(c.env.DB, workspace(c), t.runId, t.sub) : null;
	if (!exact && !all.length) throw notFound(`No artifact at ${pathOf(c)}`);
	// The root has no path of its own to unlink: unlink each top-level entry under it.
	const paths = t.sub ? [t.sub] : [...new Set(all.map((a) => a.name.split('/')[0]))];
	for (const path of paths) await apply(c, { type: 'artifact.delete', runId: t.runId, path });
	return c.json({});
});
