import { Hono } from 'hono';
import { z } from 'zod';
import { listModels, listModelVersions, type ModelVersionRecord } from '../registry/read-models';
import { getRun } from '../registry/read-runs';
import type { AppEnv } from '../types';
import { runArtifactRoot } from './convert';
import { invalid, notFound } from './errors';
import { checkClause, compareValues, matches, parseFilter, parseOrderBy } from './filter';
import { loadModel, loadVersion, versionJson, versionNumber } from './models-read';
import { apply, f, newId, page, pageToken, readMessage, requireScope, workspace, type Ctx } from './request';

/** /mlflow/model-versions/*. */
export const versions = new Hono<AppEnv>();

const ref = { name: f.str, version: z.union([f.str, z.number()]) };
const RUNS_URI = /^runs:\/([^/]+)(?:\/(.*))?$/;

versions.post('/create', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(
		c,
		z.object({
			name: f.str,
			source: f.str,
			run_id: f.str.optional(),
			tags: f.tags,
			run_link: f.str.optional(),
			description: f.str.optional()
		})
	);
	await loadModel(c, m.name);
	// `runs:/<id>/model` names its run even when the client leaves run_id out.
	const runId = m.run_id || RUNS_URI.exec(m.source)?.[1] || null;
	if (runId && !(await getRun(c.env.DB, workspace(c), runId)))
		throw notFound(`Run with id=${runId} not found`);
	const result = await apply(c, {
		type: 'model.version.create',
		id: newId(),
		modelName: m.name,
		sourceRunId: runId,
		artifactSha256: null,
		signature: null,
		description: m.description ?? '',
		tags: m.tags,
		source: m.source
	});
	const v = await loadVersion(c, m.name, (result as { version: number }).version);
	return c.json({ model_version: await versionJson(c, v) });
});

versions.get('/get', async (c) => {
	requireScope(c, 'read');
	const m = await readMessage(c, z.object(ref));
	const v = await loadVersion(c, m.name, versionNumber(m.version));
	return c.json({ model_version: await versionJson(c, v) });
});

versions.patch('/update', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ ...ref, description: f.str.default('') }));
	const version = versionNumber(m.version);
	await loadVersion(c, m.name, version);
	await apply(c, {
		type: 'model.version.update',
		modelName: m.name,
		ref: { version },
		description: m.description
	});
	return c.json({ model_version: await versionJson(c, await loadVersion(c, m.name, version)) });
});

versions.delete('/delete', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object(ref));
	const version = versionNumber(m.version);
	await loadVersion(c, m.name, version);
	await apply(c, { type: 'model.version.delete', modelName: m.name, ref: { version } });
	return c.json({});
});

versions.post('/set-tag', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ ...ref, key: f.str, value: f.str }));
	const version = versionNumber(m.version);
	await loadVersion(c, m.name, version);
	await apply(c, {
		type: 'model.version.tag.set',
		modelName: m.name,
		ref: { version },
		key: m.key,
		value: m.value
	});
	return c.json({});
});

versions.delete('/delete-tag', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ ...ref, key: f.str }));
	const version = versionNumber(m.version);
	const v = await loadVersion(c, m.name, version);
	if (!Object.hasOwn(v.tags, m.key))
		throw notFound(`Model version tag with name=${m.name}, version=${version}, key=${m.key} not found`);
	await apply(c, { type: 'model.version.tag.delete', modelName: m.name, ref: { version }, key: m.key });
	return c.json({});
});

/** Where a client downloads the version's files: `runs:/` sources resolve to the run's artifact location. */
versions.get('/get-download-uri', async (c) => {
	requireScope(c, 'read');
	const m = await readMessage(c, z.object(ref));
	const v = await versionJson(c, await loadVersion(c, m.name, versionNumber(m.version)));
	const runs = RUNS_URI.exec(v.source);
	if (runs) {
		const run = await getRun(c.env.DB, workspace(c), runs[1]);
		if (!run) throw notFound(`Run with id=${runs[1]} not found`);
		const root = runArtifactRoot(run.experimentId, run.id);
		return c.json({ artifact_uri: runs[2] ? `${root}/${runs[2]}` : root });
	}
	return c.json({ artifact_uri: v.source });
});

versions.post('/transition-stage', () => {
	throw invalid('Model stages are not supported by this registry; point an alias at the version instead.');
});

const search = async (c: Ctx) => {
	requireScope(c, 'read');
	const m = await readMessage(
		c,
		z.object({
			filter: f.str.optional(),
			max_results: f.maxResults(200_000).default(10_000),
			order_by: f.list(f.str).default([]),
			page_token: f.str.optional()
		})
	);
	const clauses = parseFilter(m.filter);
	const attrs = {
		name: 'string',
		run_id: 'string',
		source_path: 'string',
		version_number: 'number'
	} as const;
	for (const cl of clauses) checkClause(cl, m.filter ?? '', { attribute: attrs, tag: 'string' });
	const order = parseOrderBy(m.order_by);
	for (const o of order)
		if (
			o.entity !== 'attribute' ||
			!['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'].includes(o.key)
		)
			throw invalid(`Invalid order_by "${o.key}".`);
	const db = c.env.DB;
	const exactName = clauses.find((cl) => cl.entity === 'attribute' && cl.key === 'name' && cl.op === '=');
	const names = exactName
		? [String(exactName.value)]
		: (await listModels(db, workspace(c))).map((x) => x.name);
	const all: ModelVersionRecord[] = (
		await Promise.all(names.map((n) => listModelVersions(db, workspace(c), n)))
	).flat();
	const rows = await Promise.all(all.map((v) => versionJson(c, v)));
	const field = (v: (typeof rows)[number], entity: string, key: string): string | number | undefined => {
		if (entity === 'tag') return v.tags.find((t) => t.key === key)?.value;
		if (key === 'source_path') return v.source;
		if (key === 'version_number') return Number(v.version);
		return v[key as 'name' | 'run_id' | 'creation_timestamp' | 'last_updated_timestamp'];
	};
	const hits = rows.filter((v) => clauses.every((cl) => matches(cl, field(v, cl.entity, cl.key))));
	const sorts = [
		...order,
		{ entity: 'attribute', key: 'name', desc: false },
		{ entity: 'attribute', key: 'version_number', desc: true }
	];
	hits.sort((a, b) => {
		for (const o of sorts) {
			const r = compareValues(field(a, o.entity, o.key), field(b, o.entity, o.key), o.desc);
			if (r) return r;
		}
		return 0;
	});
	const p = page(hits, pageToken.decode(m.page_token), m.max_results);
	return c.json({
		model_versions: p.items,
		...(p.next_page_token ? { next_page_token: p.next_page_token } : {})
	});
};
versions.get('/search', search);
