import { describe, expect, it } from 'vitest';
import type { FedTask } from '$lib/contract';
import { participate, type JoinPlan, type ParticipantStatus } from '$lib/federated/participant';
import { FederatedError, type FederatedApi } from '$lib/federated/protocol';

/**
 * The participant's loop with a scripted registry and a fake train worker: a cut network is waited out and the
 * loop rejoins at the next round, a refused (stale) update is not retried into the same round, the job's end ends
 * the loop, and Leave stops it. No rows are involved: what is sent is recorded and checked.
 */

const plan = {
	job: { id: 'j1', modelName: 'm', version: 1 },
	prep: {},
	spec: {},
	modelJson: '{}',
	needed: []
} as unknown as JoinPlan;
const train = (round: number): FedTask => ({
	kind: 'train',
	round,
	deadlineAt: 0,
	localEpochs: 1,
	batchSize: 8,
	learningRate: 0.1,
	mu: 0,
	encoding: 'float32',
	localDp: null,
	weights: ''
});

function harness(script: (FedTask | Error)[], opts: { refuseUpdateOf?: number } = {}) {
	const sent: { round: number; bytes: number; meta: Record<string, unknown> }[] = [];
	let step = 0;
	const api = {
		register: async () => ({ jobId: 'j1', clientId: 'c1', secret: 's' }),
		task: async () => {
			const next = script[Math.min(step++, script.length - 1)];
			if (next instanceof Error) throw next;
			return next;
		},
		weights: async () => new Float32Array(4),
		update: async (_p: unknown, w: Float32Array, meta: { round: number }) => {
			if (meta.round === opts.refuseUpdateOf)
				throw new FederatedError(
					409,
					'conflict',
					`This update is for round ${meta.round}; round ${meta.round + 1} is open.`
				);
			sent.push({ round: meta.round, bytes: w.byteLength, meta });
		}
	} as unknown as FederatedApi;
	const worker = {
		federatedRound: async () => ({
			ok: true,
			weights: new Float32Array([1, 2, 3, 4]).buffer,
			examples: 7,
			trainLoss: 0.5,
			evalLoss: 0.7,
			evalAccuracy: 0.5,
			backend: 'cpu'
		}),
		receiveFrame: async () => ({ ok: true, handle: 'f1', rows: 1, columns: [] }),
		release: async () => undefined
	};
	const data = { frameTo: async () => ({ ok: true }) };
	const statuses: ParticipantStatus[] = [];
	return { api, worker, data, statuses, sent };
}

/** Runs the loop on a harness; `sleep` stands for the waits (instant unless a test needs more). */
function run(
	h: ReturnType<typeof harness>,
	opts: { signal?: AbortSignal; sleep?: (ms: number) => Promise<void> } = {}
) {
	return participate({
		api: h.api,
		plan,
		table: 't',
		data: () => h.data as never,
		train: () => h.worker as never,
		signal: opts.signal ?? new AbortController().signal,
		onStatus: (s) => h.statuses.push(s),
		sleep: opts.sleep ?? (async () => undefined)
	});
}

describe('participate', () => {
	it('stops on a failure that is not the network’s (it would fail again), saying why', async () => {
		const h = harness([train(1), new Error('The table has no rows the model can read.')]);
		await run(h);
		expect(h.statuses.at(-1)).toEqual({
			kind: 'failed',
			message: 'The table has no rows the model can read.'
		});
		expect(h.sent.map((s) => s.round)).toEqual([1]);
	});

	it('waits out a cut network, trains each round it is given once, and ends with the job', async () => {
		const h = harness([
			{ kind: 'wait', round: 0, retryAfterS: 0, state: 'waiting' },
			train(1),
			new TypeError('Failed to fetch'),
			new TypeError('Failed to fetch'),
			train(2),
			{ kind: 'done', round: 2, state: 'done', error: null }
		]);
		await run(h);
		expect(h.sent.map((s) => [s.round, s.bytes])).toEqual([
			[1, 16],
			[2, 16]
		]);
		expect(h.sent[0].meta).toEqual({
			round: 1,
			numExamples: 7,
			encoding: 'float32',
			trainLoss: 0.5,
			evalLoss: 0.7,
			evalAccuracy: 0.5
		});
		expect(h.statuses.filter((s) => s.kind === 'offline')).toHaveLength(2);
		expect(h.statuses.at(-1)).toEqual({ kind: 'done', round: 2, state: 'done', error: null });
	});

	it('a refused update (the round moved on) is not sent again; the next round is trained', async () => {
		const h = harness([train(1), train(2), { kind: 'done', round: 2, state: 'done', error: null }], {
			refuseUpdateOf: 1
		});
		await run(h);
		expect(h.sent.map((s) => s.round)).toEqual([2]);
	});

	it('the job refusing the client outright (403) stops the loop with its reason', async () => {
		const h = harness([new FederatedError(403, 'forbidden', 'Unknown client or wrong client secret')]);
		await run(h);
		expect(h.statuses.at(-1)).toEqual({ kind: 'failed', message: 'Unknown client or wrong client secret' });
	});

	it('Leave stops before the next step', async () => {
		const h = harness([{ kind: 'wait', round: 0, retryAfterS: 0, state: 'waiting' }]);
		const controller = new AbortController();
		await run(h, { signal: controller.signal, sleep: async () => controller.abort() });
		expect(h.statuses.at(-1)).toEqual({ kind: 'left' });
		expect(h.sent).toEqual([]);
	});
});

