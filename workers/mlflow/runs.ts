import { Hono } from 'hono';
import { z } from 'zod';
import { experimentIdForName, type Mutation } from '../../src/lib/contract';
import { getRuns } from '../registry/read-runs';
import { RUN_SOURCE, searchRunIds } from '../registry/search-runs';
import { decodeCursor, encodeCursor, sortKinds } from '../registry/search-sql';
import type { AppEnv } from '../types';
import { MLFLOW_STATUSES, RUN_NAME_TAG, USER_TAG, runInfoOut, runOut, statusIn } from './convert';
import { invalid } from './errors';
import { DEFAULT_EXPERIMENT, checkedIdOf, resolveExperiment, viewType } from './experiments';
import { checkClause, parseFilter, parseOrderBy } from './filter';
import { newId } from '../registry/write';
import { apply, checkAll, f, page, pageToken, readMessage, requireScope, workspace } from './request';
import { kvList, latestMetricsOf, loadRun, runIdOf, runJson, runRef } from './runs-read';
import { searchRunsInMemory } from './runs-search-memory';

export const runs = new Hono<AppEnv>();

const ADJECTIVES = ['bright', 'calm', 'clever', 'bold', 'gentle', 'swift', 'quiet', 'brave', 'merry', 'keen'];
const NOUNS = ['fox', 'owl', 'whale', 'lynx', 'heron', 'otter', 'wren', 'bison', 'koala', 'panda'];
/** MLflow names unnamed runs `<adjective>-<animal>-<n>`; so do we, so the UI never shows a blank name. */
function randomRunName(): string {
	const [a, b, n] = crypto.getRandomValues(new Uint16Array(3));
	return `${ADJECTIVES[a % ADJECTIVES.length]}-${NOUNS[b % NOUNS.length]}-${n % 1000}`;
}

runs.post('/create', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(
		c,
		z.object({
			experiment_id: f.str.default('0'),
			user_id: f.str.optional(),
			run_name: f.str.optional(),
			start_time: f.int.optional(),
			tags: kvList.default([])
		})
	);
	const tags = new Map(m.tags.map((t) => [t.key, t.value]));
	// The run name is a column here; MLflow also accepts it as the mlflow.runName tag.
	const name = m.run_name || tags.get(RUN_NAME_TAG) || randomRunName();
	tags.delete(RUN_NAME_TAG);
	if (m.user_id && !tags.has(USER_TAG)) tags.set(USER_TAG, m.user_id);
	const id = newId();
	const startedAt = m.start_time ?? Date.now();
	const create = (experimentId: string): Mutation => ({
		type: 'run.create',
		run: {
			id,
			experimentId,
			parentId: null,
			name,
			startedAt,
			notebookId: null,
			cellId: null,
			params: [],
			tags: [...tags].map(([key, value]) => ({ key, value })),
			lineage: null
		}
	});
	// Checked before resolving experiment "0", which makes the Default experiment: a refused run creates nothing.
	checkAll(create(checkedIdOf(m.experiment_id)));
	const exp = await resolveExperiment(c, m.experiment_id);
	await apply(c, create(exp.id));
	return c.json({ run: await runJson(c, id) });
});

runs.get('/get', async (c) => {
	requireScope(c, 'read');
	const m = await readMessage(c, z.object(runRef));
	return c.json({ run: await runJson(c, runIdOf(m)) });
});

runs.post('/update', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(
		c,
		z.object({
			...runRef,
			status: z.enum(MLFLOW_STATUSES).optional(),
			end_time: f.int.optional(),
			run_name: f.str.optional()
		})
	);
	const id = runIdOf(m);
	await loadRun(c, id);
	await apply(c, {
		type: 'run.update',
		runId: id,
		...(m.status ? { status: statusIn(m.status) } : {}),
		...(m.end_time !== undefined ? { endedAt: m.end_time } : {}),
		...(m.run_name ? { name: m.run_name } : {})
	});
	return c.json({ run_info: runInfoOut(await loadRun(c, id)) });
});

