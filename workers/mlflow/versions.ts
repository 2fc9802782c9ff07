import { Hono } from 'hono';
import { z } from 'zod';
import { getModelVersionsByIds } from '../registry/read-models';
import { getRun } from '../registry/read-runs';
import { VERSION_SOURCE, searchModelKeys } from '../registry/search-models';
import { decodeCursor, encodeCursor, sortKinds } from '../registry/search-sql';
import type { AppEnv } from '../types';
import { runArtifactRoot } from './convert';
import { invalid, notFound } from './errors';
import { checkClause, parseFilter, parseOrderBy } from './filter';
import { loadModel, loadVersion, versionJson, versionNumber } from './models-read';
import { newId } from '../registry/write';
import { onnxOfSource } from './model-source';
import { apply, f, readMessage, requireScope, workspace, type Ctx } from './request';

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
	// An ONNX file among the source's artifacts makes the version servable at the edge (predict routes).
	const onnx = await onnxOfSource(c.env.DB, c.env.ARTIFACTS, workspace(c), m.source);
	const result = await apply(c, {
		type: 'model.version.create',
		id: newId(),
		modelName: m.name,
		sourceRunId: runId,
		artifactSha256: onnx?.sha256 ?? null,
		signature: onnx?.signature ?? null,
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

versions.post('/transition-stage', async (c) => {
	// Read like every other body (size, nesting, Unicode) before saying no, so no door skips the reader.
	await readMessage(c, z.object({}).loose());
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
	const after = m.page_token ? decodeCursor(m.page_token, order, sortKinds(VERSION_SOURCE, order)) : null;
	if (m.page_token && !after) throw invalid(`Invalid page token "${m.page_token}".`);
	const { ids, next } = await searchModelKeys(c.env.DB, workspace(c), VERSION_SOURCE, {
		clauses,
		order,
		after,
		limit: m.max_results
	});
	const found = await getModelVersionsByIds(c.env.DB, workspace(c), ids);
	return c.json({
		model_versions: await Promise.all(found.map((v) => versionJson(c, v))),
		...(next ? { next_page_token: encodeCursor(order, next) } : {})
	});
};
versions.get('/search', search);