/**
 * A network cut mid-round, against a fake job that keeps the object's rules (workers/federated/job-object.ts) on a
 * virtual clock: a round closes only at its deadline (the other clients are slower), the task of a client that has
 * sent is "wait", an update for a closed round or a second one for the same round is refused with 409, and the
 * global weights are only the open round's. The network is down from a cut until `downMs` of waiting have passed:
 * every call then throws TypeError, as `fetch` does offline. A cut update either never reached the job, reached it
 * (only the response was lost), or reached it late: stored after the reconnected client's next task was answered
 * (the object awaits the secret's hash before storing, so a task may be served in between).
 */
type Cut = { call: 'update' | 'weights'; round: number; downMs: number; reached?: 'no' | 'yes' | 'late' };

function cutJob(o: { rounds: number; cuts: Cut[]; deadlineMs?: number; trainMs?: number }) {
	const deadline = o.deadlineMs ?? 5000;
	let now = 0;
	let round = 1;
	let openedAt = 0;
	let downUntil = -1;
	let late: { round: number } | null = null;
	const cuts = o.cuts.map((c) => ({ ...c, used: false }));
	/** Updates the job counted, in order. */
	const accepted: number[] = [];
	/** Every update POST the client made: its round and what became of it. */
	const posts: { round: number; outcome: 'cut' | 'accepted' | 'refused' }[] = [];
	const calls = { task: 0, weights: 0 };
	const tick = () => {
		while (round <= o.rounds && now >= openedAt + deadline) {
			openedAt += deadline;
			round++;
		}
	};
	const offline = () => {
		if (now < downUntil) throw new TypeError('Failed to fetch');
	};
	const cutOf = (call: Cut['call'], r: number) => {
		const c = cuts.find((x) => !x.used && x.call === call && x.round === r);
		if (!c) return null;
		c.used = true;
		downUntil = now + c.downMs;
		return c;
	};
	const accept = (r: number) => {
		tick();
		if (r !== round)
			throw new FederatedError(409, 'conflict', `This update is for round ${r}; round ${round} is open.`);
		if (accepted.includes(r))
			throw new FederatedError(
				409,
				'conflict',
				`Client c1 already sent its update for round ${r}: one per round.`
			);
		accepted.push(r);
	};
	const api = {
		register: async () => {
			offline();
			return { jobId: 'j1', clientId: 'c1', secret: 's' };
		},
		task: async (): Promise<FedTask> => {
			calls.task++;
			offline();
			tick();
			const answer: FedTask =
				round > o.rounds
					? { kind: 'done', round: o.rounds, state: 'done', error: null }
					: accepted.includes(round)
						? { kind: 'wait', round, retryAfterS: 2, state: 'round_open' }
						: train(round);
			if (late) {
				accept(late.round);
				late = null;
			}
			return answer;
		},
		weights: async (_p: unknown, r: number) => {
			calls.weights++;
			offline();
			if (cutOf('weights', r)) throw new TypeError('Failed to fetch');
			tick();
			if (r !== round)
				throw new FederatedError(
					409,
					'conflict',
					`Round ${r} is not open; the job's global model is for round ${round}.`
				);
			return new Float32Array(4);
		},
		update: async (_p: unknown, _w: Float32Array, meta: { round: number }) => {
			const post = { round: meta.round, outcome: 'cut' as 'cut' | 'accepted' | 'refused' };
			posts.push(post);
			offline();
			const c = cutOf('update', meta.round);
			if (c) {
				if (c.reached === 'yes') accept(meta.round);
				if (c.reached === 'late') late = { round: meta.round };
				throw new TypeError('Failed to fetch');
			}
			try {
				accept(meta.round);
				post.outcome = 'accepted';
			} catch (e) {
				post.outcome = 'refused';
				throw e;
			}
		}
	} as unknown as FederatedApi;
	const worker = {
		federatedRound: async () => {
			now += o.trainMs ?? 500;
			return {
				ok: true,
				weights: new Float32Array([1, 2, 3, 4]).buffer,
				examples: 7,
				trainLoss: 0.5,
				evalLoss: 0.7,
				evalAccuracy: 0.5,
				backend: 'cpu'
			};
		},
		receiveFrame: async () => ({ ok: true, handle: 'f1', rows: 1, columns: [] }),
		release: async () => undefined
	};
	const statuses: ParticipantStatus[] = [];
	const h = {
		api,
		worker,
		data: { frameTo: async () => ({ ok: true }) },
		statuses,
		sent: [] as never[]
	};
	return {
		h,
		accepted,
		posts,
		calls,
		statuses,
		/** The loop on the virtual clock: each wait moves it on; `onSleep` may leave. */
		run: (opts: { signal?: AbortSignal; onSleep?: () => void } = {}) =>
			run(h, {
				signal: opts.signal,
				sleep: async (ms?: number) => {
					now += ms ?? 0;
					opts.onSleep?.();
				}
			})
	};
}