for (const action of ['delete', 'restore'] as const)
	runs.post(`/${action}`, async (c) => {
		requireScope(c, 'write');
		const m = await readMessage(c, z.object({ run_id: f.str }));
		await loadRun(c, m.run_id);
		await apply(
			c,
			action === 'delete'
				? { type: 'run.delete', runId: m.run_id, deletedAt: Date.now() }
				: { type: 'run.restore', runId: m.run_id }
		);
		return c.json({});
	});

runs.post('/set-tag', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ ...runRef, key: f.str, value: f.str }));
	const id = runIdOf(m);
	await loadRun(c, id);
	if (m.key === RUN_NAME_TAG) await apply(c, { type: 'run.update', runId: id, name: m.value });
	else
		await apply(c, {
			type: 'run.log',
			runId: id,
			metrics: [],
			params: [],
			tags: [{ key: m.key, value: m.value }]
		});
	return c.json({});
});

runs.post('/delete-tag', async (c) => {
	requireScope(c, 'write');
	const m = await readMessage(c, z.object({ run_id: f.str, key: f.str }));
	await loadRun(c, m.run_id);
	await apply(c, { type: 'run.tag.delete', runId: m.run_id, key: m.key });
	return c.json({});
});

const RUN_ATTRIBUTES = {
	status: 'string',
	run_name: 'string',
	run_id: 'string',
	user_id: 'string',
	start_time: 'number',
	end_time: 'number'
} as const;

runs.post('/search', async (c) => {
	requireScope(c, 'read');
	const m = await readMessage(
		c,
		z.object({
			experiment_ids: f.list(f.str).default([]),
			filter: f.str.optional(),
			run_view_type: viewType,
			max_results: f.maxResults(50_000).default(1000),
			order_by: f.list(f.str).default([]),
			page_token: f.str.optional()
		})
	);
	const clauses = parseFilter(m.filter);
	const kinds = { attribute: RUN_ATTRIBUTES, metric: 'number', param: 'string', tag: 'string' } as const;
	for (const cl of clauses) checkClause(cl, m.filter ?? '', kinds);
	const order = parseOrderBy(m.order_by);
	for (const o of order)
		if (o.entity === 'attribute' && !(o.key in RUN_ATTRIBUTES))
			throw invalid(`Invalid order_by attribute "${o.key}" (use ${Object.keys(RUN_ATTRIBUTES).join(', ')}).`);
	const search = {
		experimentIds: m.experiment_ids.map((id) => (id === '0' ? experimentIdForName(DEFAULT_EXPERIMENT) : id)),
		lifecycle: ({ ACTIVE_ONLY: 'active', DELETED_ONLY: 'deleted', ALL: 'all' } as const)[m.run_view_type],
		clauses,
		order
	};
	if (c.env.SEARCH_IN_MEMORY === '1') {
		const offset = pageToken.decode(m.page_token);
		const p = page(await searchRunsInMemory(c.env.DB, workspace(c), search), offset, m.max_results);
		return c.json({ runs: p.items, ...(p.next_page_token ? { next_page_token: p.next_page_token } : {}) });
	}
	const after = m.page_token ? decodeCursor(m.page_token, order, sortKinds(RUN_SOURCE, order)) : null;
	if (m.page_token && !after) throw invalid(`Invalid page token "${m.page_token}".`);
	if (!search.experimentIds.length) return c.json({ runs: [] });
	const { ids, next } = await searchRunIds(c.env.DB, workspace(c), {
		...search,
		after,
		limit: m.max_results
	});
	const [records, latest] = await Promise.all([
		getRuns(c.env.DB, workspace(c), ids),
		latestMetricsOf(c, ids)
	]);
	const byId = new Map(records.map((r) => [r.id, r]));
	const out = ids.flatMap((id) => {
		const r = byId.get(id);
		return r ? [runOut(r, latest.get(id) ?? [])] : [];
	});
	return c.json({ runs: out, ...(next ? { next_page_token: encodeCursor(order, next) } : {}) });
});
