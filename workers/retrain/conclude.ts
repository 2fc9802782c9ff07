import { trafficTag, type RetrainTask } from '../../src/lib/contract';
import { InvalidInput } from '../domain/errors';
import { logFor } from '../predictions/log-store';
import { registry, type GateEnv } from './gate';
import { stepTask } from './tasks';

/**
 * The end of a canary (docs/architecture.md, "Monitoring"): the challenger's live numbers over the canary against
 * the champion's over the same time. With at least MIN_LABELLED labelled predictions each, real accuracy (or MAE)
 * decides; before labels, the estimated accuracy does, within ESTIMATE_TOLERANCE (an estimate is only as good as
 * the model's calibration). With neither, nothing contradicts the gate, and the challenger is promoted. Promotion
 * moves the alias and ends the split; rollback ends the split and leaves the alias where it was.
 */

export const MIN_LABELLED = 20;
export const ESTIMATE_TOLERANCE = 0.02;

type Live = {
	labelled: number;
	predictions: number;
	accuracy: number | null;
	mae: number | null;
	estimated: number | null;
};

function live(windows: Awaited<ReturnType<ReturnType<typeof logFor>['performance']>>, version: number): Live {
	const mine = windows.filter((w) => w.version === version);
	const sum = (f: (w: (typeof mine)[number]) => number) => mine.reduce((s, w) => s + f(w), 0);
	const labelled = sum((w) => w.labelled);
	const predictions = sum((w) => w.predictions);
	const weighted = (k: 'accuracy' | 'mae', n: (w: (typeof mine)[number]) => number) => {
		const total = sum((w) => (w[k] === null ? 0 : n(w)));
		return total ? sum((w) => (w[k] ?? 0) * n(w)) / total : null;
	};
	const est = sum((w) => (w.estimatedAccuracy === null ? 0 : w.predictions));
	return {
		labelled,
		predictions,
		accuracy: weighted('accuracy', (w) => w.labelled),
		mae: weighted('mae', (w) => w.labelled),
		estimated: est ? sum((w) => (w.estimatedAccuracy ?? 0) * w.predictions) / est : null
	};
}

export function canaryVerdict(champion: Live, challenger: Live): { promote: boolean; note: string } {
	const f = (x: number) => x.toFixed(3);
	if (champion.labelled >= MIN_LABELLED && challenger.labelled >= MIN_LABELLED) {
		if (challenger.accuracy !== null && champion.accuracy !== null)
			return challenger.accuracy >= champion.accuracy
				? {
						promote: true,
						note: `live accuracy ${f(challenger.accuracy)} against ${f(champion.accuracy)} (${challenger.labelled} and ${champion.labelled} labelled)`
					}
				: {
						promote: false,
						note: `live accuracy ${f(challenger.accuracy)} under the champion's ${f(champion.accuracy)} (${challenger.labelled} and ${champion.labelled} labelled)`
					};
		if (challenger.mae !== null && champion.mae !== null)
			return challenger.mae <= champion.mae
				? { promote: true, note: `live MAE ${f(challenger.mae)} against ${f(champion.mae)}` }
				: { promote: false, note: `live MAE ${f(challenger.mae)} over the champion's ${f(champion.mae)}` };
	}
	if (challenger.estimated !== null && champion.estimated !== null)
		return challenger.estimated >= champion.estimated - ESTIMATE_TOLERANCE
			? {
					promote: true,
					note: `estimated accuracy ${f(challenger.estimated)} against ${f(champion.estimated)} (no labels yet)`
				}
			: {
					promote: false,
					note: `estimated accuracy ${f(challenger.estimated)} under the champion's ${f(champion.estimated)} by more than ${ESTIMATE_TOLERANCE}`
				};
	return {
		promote: true,
		note: `no live numbers contradict the gate (${challenger.predictions} canary predictions)`
	};
}

export async function concludeCanary(
	env: GateEnv,
	workspaceId: string,
	task: RetrainTask,
	opts: { force?: boolean } = {},
	now = Date.now()
): Promise<RetrainTask> {
	if (task.state !== 'canary' || !task.canary || task.challengerVersion === null)
		throw new InvalidInput({
			message: `Retraining task ${task.id} is ${task.state}, not in a canary.`,
			details: { id: task.id }
		});
	if (now < task.canary.endsAt && !opts.force)
		throw new InvalidInput({
			message: `The canary of ${task.id} runs until ${new Date(task.canary.endsAt).toISOString()}; conclude with force to end it now.`,
			details: { id: task.id, endsAt: task.canary.endsAt }
		});
	const span = Math.max(1, now - task.canary.startedAt + 1);
	const windows = await logFor(env, { workspaceId, modelName: task.model }).performance(
		task.canary.startedAt,
		now,
		span * 2
	);
	const verdict = canaryVerdict(live(windows, task.championVersion), live(windows, task.challengerVersion));
	const endSplit = { type: 'model.tag.delete' as const, name: task.model, key: trafficTag(task.alias) };
	if (verdict.promote) {
		await registry(env, workspaceId, [
			{
				type: 'model.alias.set',
				modelName: task.model,
				alias: task.alias,
				ref: { version: task.challengerVersion }
			},
			endSplit
		]);
		return stepTask(
			env.DB,
			workspaceId,
			task,
			'promoted',
			`Canary over: ${verdict.note}. @${task.alias} → v${task.challengerVersion}.`,
			{},
			now
		);
	}
	await registry(env, workspaceId, [endSplit]);
	return stepTask(
		env.DB,
		workspaceId,
		task,
		'rolled_back',
		`Canary over: ${verdict.note}. @${task.alias} stays on v${task.championVersion}.`,
		{},
		now
	);
}

/** The Cron Trigger's part: every canary past its end is concluded. */
export async function concludeDue(env: GateEnv, now = Date.now()): Promise<number> {
	const { results } = await env.DB.prepare(
		"SELECT workspace_id, body FROM retrain_tasks WHERE state = 'canary'"
	).all<{ workspace_id: string; body: string }>();
	let n = 0;
	for (const r of results) {
		const t = JSON.parse(r.body) as RetrainTask;
		if (!t.canary || t.canary.endsAt > now) continue;
		try {
			await concludeCanary(env, r.workspace_id, t, {}, now);
			n++;
		} catch (e) {
			console.error(`retrain: concluding ${t.id} failed`, e);
		}
	}
	return n;
}
