import { beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent, RetrainTask } from '../../../src/lib/contract';
import { scheduledRetraining } from '../../../workers/retrain/schedule';
import { settle, testEnv, type ErrorJson } from '../helpers';
import { gemmModel } from '../inference/onnx-builder';
import { api, ok } from '../v1/fixtures';
import { draw, trainedVersionWithRun } from '../monitoring/fixtures';

/**
 * Retraining that promotes only a better model: one open task per model however often it is triggered, the gate on
 * the model's labelled predictions scored again by both versions, the canary, and its end in a promotion or a
 * rollback, each step in the task's history, on the challenger's run and through the registry's write path.
 *
 * The world moved: customers now churn ("yes") only past 65, while the champion says yes past 40.
 */
const CHAMPION = gemmModel({ weights: [[2], [0]], bias: [0], head: 'sigmoid' });
/** Standardised age z = (age − 40)/10: logit 2z − 5 says yes past 65. */
const BETTER = gemmModel({ weights: [[2], [0]], bias: [-5], head: 'sigmoid' });
/** Logit 5 − 2z says yes before 65 and no after: the opposite of the new world, worse than the champion. */
const WORSE = gemmModel({ weights: [[-2], [0]], bias: [5], head: 'sigmoid' });
const truth = (age: number) => (age > 65 ? 'yes' : 'no');

const open = (model: string, body: unknown = {}) =>
	api(`/api/v1/models/${model}/retrain`, { method: 'POST', json: body });
const task = (id: string) => ok<RetrainTask>(`/api/v1/retrain/${id}`);
const post = (path: string, body: unknown = {}) => api(path, { method: 'POST', json: body });

/** A model with a champion and 150 labelled predictions of a world where age moved up 20 years. */
async function world(model: string) {
	const champion = await trainedVersionWithRun(model, null, CHAMPION);
	await ok(`/api/v1/models/${model}/aliases/champion`, {
		method: 'PUT',
		json: { version: champion.version }
	});
	const rows = draw(150, 20);
	const res = await api(`/api/v1/models/${model}/aliases/champion/predict`, {
		method: 'POST',
		json: { dataframe_records: rows }
	});
	const ids = ((await res.json()) as { predictionIds: string[] }).predictionIds;
	await settle();
	await ok(`/api/v1/models/${model}/feedback`, {
		method: 'POST',
		json: { labels: ids.map((id, i) => ({ id, label: truth(rows[i].age) })) }
	});
	return { champion, rows };
}

let first: RetrainTask;

beforeAll(async () => {
	await world('rt-churn');
}, 60_000);

describe('one task per model', () => {
	it('a trigger opens a task; a second while it is open joins it; the champion is the alias’s version', async () => {
		const a = await open('rt-churn', { reason: 'drift on age' });
		expect(a.status).toBe(201);
		const body = (await a.json()) as { task: RetrainTask; joined: boolean };
		first = body.task;
		expect(body.joined).toBe(false);
		expect(first).toMatchObject({
			state: 'pending',
			trigger: 'manual',
			championVersion: 1,
			alias: 'champion',
			reason: 'drift on age'
		});
		const b = await open('rt-churn', { trigger: 'data', triggerRef: 'sha256:abc' });
		expect(b.status).toBe(200);
		expect((await b.json()) as { task: RetrainTask; joined: boolean }).toMatchObject({
			joined: true,
			task: { id: first.id }
		});
		// Ten at once still make one.
		const many = await Promise.all(Array.from({ length: 10 }, () => open('rt-churn')));
		const ids = new Set(
			await Promise.all(many.map(async (r) => ((await r.json()) as { task: RetrainTask }).task.id))
		);
		expect([...ids]).toEqual([first.id]);
	});

	it('an alert rule with retrain opens the task or joins it, and names it on the event', async () => {
		await ok('/api/v1/models/rt-churn/alerts', {
			method: 'POST',
			json: {
				name: 'accuracy fell',
				kind: 'metric_floor',
				metric: 'accuracy',
				threshold: 0.95,
				retrain: true
			},
			status: 201
		});
		const { fired } = await ok<{ fired: AlertEvent[] }>('/api/v1/models/rt-churn/alerts/evaluate', {
			method: 'POST'
		});
		expect(fired).toHaveLength(1);
		expect(fired[0].retrainTaskId).toBe(first.id);
		const [e] = (await ok<{ events: AlertEvent[] }>('/api/v1/models/rt-churn/alerts/events')).events;
		expect(e.retrainTaskId).toBe(first.id);
	});

	it('a browser claims it once', async () => {
		const claimed = await ok<RetrainTask>(`/api/v1/retrain/${first.id}/claim`, {
			method: 'POST',
			json: { by: 'tab 1' }
		});
		expect(claimed.state).toBe('claimed');
		expect(claimed.history.map((h) => h.step)).toEqual(['opened', 'claimed']);
		const again = await post(`/api/v1/retrain/${first.id}/claim`);
		expect(again.status).toBe(409);
		expect(((await again.json()) as ErrorJson).error.message).toMatch(/is claimed, not pending/);
	});
});

