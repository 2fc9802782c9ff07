import { openRetrain, listTasks } from './tasks';
import { concludeDue } from './conclude';
import type { GateEnv } from './gate';

/**
 * The Cron Trigger (wrangler.toml `[triggers]`, every 5 minutes): canaries past their end are concluded, and a model
 * whose tag `edgebook.retrain.every_hours` is N gets a scheduled retraining task when its last one is N hours old
 * (or it has none). Under `wrangler dev` crons do not fire by themselves: `curl /__scheduled` runs one
 * (`wrangler dev --test-scheduled`), and the Worker tests call the handler.
 */
export const SCHEDULE_TAG = 'edgebook.retrain.every_hours';

export async function scheduledRetraining(
	env: GateEnv,
	now = Date.now()
): Promise<{ concluded: number; opened: number }> {
	const concluded = await concludeDue(env, now);
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
			const { joined } = await openRetrain(
				env.DB,
				r.workspace_id,
				r.model_name,
				{
					trigger: 'schedule',
					triggerRef: `every ${hours} h`,
					reason: `scheduled: every ${hours} hours`
				},
				now
			);
			if (!joined) opened++;
		} catch (e) {
			// A model without its champion alias has nothing to retrain against; the next run tries again.
			console.error(`retrain: scheduling ${r.model_name} failed`, e);
		}
	}
	return { concluded, opened };
}
