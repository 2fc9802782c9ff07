import { beforeAll, describe, expect, it } from 'vitest';
import type { RetrainTask } from '../../../src/lib/contract';
import { scheduledRetraining } from '../../../workers/retrain/schedule';
import { settle, testEnv, type ErrorJson } from '../helpers';
import { otherWorkspaceToken } from '../registry-helpers';
import { createJob, join, job, send, task } from '../federated/client';
import { PARAMS, filled, trainedVersion } from '../federated/fixtures';
import { api, ok } from '../v1/fixtures';

/**
 * Retraining as a federated job: the task starts a job from the champion, participants train it, and the Cron
 * Trigger gates the job's last round against the champion on the model's labelled predictions.
 *
 * The model reads features a–d into classes x, y, z. The champion's weights are all zero (every class 1/3: it says
 * "x"); the world says "y" where a > 0 and "z" elsewhere, and the participants' weights say so too.
 */

const MODEL = 'rf-fed';
const rounds = { rounds: 1, minFitClients: 2, minAvailableClients: 2 };
/** Kernel 4×3 (feature-major) then bias 3: a pushes y up and z down. */
const LEARNED = (() => {
	const w = new Float32Array(PARAMS);
	w[0 * 3 + 1] = 5;
	w[0 * 3 + 2] = -5;
	return w;
})();
const rows = Array.from({ length: 60 }, (_, i) => ({
	a: i % 2 ? 1 + (i % 7) : -1 - (i % 5),
	b: i % 3,
	c: 0,
	d: 1
}));
const truth = (r: { a: number }) => (r.a > 0 ? 'y' : 'z');

/** Runs a job's rounds with two participants sending `weights`. */
async function participate(jobId: string, weights: Float32Array) {
	const a = await join(jobId);
	const b = await join(jobId);
	for (;;) {
		const j = await job(jobId);
		if (j.state === 'done' || j.state === 'failed') return j;
		for (const c of [a, b]) {
			const t = await task(jobId, c);
			if (t.kind !== 'train') continue;
			const res = await send(jobId, c, weights, { round: t.round, numExamples: 10, trainLoss: 0.1 });
			expect(res.status, await res.text()).toBe(202);
		}
	}
}

const open = (body: unknown, token?: string) =>
	api(`/api/v1/models/${MODEL}/retrain`, { method: 'POST', json: body, token });

beforeAll(async () => {
	await trainedVersion(MODEL, filled(0));
	// The champion: a federated round of the zero weights, which has its ONNX graph for the edge.
	const first = await participate(
		(await createJob({ modelName: MODEL, version: 1, ...rounds })).id,
		filled(0)
	);
	const champion = first.history[0].version;
	await ok(`/api/v1/models/${MODEL}/aliases/champion`, { method: 'PUT', json: { version: champion } });
	const res = await api(`/api/v1/models/${MODEL}/aliases/champion/predict`, {
		method: 'POST',
		json: { dataframe_records: rows }
	});
	const ids = ((await res.json()) as { predictionIds: string[] }).predictionIds;
	await settle();
	await ok(`/api/v1/models/${MODEL}/feedback`, {
		method: 'POST',
		json: { labels: ids.map((id, i) => ({ id, label: truth(rows[i]) })) }
	});
}, 60_000);

describe('retraining as a federated job', () => {
	it.each([
		['settings the job refuses', { mode: 'federated', federated: { rounds: 0 } }, /rounds/],
		[
			'a model name in the settings',
			{ mode: 'federated', federated: { modelName: 'x' } },
			/leave out modelName/
		],
		['a version in the settings', { mode: 'federated', federated: { version: 1 } }, /leave out version/],
		['settings without the mode', { federated: { rounds: 2 } }, /need mode "federated"/],
		['an unknown mode', { mode: 'cloud' }, /mode/]
	])('refuses %s by name, opening nothing', async (_what, body, message) => {
		const res = await open(body);
		const err = (await res.json()) as ErrorJson;
		expect(res.status, JSON.stringify(err)).toBe(400);
		expect(err.error.message).toMatch(message);
		expect((await ok<{ tasks: RetrainTask[] }>(`/api/v1/models/${MODEL}/retrain`)).tasks).toEqual([]);
	});

	it('needs the federate scope', async () => {
		const token = await otherWorkspaceToken('local', ['read', 'write']);
		const res = await open({ mode: 'federated', federated: rounds }, token);
		expect(res.status).toBe(403);
		expect(((await res.json()) as ErrorJson).error.message).toMatch(/"federate" scope/);
	});

	it('starts a job from the champion; the Cron Trigger gates its last round, and a better one is promoted', async () => {
		const champion = (await ok<{ aliases: Record<string, number> }>(`/api/v1/models/${MODEL}`)).aliases
			.champion;
		const created = await open({
			mode: 'federated',
			federated: rounds,
			canary: { minutes: 0 },
			reason: 'drift'
		});
		expect(created.status).toBe(201);
		const { task: t } = (await created.json()) as { task: RetrainTask };
		expect(t).toMatchObject({ mode: 'federated', state: 'claimed', championVersion: champion });
		expect(t.federatedJobId).toMatch(/^[0-9a-f]{32}$/);
		const started = await job(t.federatedJobId!);
		expect(started).toMatchObject({ modelName: MODEL, version: champion, rounds: 1 });
		// A second trigger joins the task: no second job.
		const again = await open({ mode: 'federated', federated: rounds });
		expect(((await again.json()) as { task: RetrainTask; joined: boolean }).task.id).toBe(t.id);

		// Nothing to gate while the job waits for participants.
		expect((await scheduledRetraining(testEnv)).gated).toBe(0);
		const done = await participate(t.federatedJobId!, LEARNED);
		expect(done.state).toBe('done');
		const challenger = done.history[0].version;
		expect((await scheduledRetraining(testEnv)).gated).toBe(1);
		const gated = await ok<RetrainTask>(`/api/v1/retrain/${t.id}`);
		expect(gated).toMatchObject({
			state: 'promoted',
			challengerVersion: challenger,
			gate: {
				metric: 'accuracy',
				holdout: 'labelled-log',
				rows: 60,
				promote: true,
				champion: 0,
				challenger: 1
			}
		});
		expect(gated.history.map((h) => h.step)).toEqual(['opened', 'claimed', 'promoted']);
		expect((await ok<{ aliases: Record<string, number> }>(`/api/v1/models/${MODEL}`)).aliases.champion).toBe(
			challenger
		);
		// Done: the next run has nothing more to gate.
		expect((await scheduledRetraining(testEnv)).gated).toBe(0);
	}, 60_000);
});