describe('the gate', () => {
	it('a worse challenger is rejected on the labelled predictions: nothing moves', async () => {
		const worse = await trainedVersionWithRun('rt-churn', null, WORSE);
		const t = await ok<RetrainTask>(`/api/v1/retrain/${first.id}/gate`, {
			method: 'POST',
			json: { challengerVersion: worse.version, runId: worse.runId }
		});
		expect(t.state).toBe('rejected');
		expect(t.gate).toMatchObject({
			metric: 'accuracy',
			test: 'mcnemar',
			rows: 150,
			promote: false,
			holdout: 'labelled-log'
		});
		expect(t.gate!.difference).toBeLessThan(0);
		expect(t.gate!.reason).toMatch(/^Keep the champion/);
		const model = await ok<{ aliases: Record<string, number>; tags: Record<string, string> }>(
			'/api/v1/models/rt-churn'
		);
		expect(model.aliases.champion).toBe(1);
		expect(model.tags['edgebook.traffic.champion']).toBeUndefined();
		const run = await ok<{ tags: Record<string, string> }>(`/api/v1/runs/${worse.runId}`);
		expect(run.tags['edgebook.gate.decision']).toBe('keep champion');
		expect(run.tags['edgebook.retrain.task']).toBe(first.id);
	});

	it('a better challenger passes on the same rows and starts its canary; concluding early needs force', async () => {
		const better = await trainedVersionWithRun('rt-churn', null, BETTER);
		const { task: t } = (await (await open('rt-churn', { canary: { percent: 25, minutes: 30 } })).json()) as {
			task: RetrainTask;
		};
		expect(t.id).not.toBe(first.id);
		const gated = await ok<RetrainTask>(`/api/v1/retrain/${t.id}/gate`, {
			method: 'POST',
			json: { challengerVersion: better.version, runId: better.runId }
		});
		expect(gated.state).toBe('canary');
		expect(gated.gate).toMatchObject({ promote: true, rows: 150 });
		expect(gated.gate!.challenger).toBeGreaterThan(gated.gate!.champion);
		expect(gated.gate!.pValue!).toBeLessThan(0.05);
		expect(gated.canary!.endsAt - gated.canary!.startedAt).toBe(30 * 60_000);
		const split = await ok<{ traffic: unknown }>('/api/v1/models/rt-churn/aliases/champion/traffic');
		expect(split.traffic).toEqual({ canary: { version: better.version, percent: 25 } });
		const early = await post(`/api/v1/retrain/${t.id}/conclude`);
		expect(early.status).toBe(400);
		expect(((await early.json()) as ErrorJson).error.message).toMatch(
			/canary of rt_[0-9a-f]+ runs until 20\d\d-/
		);
		// Forced: no live numbers contradict the gate, so the alias moves and the split ends.
		const done = await ok<RetrainTask>(`/api/v1/retrain/${t.id}/conclude`, {
			method: 'POST',
			json: { force: true }
		});
		expect(done.state).toBe('promoted');
		expect(done.history.map((h) => h.step)).toEqual(['opened', 'canary', 'promoted']);
		const model = await ok<{ aliases: Record<string, number>; tags: Record<string, string> }>(
			'/api/v1/models/rt-churn'
		);
		expect(model.aliases.champion).toBe(better.version);
		expect(model.tags['edgebook.traffic.champion']).toBeUndefined();
	});

	it('a canary whose live accuracy falls under the champion’s is rolled back', async () => {
		const { rows } = await world('rt-live');
		const better = await trainedVersionWithRun('rt-live', null, BETTER);
		const { task: t } = (await (await open('rt-live', { canary: { percent: 50, minutes: 60 } })).json()) as {
			task: RetrainTask;
		};
		// The gate's hold-out says the challenger is better…
		const gated = await ok<RetrainTask>(`/api/v1/retrain/${t.id}/gate`, {
			method: 'POST',
			json: { challengerVersion: better.version, holdout: { rows, labels: rows.map((r) => truth(r.age)) } }
		});
		expect(gated).toMatchObject({ state: 'canary', gate: { holdout: 'request', promote: true } });
		// …but live, the labels agree with the champion (ages 40–65 churn after all). One row per request: the split
		// sends each request (not each row) to one version.
		const live = draw(80, 12);
		const ids: string[] = [];
		for (const row of live) {
			const res = await api('/api/v1/models/rt-live/aliases/champion/predict', {
				method: 'POST',
				json: { dataframe_records: [row] }
			});
			ids.push(...((await res.json()) as { predictionIds: string[] }).predictionIds);
		}
		await settle();
		await ok('/api/v1/models/rt-live/feedback', {
			method: 'POST',
			json: { labels: ids.map((id, i) => ({ id, label: live[i].age > 40 ? 'yes' : 'no' })) }
		});
		const done = await ok<RetrainTask>(`/api/v1/retrain/${t.id}/conclude`, {
			method: 'POST',
			json: { force: true }
		});
		expect(done.state, done.history.at(-1)!.note).toBe('rolled_back');
		expect(done.history.at(-1)!.note).toMatch(/live accuracy 0\.\d+ under the champion's 1\.000/);
		const model = await ok<{ aliases: Record<string, number>; tags: Record<string, string> }>(
			'/api/v1/models/rt-live'
		);
		expect(model.aliases.champion).toBe(1);
		expect(model.tags['edgebook.traffic.champion']).toBeUndefined();
	});

	it('the Cron Trigger concludes a canary past its end and opens scheduled tasks', async () => {
		await world('rt-cron');
		const better = await trainedVersionWithRun('rt-cron', null, BETTER);
		const { task: t } = (await (await open('rt-cron', { canary: { percent: 10, minutes: 1 } })).json()) as {
			task: RetrainTask;
		};
		await ok(`/api/v1/retrain/${t.id}/gate`, { method: 'POST', json: { challengerVersion: better.version } });
		expect((await scheduledRetraining(testEnv, Date.now())).concluded).toBe(0);
		expect((await scheduledRetraining(testEnv, Date.now() + 61_000)).concluded).toBe(1);
		expect((await task(t.id)).state).toBe('promoted');
		await ok('/api/v1/models/rt-cron/tags/edgebook.retrain.every_hours', {
			method: 'PUT',
			json: { value: '24' }
		});
		const tags = (await ok<{ tags: Record<string, string> }>('/api/v1/models/rt-cron')).tags;
		expect(tags['edgebook.retrain.every_hours']).toBe('24');
		// The last task is new: nothing yet. A day later: one scheduled task, and only one.
		expect((await scheduledRetraining(testEnv, Date.now())).opened).toBe(0);
		expect((await scheduledRetraining(testEnv, Date.now() + 25 * 3_600_000)).opened).toBe(1);
		expect((await scheduledRetraining(testEnv, Date.now() + 25 * 3_600_000)).opened).toBe(0);
		const { tasks } = await ok<{ tasks: RetrainTask[] }>('/api/v1/models/rt-cron/retrain');
		expect(tasks[0]).toMatchObject({ trigger: 'schedule', state: 'pending', triggerRef: 'every 24 h' });
	});
});

describe('retraining refuses bad input by name and changes nothing', () => {
	const bad = async (res: Response, status: number, message: RegExp) => {
		const body = (await res.json()) as ErrorJson;
		expect(res.status, JSON.stringify(body)).toBe(status);
		expect(body.error.message).toMatch(message);
	};
	let t: RetrainTask;
	beforeAll(async () => {
		await world('rt-bad');
		t = ((await (await open('rt-bad')).json()) as { task: RetrainTask }).task;
	});

	it.each([
		['an unknown model', () => open('nope'), 404, /No registered model named "nope"/],
		[
			'a model without the alias',
			async () => {
				await trainedVersionWithRun('rt-noalias', null, CHAMPION);
				return open('rt-noalias');
			},
			400,
			/has no alias "champion": retraining needs a champion/
		],
		['a canary over half the traffic', () => open('rt-bad', { canary: { percent: 80 } }), 400, /percent/],
		['a confidence of 1', () => open('rt-bad', { gate: { confidence: 1 } }), 400, /confidence/],
		['an unknown trigger', () => open('rt-bad', { trigger: 'moon' }), 400, /trigger/],
		['an unknown field', () => open('rt-bad', { priority: 1 }), 400, /priority/],
		[
			'a gate on the champion itself',
			() => post(`/api/v1/retrain/${t.id}/gate`, { challengerVersion: 1 }),
			400,
			/is the champion itself/
		],
		[
			'a gate on a version that does not exist',
			() => post(`/api/v1/retrain/${t.id}/gate`, { challengerVersion: 99 }),
			404,
			/99/
		],
		[
			'a holdout whose rows and labels differ',
			() =>
				post(`/api/v1/retrain/${t.id}/gate`, {
					challengerVersion: 2,
					holdout: { rows: [{ age: 1, income: 1 }], labels: ['yes', 'no'] }
				}),
			400,
			/differ in length/
		],
		[
			'an unknown task',
			() => post('/api/v1/retrain/rt_00000000000000000000/gate', { challengerVersion: 2 }),
			404,
			/No retraining task/
		],
		['a malformed task id', () => post('/api/v1/retrain/42/claim'), 400, /rt_ and 20 hex digits/],
		[
			'a conclusion of a task not in a canary',
			() => post(`/api/v1/retrain/${t.id}/conclude`),
			400,
			/is pending, not in a canary/
		]
	])('%s', async (_what, call, status, message) => {
		await bad(await call(), status, message);
		expect(await task(t.id)).toEqual(t);
	});

	it('a gate with no labelled predictions and no holdout says where labels come from', async () => {
		const champion = await trainedVersionWithRun('rt-nolabels', null, CHAMPION);
		await ok('/api/v1/models/rt-nolabels/aliases/champion', {
			method: 'PUT',
			json: { version: champion.version }
		});
		const better = await trainedVersionWithRun('rt-nolabels', null, BETTER);
		const { task: n } = (await (await open('rt-nolabels')).json()) as { task: RetrainTask };
		await bad(
			await post(`/api/v1/retrain/${n.id}/gate`, { challengerVersion: better.version }),
			400,
			/no labelled predictions in the last 7 days.*feedback/
		);
		expect((await task(n.id)).state).toBe('pending');
	});
});

describe('a notebook finds the tasks it can take', () => {
	it('by the notebook and cell its champion was trained in; another notebook sees none', async () => {
		const expId = (
			await ok<{ id: string }>('/api/v1/experiments', {
				method: 'POST',
				json: { name: 'rt-nb' },
				status: 201
			})
		).id;
		await ok('/api/v1/runs', {
			method: 'POST',
			json: {
				id: 'rt_nb_run',
				experimentId: expId,
				name: 'trained here',
				notebookId: 'nb_here',
				cellId: 'c_train'
			},
			status: 201
		});
		await ok('/api/v1/models', { method: 'POST', json: { name: 'rt-nb' }, status: 201 });
		const { sha } = { sha: await (await import('../inference/fixtures')).upload(CHAMPION) };
		const v = await ok<{ version: number }>('/api/v1/models/rt-nb/versions', {
			method: 'POST',
			json: { sourceRunId: 'rt_nb_run', artifactSha256: sha },
			status: 201
		});
		await ok('/api/v1/models/rt-nb/aliases/champion', { method: 'PUT', json: { version: v.version } });
		const { task: t } = (await (await open('rt-nb')).json()) as { task: RetrainTask };
		expect(t).toMatchObject({ notebookId: 'nb_here', cellId: 'c_train' });
		expect(
			(await ok<{ tasks: RetrainTask[] }>('/api/v1/retrain?notebookId=nb_here')).tasks.map((x) => x.id)
		).toEqual([t.id]);
		expect((await ok<{ tasks: RetrainTask[] }>('/api/v1/retrain?notebookId=nb_elsewhere')).tasks).toEqual([]);
		// Closed tasks are not offered.
		await ok(`/api/v1/retrain/${t.id}/cancel`, { method: 'POST', json: { reason: 'not now' } });
		expect((await ok<{ tasks: RetrainTask[] }>('/api/v1/retrain?notebookId=nb_here')).tasks).toEqual([]);
		const noQuery = await api('/api/v1/retrain');
		expect(noQuery.status).toBe(400);
		expect(((await noQuery.json()) as ErrorJson).error.message).toMatch(/notebookId/);
	});
});
