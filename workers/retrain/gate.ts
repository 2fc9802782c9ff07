import {
	LIMITS,
	gateRequestSchema,
	trafficTag,
	type GateRequest,
	type GateSummary,
	type RetrainTask
} from '../../src/lib/contract';
import { GateInputError, gateDecision, type GateMetric } from '../../src/lib/ml/monitor/gate';
import { InvalidInput, NotServable } from '../domain/errors';
import { predict } from '../inference/service';
import { logFor, readLog } from '../predictions/log-store';
import { getRun } from '../registry/read-runs';
import { write } from '../registry/write';
import { stepTask } from './tasks';

/**
 * The gate (docs/architecture.md, "Monitoring"): the champion and the challenger are scored here, by the edge's own
 * inference path, on the same hold-out rows (the model's labelled predictions of the last days, or rows the caller
 * sends), and src/lib/ml/monitor/gate.ts decides. A better challenger starts its canary (or is promoted at once
 * with a zero-minute canary); any other moves nothing. The decision is written on the task, as tags on the
 * challenger's run, and the alias's changes go through the registry's one write path (so they are its history).
 */

export interface GateEnv {
	DB: D1Database;
	ARTIFACTS: R2Bucket;
	PREDICTION_LOG: Env['PREDICTION_LOG'];
}

type Holdout = {
	rows: Record<string, unknown>[];
	labels: (string | number)[];
	source: GateSummary['holdout'];
};

async function labelledLog(env: GateEnv, workspaceId: string, model: string, days: number): Promise<Holdout> {
	const to = Date.now();
	const from = to - days * 86_400_000;
	const owner = { workspaceId, modelName: model };
	const labels = await logFor(env, owner).labelled(from, to, 5000);
	const wanted = new Map(labels.map((l) => [l.id, l.label]));
	const { predictions } = await readLog(env, owner, { from, to, limit: 100_000 });
	const rows: Record<string, unknown>[] = [];
	const ys: (string | number)[] = [];
	for (const p of predictions)
		if (wanted.has(p.id) && p.inputs) {
			rows.push(p.inputs);
			ys.push(wanted.get(p.id)!);
		}
	if (!rows.length)
		throw new InvalidInput({
			message: labels.length
				? `"${model}" logs only hashes of its inputs, so its labelled predictions cannot be scored again: send a holdout.`
				: `"${model}" has no labelled predictions in the last ${days} days to judge on: send labels (POST …/feedback) or a holdout.`,
			details: { modelName: model, days }
		});
	return { rows, labels: ys, source: 'labelled-log' };
}

/** Each row's label (classifier) or value (regressor) from the version, scored in LIMITS.predictRows chunks. */
async function scoreVersion(
	env: GateEnv,
	workspaceId: string,
	model: string,
	version: number,
	rows: Record<string, unknown>[]
): Promise<{ task: 'classification' | 'regression'; values: (string | number)[] }> {
	const values: (string | number)[] = [];
	let task: 'classification' | 'regression' = 'classification';
	for (let i = 0; i < rows.length; i += LIMITS.predictRows) {
		const out = await predict(
			{ db: env.DB, bucket: env.ARTIFACTS },
			{
				workspaceId,
				modelName: model,
				ref: { version },
				body: { rows: rows.slice(i, i + LIMITS.predictRows) }
			}
		);
		if (!('task' in out))
			throw new NotServable({
				message: `Version ${version} of "${model}" is an imported graph without the notebook's preprocessing: the gate compares notebook-trained models.`,
				details: { modelName: model, version }
			});
		task = out.task === 'regression' ? 'regression' : 'classification';
		for (const p of out.predictions) values.push('label' in p ? p.label : p.value);
	}
	return { task, values };
}

