import { openRetrain, listTasks } from './tasks';
import { concludeDue } from './conclude';
import { advanceFederated, openFederatedRetrain, type FederatedRetrainEnv } from './federated';

/**
 * The Cron Trigger (wrangler.toml `[triggers]`, every 5 minutes): canaries past their end are concluded, and a model
 * whose tag `edgebook.retrain.every_hours` is N gets a scheduled retraining task when its last one is N hours old
 * (or it has none), trained in the notebook's browser or, where the tag `edgebook.retrain.mode` is "federated", by a
 * federated job with the settings in `edgebook.retrain.federated` (JSON); federated tasks whose job is done are gated.
 * Under `wrangler dev` crons do not fire by themselves: `curl /__scheduled` runs one
 * (`wrangler dev --test-scheduled`), and the Worker tests call the handler.
 */
export const SCHEDULE_TAG = 'edgebook.retrain.every_hours';
export const MODE_TAG = 'edgebook.retrain.mode';
export const FEDERATED_TAG = 'edgebook.retrain.federated';

async function tagOf(env: FederatedRetrainEnv, workspaceId: string, model: string, key: string) {
	const row = await env.DB.prepare(
		'SELECT value FROM model_tags WHERE workspace_id = ? AND model_name = ? AND key = ?'
	)
		.bind(workspaceId, model, key)
		.first<{ value: string }>();
	return row?.value ?? null;
}

export async function scheduledRetraining(
	env: FederatedRetrainEnv,
	now = Date.now()
): Promise<{ concluded: number; opened: number; gated: number }> {
	const concluded = await concludeDue(env, now);
	const gated = await advanceFederated(env, now);
	const { results } = await env.DB.prepare(
		'SELECT workspace_id, model_name, value FROM model_tags WHERE key = ?'
	)
		.bind(SCHEDULE_TAG)
		.all<{ workspace_id: string; model_name: string; value: string }>();
	let opened = 0;
	for (const r of results) {
		const hours = Number(r.value);
		if (!(hours > 0)) continue;
		const [last] = await listTasks(env.DB, r.workspace_id, r.model_name, 1);
		if (last && now - last.createdAt < hours * 3_600_000) continue;
		try {
			const request = {
				trigger: 'schedule' as const,
				triggerRef: `every ${hours} h`,
				reason: `scheduled: every ${hours} hours`
			};
			const federated = (await tagOf(env, r.workspace_id, r.model_name, MODE_TAG)) === 'federated';
			const { joined } = federated
				? await openFederatedRetrain(
						env,
						r.workspace_id,
						r.model_name,
						{
							...request,
							mode: 'federated',
							federated: JSON.parse(
								(await tagOf(env, r.workspace_id, r.model_name, FEDERATED_TAG)) ?? '{}'
							) as Record<string, unknown>
						},
						now
					)
				: await openRetrain(env.DB, r.workspace_id, r.model_name, request, now);
			if (!joined) opened++;
		} catch (e) {
			// A model without its champion alias has nothing to retrain against, or its federated settings are bad (the
			// task says why): the next run tries again.
			console.error(`retrain: scheduling ${r.model_name} failed`, e);
		}
	}
	return { concluded, opened, gated };
}