const kinds = (statuses: ParticipantStatus[]) => statuses.map((s) => s.kind);
const sentRounds = (statuses: ParticipantStatus[]) =>
	statuses.flatMap((s) => (s.kind === 'sent' ? [s.round] : []));
const offlineOf = (statuses: ParticipantStatus[]) =>
	statuses.flatMap((s) => (s.kind === 'offline' ? [[s.round, s.message]] : []));
const refusedOf = (statuses: ParticipantStatus[]) =>
	statuses.flatMap((s) => (s.kind === 'refused' ? [[s.round, s.message]] : []));

describe('participate through a network cut mid-round', () => {
	it('the update POST fails and the network stays down past the deadline: offline, then round 2 and 3, never round 1 again', async () => {
		const j = cutJob({ rounds: 3, cuts: [{ call: 'update', round: 1, downMs: 6000, reached: 'no' }] });
		await j.run();
		expect(j.posts).toEqual([
			{ round: 1, outcome: 'cut' },
			{ round: 2, outcome: 'accepted' },
			{ round: 3, outcome: 'accepted' }
		]);
		expect(j.accepted).toEqual([2, 3]);
		// The cut update (said at round 1), then the two polls while down, 2 s apart: offline each time.
		expect(offlineOf(j.statuses)[0]).toEqual([1, 'Failed to fetch']);
		expect(offlineOf(j.statuses).map(([, m]) => m)).toEqual([
			'Failed to fetch',
			'Failed to fetch',
			'Failed to fetch'
		]);
		expect(sentRounds(j.statuses)).toEqual([2, 3]);
		expect(kinds(j.statuses)).not.toContain('failed');
		expect(j.statuses.at(-1)).toEqual({ kind: 'done', round: 3, state: 'done', error: null });
	});

	it('the update reached the job but its response was lost: the round is not sent again, the next one is', async () => {
		const j = cutJob({ rounds: 3, cuts: [{ call: 'update', round: 1, downMs: 1000, reached: 'yes' }] });
		await j.run();
		expect(j.accepted).toEqual([1, 2, 3]);
		expect(j.posts.map((p) => p.round)).toEqual([1, 2, 3]);
		// Back online while round 1 is still open: the job says it has this client's update, so the loop waits.
		const after = j.statuses.slice(j.statuses.findIndex((s) => s.kind === 'offline'));
		expect(after[1]).toEqual({ kind: 'waiting', round: 1, state: 'round_open' });
		expect(sentRounds(j.statuses)).toEqual([2, 3]);
		expect(j.statuses.at(-1)).toEqual({ kind: 'done', round: 3, state: 'done', error: null });
	});

	it('an update stored only after the reconnect: the retrained one is refused (409 "already sent"), not fatal', async () => {
		const j = cutJob({ rounds: 3, cuts: [{ call: 'update', round: 1, downMs: 1000, reached: 'late' }] });
		await j.run();
		expect(j.accepted).toEqual([1, 2, 3]);
		expect(j.posts).toEqual([
			{ round: 1, outcome: 'cut' },
			{ round: 1, outcome: 'refused' },
			{ round: 2, outcome: 'accepted' },
			{ round: 3, outcome: 'accepted' }
		]);
		expect(offlineOf(j.statuses)).toEqual([[1, 'Failed to fetch']]);
		expect(refusedOf(j.statuses)).toEqual([
			[1, 'Client c1 already sent its update for round 1: one per round.']
		]);
		expect(kinds(j.statuses)).not.toContain('failed');
		expect(j.statuses.at(-1)).toEqual({ kind: 'done', round: 3, state: 'done', error: null });
	});

	it('back online just before the deadline: the retrained round 1 arrives after it closed (409), not fatal', async () => {
		// Trained by 1.5 s, cut then for 1 s; back at 3.5 s and retrained, which takes 1.5 s: round 1 closed at 5 s.
		const j = cutJob({
			rounds: 3,
			trainMs: 1500,
			cuts: [{ call: 'update', round: 1, downMs: 1000, reached: 'no' }]
		});
		await j.run();
		expect(j.posts).toEqual([
			{ round: 1, outcome: 'cut' },
			{ round: 1, outcome: 'refused' },
			{ round: 2, outcome: 'accepted' },
			{ round: 3, outcome: 'accepted' }
		]);
		expect(refusedOf(j.statuses)).toEqual([[1, 'This update is for round 1; round 2 is open.']]);
		expect(kinds(j.statuses)).not.toContain('failed');
		expect(j.statuses.at(-1)).toEqual({ kind: 'done', round: 3, state: 'done', error: null });
	});

	it('the weights GET fails briefly: round 1 is trained once back online, then 2 and 3', async () => {
		const j = cutJob({ rounds: 3, cuts: [{ call: 'weights', round: 1, downMs: 1000 }] });
		await j.run();
		expect(j.calls.weights).toBe(4);
		expect(j.posts.map((p) => [p.round, p.outcome])).toEqual([
			[1, 'accepted'],
			[2, 'accepted'],
			[3, 'accepted']
		]);
		expect(offlineOf(j.statuses)).toEqual([[1, 'Failed to fetch']]);
		expect(sentRounds(j.statuses)).toEqual([1, 2, 3]);
	});

	it('the weights GET fails and the network stays down past the deadline: it takes part from round 2', async () => {
		const j = cutJob({ rounds: 3, cuts: [{ call: 'weights', round: 1, downMs: 6000 }] });
		await j.run();
		expect(j.accepted).toEqual([2, 3]);
		expect(j.posts.map((p) => p.round)).toEqual([2, 3]);
		expect(offlineOf(j.statuses)[0]).toEqual([1, 'Failed to fetch']);
		expect(kinds(j.statuses)).not.toContain('failed');
		expect(j.statuses.at(-1)).toEqual({ kind: 'done', round: 3, state: 'done', error: null });
	});

	it('Leave while offline stops the loop: no more calls, nothing sent', async () => {
		const j = cutJob({ rounds: 3, cuts: [{ call: 'update', round: 1, downMs: 60_000, reached: 'no' }] });
		const controller = new AbortController();
		let tasksAtLeave = -1;
		await j.run({
			signal: controller.signal,
			onSleep: () => {
				if (j.statuses.filter((s) => s.kind === 'offline').length === 2) {
					tasksAtLeave = j.calls.task;
					controller.abort();
				}
			}
		});
		expect(j.statuses.at(-1)).toEqual({ kind: 'left' });
		expect(j.calls.task).toBe(tasksAtLeave);
		expect(j.accepted).toEqual([]);
		expect(j.posts).toEqual([{ round: 1, outcome: 'cut' }]);
	});
});
