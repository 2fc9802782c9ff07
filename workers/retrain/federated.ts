import {
	fedJobCreateSchema,
	retrainRequestSchema,
	type RetrainRequest,
	type RetrainTask
} from '../../src/lib/contract';
import { DomainError } from '../domain/errors';
import { createFederatedJob, jobStub, unwrap, type JobEnv } from '../federated/create';
import { parseWith } from '../http/body';
import { getModel } from '../registry/read-models';
import { runGate, type GateEnv } from './gate';
import { openRetrain, stepTask } from './tasks';

/**
 * Retraining as a federated job (docs/architecture.md, "Monitoring"): the task starts a job from the champion, the
 * participants' browsers train it on their own rows, and when the job is done its last round is the challenger,
 * gated against the champion like one trained in a notebook. The Cron Trigger moves the task along.
 */

export type FederatedRetrainEnv = GateEnv & JobEnv;

/** Opens (or joins) the model's task; a new one starts its job at once and is claimed by it. */
export async function openFederatedRetrain(
	env: FederatedRetrainEnv,
	workspaceId: string,
	model: string,
	input: RetrainRequest,
	now = Date.now()
): Promise<{ task: RetrainTask; joined: boolean }> {
	const r = retrainRequestSchema.parse(input);
	const champion = (await getModel(env.DB, workspaceId, model))?.aliases[r.alias];
	// Bad settings open nothing: checked against the champion before the task exists (no champion: openRetrain says so).
	const settings =
		champion === undefined
			? null
			: parseWith(
					fedJobCreateSchema,
					{ ...(r.federated ?? {}), modelName: model, version: champion },
					'federated settings'
				);
	const { task, joined } = await openRetrain(env.DB, workspaceId, model, r, now);
	if (joined || !settings) return { task, joined };
	try {
		const job = await createFederatedJob(env, workspaceId, settings);
		const claimed = await stepTask(
			env.DB,
			workspaceId,
			task,
			'claimed',
			`federated job ${job.id}: ${settings.rounds} rounds from v${settings.version}`,
			{ federatedJobId: job.id },
			now
		);
		return { task: claimed, joined: false };
	} catch (e) {
		await stepTask(
			env.DB,
			workspaceId,
			task,
			'failed',
			`the federated job did not start: ${(e as Error).message}`
		);
		throw e;
	}
}

interface Row {
	workspace_id: string;
	body: string;
}

/**
 * Per claimed federated task: a finished job's last round is gated against the champion (on the model's labelled
 * predictions); a failed job fails the task. A gate that cannot run yet (no labelled predictions) is noted once and
 * tried again at the next run. Answers how many tasks moved.
 */
export async function advanceFederated(env: FederatedRetrainEnv, now = Date.now()): Promise<number> {
	const { results } = await env.DB.prepare(
		`SELECT workspace_id, body FROM retrain_tasks WHERE open = 1 AND state = 'claimed'
		 AND json_extract(body, '$.federatedJobId') IS NOT NULL`
	).all<Row>();
	let moved = 0;
	for (const row of results) {
		const task = JSON.parse(row.body) as RetrainTask;
		try {
			const job = unwrap(await jobStub(env, row.workspace_id, task.federatedJobId!).view());
			if (job.state === 'failed') {
				await stepTask(
					env.DB,
					row.workspace_id,
					task,
					'failed',
					`federated job ${job.id} failed: ${job.error}`
				);
				moved++;
				continue;
			}
			if (job.state !== 'done') continue;
			const last = job.history[job.history.length - 1];
			if (!last) continue;
			try {
				await runGate(
					env,
					row.workspace_id,
					task,
					{ challengerVersion: last.version, runId: last.runId },
					now
				);
				moved++;
			} catch (e) {
				if (!(e instanceof DomainError)) throw e;
				const note = `the gate waits: ${e.message}`;
				if (task.history[task.history.length - 1]?.note !== note)
					await stepTask(env.DB, row.workspace_id, task, 'claimed', note, {}, now);
			}
		} catch (e) {
			console.error(`retrain: federated task ${task.id} did not advance`, e);
		}
	}
	return moved;
}