export async function runGate(
	env: GateEnv,
	workspaceId: string,
	task: RetrainTask,
	input: GateRequest,
	now = Date.now()
): Promise<RetrainTask> {
	const req = gateRequestSchema.parse(input);
	if (task.state !== 'pending' && task.state !== 'claimed')
		throw new InvalidInput({
			message: `Retraining task ${task.id} is ${task.state}: only a pending or claimed task is gated.`,
			details: { id: task.id, state: task.state }
		});
	if (req.challengerVersion === task.championVersion)
		throw new InvalidInput({
			message: `Version ${req.challengerVersion} is the champion itself: the gate needs the retrained version.`,
			details: { version: req.challengerVersion }
		});
	const holdout: Holdout = req.holdout
		? { ...req.holdout, source: 'request' }
		: await labelledLog(env, workspaceId, task.model, req.days);
	const champion = await scoreVersion(env, workspaceId, task.model, task.championVersion, holdout.rows);
	const challenger = await scoreVersion(env, workspaceId, task.model, req.challengerVersion, holdout.rows);
	const regression = champion.task === 'regression';
	const metric = (task.gateSettings.metric ?? (regression ? 'mae' : 'accuracy')) as GateMetric;
	let yTrue: number[], a: number[], b: number[];
	let classes: number | undefined;
	if (regression) {
		const num = (xs: (string | number)[], what: string) =>
			xs.map((x, i) => {
				const n = typeof x === 'number' ? x : Number.NaN;
				if (!Number.isFinite(n))
					throw new InvalidInput({
						message: `${what} ${i} is not a number: ${JSON.stringify(x)}.`,
						details: { row: i }
					});
				return n;
			});
		[yTrue, a, b] = [
			num(holdout.labels, 'Label'),
			num(champion.values, 'Prediction'),
			num(challenger.values, 'Prediction')
		];
	} else {
		const names = [
			...new Set([...holdout.labels, ...champion.values, ...challenger.values].map(String))
		].sort();
		const index = new Map(names.map((n, i) => [n, i]));
		const idx = (xs: (string | number)[]) => xs.map((x) => index.get(String(x))!);
		[yTrue, a, b] = [idx(holdout.labels), idx(champion.values), idx(challenger.values)];
		classes = names.length;
	}
	let d;
	try {
		d = gateDecision({
			yTrue,
			champion: a,
			challenger: b,
			metric,
			margin: task.gateSettings.margin,
			confidence: task.gateSettings.confidence,
			...(classes && metric === 'macroF1' ? { classes } : {}),
			seed: 1
		});
	} catch (e) {
		if (e instanceof GateInputError) throw new InvalidInput({ message: e.message });
		throw e;
	}
	const gate: GateSummary = {
		metric,
		test: d.test,
		rows: d.rows,
		champion: d.champion,
		challenger: d.challenger,
		difference: d.difference,
		interval: d.interval,
		pValue: d.pValue ?? null,
		promote: d.promote,
		reason: d.reason,
		holdout: holdout.source
	};
	const runId = req.runId ?? task.runId;
	if (runId && (await getRun(env.DB, workspaceId, runId)))
		await registry(env, workspaceId, [
			{
				type: 'run.log',
				runId,
				metrics: [],
				params: [],
				tags: [
					{ key: 'edgebook.retrain.task', value: task.id },
					{
						key: 'edgebook.retrain.trigger',
						value: `${task.trigger}${task.triggerRef ? `:${task.triggerRef}` : ''}`
					},
					{ key: 'edgebook.gate.decision', value: d.promote ? 'promote' : 'keep champion' },
					{ key: 'edgebook.gate.reason', value: d.reason.slice(0, 5000) }
				]
			}
		]);
	const changes = { gate, challengerVersion: req.challengerVersion, runId: runId ?? null };
	if (!d.promote) return stepTask(env.DB, workspaceId, task, 'rejected', d.reason, changes, now);
	if (task.canarySettings.minutes === 0) {
		await registry(env, workspaceId, [
			{
				type: 'model.alias.set',
				modelName: task.model,
				alias: task.alias,
				ref: { version: req.challengerVersion }
			}
		]);
		return stepTask(
			env.DB,
			workspaceId,
			task,
			'promoted',
			`${d.reason} No canary asked: @${task.alias} → v${req.challengerVersion}.`,
			changes,
			now
		);
	}
	const canary = {
		startedAt: now,
		endsAt: now + task.canarySettings.minutes * 60_000,
		percent: task.canarySettings.percent
	};
	await registry(env, workspaceId, [
		{
			type: 'model.tag.set',
			name: task.model,
			key: trafficTag(task.alias),
			value: JSON.stringify({ canary: { version: req.challengerVersion, percent: canary.percent } })
		}
	]);
	return stepTask(
		env.DB,
		workspaceId,
		task,
		'canary',
		`${d.reason} Canary: v${req.challengerVersion} takes ${canary.percent}% of @${task.alias} for ${task.canarySettings.minutes} min.`,
		{ ...changes, canary },
		now
	);
}

/** Registry writes through the one write path; a refusal is the error it was. */
export async function registry(
	env: Pick<GateEnv, 'DB'>,
	workspaceId: string,
	mutations: Parameters<typeof write>[2]
) {
	const out = await write({ db: env.DB }, workspaceId, mutations);
	if (out instanceof Error) throw out;
	return out;
}
