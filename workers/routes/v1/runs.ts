import { Hono } from 'hono';
import { z } from 'zod';
import {
	LIMITS,
	epochMs,
	idSchema,
	lineageSchema,
	runStatusSchema,
	stringMapOf
} from '../../../src/lib/contract';
import { requireScope } from '../../auth/middleware';
import { ApiError } from '../../errors';
import { jsonBody, parseWith } from '../../http/body';
import { listArtifacts } from '../../registry/read-artifacts';
import { latestMetrics } from '../../registry/read-metrics';
import { decodeRunCursor, encodeRunCursor, getRun, listRuns, type RunRecord } from '../../registry/read-runs';
import type { AppEnv } from '../../types';
import { newId } from '../../registry/write';
import { apply, conflictError, notFound, param, ws, type Ctx } from './common';

/** Runs: create, list (newest first, paged), read with latest metrics and artifacts, update, soft delete. */
export const runs = new Hono<AppEnv>();

const toEntries = (m: Record<string, string>) => Object.entries(m).map(([key, value]) => ({ key, value }));

const createBody = z.strictObject({
	/** Client-chosen so a retried create cannot make two runs; generated when absent. */
	id: idSchema.optional(),
	experimentId: idSchema,
	name: z.string().max(LIMITS.nameLength).optional(),
	parentId: idSchema.nullable().optional(),
	startedAt: epochMs.optional(),
	notebookId: z.string().max(64).nullable().optional(),
	cellId: z.string().max(64).nullable().optional(),
	params: stringMapOf(LIMITS.paramsPerBatch, LIMITS.paramValueLength).optional(),
	tags: stringMapOf(LIMITS.tagsPerBatch, LIMITS.tagValueLength).optional(),
	lineage: lineageSchema.nullable().optional()
});

const listQuery = z.strictObject({
	experimentId: idSchema.optional(),
	status: runStatusSchema.optional(),
	lifecycle: z.enum(['active', 'deleted', 'all']).default('active'),
	limit: z.coerce.number().int().min(1).max(1000).default(100),
	cursor: z.string().max(100).optional()
});

const updateBody = z
	.strictObject({
		status: runStatusSchema.optional(),
		endedAt: epochMs.nullable().optional(),
		name: z.string().max(LIMITS.nameLength).optional(),
		note: z.string().max(LIMITS.descriptionLength).optional()
	})
	.refine((b) => Object.keys(b).length > 0, 'give at least one of status, endedAt, name, note');

export async function mustGetRun(c: Ctx, id: string): Promise<RunRecord> {
	const run = await getRun(c.env.DB, ws(c), id);
	if (!run) throw notFound(`No run with id ${id}.`, { runId: id });
	return run;
}

runs.post('/', requireScope('write'), async (c) => {
	const b = await jsonBody(c, createBody);
	const id = b.id ?? newId();
	await apply(c, {
		type: 'run.create',
		run: {
			id,
			experimentId: b.experimentId,
			parentId: b.parentId ?? null,
			name: b.name ?? '',
			startedAt: b.startedAt ?? Date.now(),
			notebookId: b.notebookId ?? null,
			cellId: b.cellId ?? null,
			params: toEntries(b.params ?? {}),
			tags: toEntries(b.tags ?? {}),
			lineage: b.lineage ?? null
		}
	});
	return c.json(await mustGetRun(c, id), 201);
});

runs.get('/', requireScope('read'), async (c) => {
	const q = parseWith(listQuery, c.req.query(), 'query');
	const after = q.cursor === undefined ? null : decodeRunCursor(q.cursor);
	if (q.cursor !== undefined && !after)
		throw new ApiError({
			status: 400,
			code: 'invalid_request',
			message: 'Invalid query: cursor: not a cursor this registry returned (use nextCursor as given).'
		});
	const page = await listRuns(c.env.DB, ws(c), {
		experimentIds: q.experimentId ? [q.experimentId] : undefined,
		status: q.status,
		lifecycle: q.lifecycle,
		limit: q.limit,
		after
	});
	return c.json({ runs: page.runs, nextCursor: page.next ? encodeRunCursor(page.next) : null }, 200);
});

runs.get('/:id', requireScope('read'), async (c) => {
	const run = await mustGetRun(c, param(c, 'id', idSchema));
	const [metrics, artifacts] = await Promise.all([
		latestMetrics(c.env.DB, ws(c), run.id),
		listArtifacts(c.env.DB, ws(c), run.id)
	]);
	return c.json({ ...run, metrics, artifacts }, 200);
});

const ENDED = new Set(['finished', 'failed', 'cancelled']);

runs.patch('/:id', requireScope('write'), async (c) => {
	const id = param(c, 'id', idSchema);
	const b = await jsonBody(c, updateBody);
	const run = await mustGetRun(c, id);
	// The planner ignores a status change that breaks "the first end wins" (right for sync, where it must merge);
	// a person asking for it directly is told why instead of getting a silent 200.
	if (b.status !== undefined && b.status !== run.status) {
		const movable = run.status === 'running' || (run.status === 'interrupted' && ENDED.has(b.status));
		if (!movable || b.status === 'running')
			throw conflictError(`The run ${id} is ${run.status}; it cannot become ${b.status}.`, {
				status: run.status
			});
	}
	if (b.status === undefined && b.endedAt !== undefined && run.status === 'running')
		throw new ApiError({
			status: 400,
			code: 'invalid_request',
			message: 'Invalid body: endedAt: a running run has no end; send a status that ends it as well.'
		});
	await apply(c, { type: 'run.update', runId: id, ...b });
	return c.json(await mustGetRun(c, id), 200);
});

runs.delete('/:id', requireScope('write'), async (c) => {
	const id = param(c, 'id', idSchema);
	await apply(c, { type: 'run.delete', runId: id, deletedAt: Date.now() });
	return c.json(await mustGetRun(c, id), 200);
});

runs.post('/:id/restore', requireScope('write'), async (c) => {
	const id = param(c, 'id', idSchema);
	await apply(c, { type: 'run.restore', runId: id });
	return c.json(await mustGetRun(c, id), 200);
});
