import {
	OPEN_STATES,
	retrainRequestSchema,
	type RetrainRequest,
	type RetrainState,
	type RetrainTask
} from '../../src/lib/contract';
import { Conflict, InvalidInput, NotFound } from '../domain/errors';
import { getModel, getModelVersion } from '../registry/read-models';
import { getRun } from '../registry/read-runs';

/**
 * Retraining tasks in D1 (docs/architecture.md, "Monitoring"). One open task per model: the insert relies on the
 * UNIQUE (workspace, model, open) index, so two triggers racing still make one task, and the second caller is told
 * which task it joined.
 */

type Row = { body: string };

export async function getTask(db: D1Database, workspaceId: string, id: string): Promise<RetrainTask | null> {
	const row = await db
		.prepare('SELECT body FROM retrain_tasks WHERE workspace_id = ? AND id = ?')
		.bind(workspaceId, id)
		.first<Row>();
	return row ? (JSON.parse(row.body) as RetrainTask) : null;
}

export async function mustGetTask(db: D1Database, workspaceId: string, id: string): Promise<RetrainTask> {
	const t = await getTask(db, workspaceId, id);
	if (!t) throw new NotFound({ message: `No retraining task ${id}.`, details: { id } });
	return t;
}

export async function listTasks(
	db: D1Database,
	workspaceId: string,
	model: string,
	limit = 50
): Promise<RetrainTask[]> {
	const { results } = await db
		.prepare(
			'SELECT body FROM retrain_tasks WHERE workspace_id = ? AND model_name = ? ORDER BY created_at DESC, id LIMIT ?'
		)
		.bind(workspaceId, model, limit)
		.all<Row>();
	return results.map((r) => JSON.parse(r.body) as RetrainTask);
}

export async function openTasksOfNotebook(
	db: D1Database,
	workspaceId: string,
	notebookId: string
): Promise<RetrainTask[]> {
	const { results } = await db
		.prepare(
			"SELECT body FROM retrain_tasks WHERE workspace_id = ? AND open = 1 AND json_extract(body, '$.notebookId') = ? ORDER BY created_at"
		)
		.bind(workspaceId, notebookId)
		.all<Row>();
	return results.map((r) => JSON.parse(r.body) as RetrainTask);
}

export async function openTask(
	db: D1Database,
	workspaceId: string,
	model: string
): Promise<RetrainTask | null> {
	const row = await db
		.prepare('SELECT body FROM retrain_tasks WHERE workspace_id = ? AND model_name = ? AND open = 1')
		.bind(workspaceId, model)
		.first<Row>();
	return row ? (JSON.parse(row.body) as RetrainTask) : null;
}

/**
 * Opens a retraining task for the model's alias, or answers the one already open (`joined`). The champion is the
 * alias's version now; the notebook and cell are where its run was trained, for the browser that retrains.
 */
export async function openRetrain(
	db: D1Database,
	workspaceId: string,
	model: string,
	input: RetrainRequest,
	now = Date.now()
): Promise<{ task: RetrainTask; joined: boolean }> {
	const r = retrainRequestSchema.parse(input);
	const had = await openTask(db, workspaceId, model);
	if (had) return { task: had, joined: true };
	const m = await getModel(db, workspaceId, model);
	if (!m)
		throw new NotFound({ message: `No registered model named "${model}".`, details: { modelName: model } });
	const champion = m.aliases[r.alias];
	if (champion === undefined)
		throw new InvalidInput({
			message: `"${model}" has no alias "${r.alias}": retraining needs a champion to beat.`,
			details: { modelName: model, alias: r.alias }
		});
	const v = await getModelVersion(db, workspaceId, model, champion);
	const run = v?.sourceRunId ? await getRun(db, workspaceId, v.sourceRunId) : null;
	const task: RetrainTask = {
		id: `rt_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`,
		model,
		alias: r.alias,
		trigger: r.trigger,
		triggerRef: r.triggerRef ?? null,
		reason: r.reason,
		mode: r.mode,
		federatedJobId: null,
		state: 'pending',
		championVersion: champion,
		challengerVersion: null,
		notebookId: run?.notebookId ?? null,
		cellId: run?.cellId ?? null,
		runId: null,
		gateSettings: {
			...(r.gate.metric ? { metric: r.gate.metric } : {}),
			margin: r.gate.margin,
			confidence: r.gate.confidence
		},
		canarySettings: r.canary,
		gate: null,
		canary: null,
		history: [
			{
				at: now,
				step: 'opened',
				note: `${r.trigger}${r.triggerRef ? ` (${r.triggerRef})` : ''}: ${r.reason || 'retrain'}; champion v${champion} (@${r.alias})`
			}
		],
		createdAt: now,
		updatedAt: now
	};
	const inserted = await db
		.prepare(
			`INSERT INTO retrain_tasks (workspace_id, id, model_name, open, state, body, created_at, updated_at)
			 VALUES (?, ?, ?, 1, 'pending', ?, ?, ?) ON CONFLICT (workspace_id, model_name, open) DO NOTHING`
		)
		.bind(workspaceId, task.id, model, JSON.stringify(task), now, now)
		.run();
	if (inserted.meta.changes === 0) {
		// Another trigger opened one between the read and the insert: that one stands.
		const other = await openTask(db, workspaceId, model);
		if (other) return { task: other, joined: true };
	}
	return { task, joined: false };
}

/** Moves a task to `state` with a history line; `expect` guards against a concurrent step (409 when it moved). */
export async function stepTask(
	db: D1Database,
	workspaceId: string,
	task: RetrainTask,
	state: RetrainState,
	note: string,
	changes: Partial<RetrainTask> = {},
	now = Date.now()
): Promise<RetrainTask> {
	const next: RetrainTask = {
		...task,
		...changes,
		state,
		updatedAt: now,
		history: [...task.history, { at: now, step: state, note }]
	};
	const open = OPEN_STATES.includes(state) ? 1 : null;
	const res = await db
		.prepare(
			`UPDATE retrain_tasks SET state = ?, open = ?, body = ?, updated_at = ?
			 WHERE workspace_id = ? AND id = ? AND state = ?`
		)
		.bind(state, open, JSON.stringify(next), now, workspaceId, task.id, task.state)
		.run();
	if (res.meta.changes === 0)
		throw new Conflict({
			message: `Retraining task ${task.id} moved on (it is no longer ${task.state}); read it again.`,
			details: { id: task.id }
		});
	return next;
}
