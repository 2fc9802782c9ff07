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
	opts: { signal?: AbortSignal; sleep?: () => Promise<void> } = {}
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
