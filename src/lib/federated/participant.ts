import type { Remote } from 'comlink';
import {
	preprocessingSchema,
	type FedJobView,
	type FedTask,
	type LocalDp,
	type UpdateEncodingName
} from '$lib/contract';
import type { DataApi } from '$lib/data/data.worker';
import { rawInputs } from '$lib/ml/transforms';
import type { ModelSpec, Preprocessing } from '$lib/ml/types';
import { trainConfig } from '$lib/notebook/schema';
import type { TrainApi } from '$lib/train/client';
import { pipeFrame } from '$lib/train/frame-pipe';
import { modelSpec } from '$lib/train/model-spec';
import { outgoingUpdate } from './outgoing';
import { FederatedError, type FederatedApi, type Participant } from './protocol';

/**
 * A browser taking part in a federated job (docs/architecture.md, "Federated jobs"): it learns what the job's
 * model reads, checks a local table against it, then loops — ask for the task, pull the round's global weights,
 * train on the local rows in the train worker (the training session from those weights), send the new weights and
 * the example count. The rows stay in this tab: they go from the data worker to the train worker and nowhere else.
 */

export interface JoinPlan {
	job: FedJobView;
	prep: Preprocessing;
	spec: ModelSpec;
	modelJson: string;
	/** The raw columns the model reads, then its target. */
	needed: string[];
}

/**
 * What the job's starting version reads and how its model is built: the job's plan, which a participation token
 * (bound to this job, no registry reads) may fetch.
 */
export async function planJoin(api: FederatedApi, jobId: string): Promise<JoinPlan> {
	const [job, p] = await Promise.all([api.job(jobId), api.plan(jobId)]);
	if (p.preprocessing === null)
		throw new Error(
			`Version ${p.version} of ${p.modelName} has no preprocessing.json, so a browser cannot tell which columns it reads: start the job from a version trained in the notebook.`
		);
	const prep = preprocessingSchema.parse(p.preprocessing) as Preprocessing;
	const params = p.params;
	const spec = modelSpec(
		trainConfig.parse({
			model: params.model,
			layers: params.layers,
			activation: params.activation,
			dropout: params.dropout === undefined ? undefined : Number(params.dropout),
			image: params.image
		})
	);
	return { job, prep, spec, modelJson: p.modelJson, needed: [...rawInputs(prep).keys(), prep.target.name] };
}

/** Why a local table cannot take part, naming the columns it lacks; null when it can. */
export function tableProblem(plan: JoinPlan, table: string, columns: readonly string[]): string | null {
	const have = new Set(columns);
	const missing = plan.needed.filter((n) => !have.has(n));
	if (!missing.length) return null;
	return `${table} lacks ${missing.map((m) => `"${m}"`).join(', ')}, which ${plan.job.modelName} v${plan.job.version} reads; it needs ${plan.needed.map((n) => `"${n}"`).join(', ')}.`;
}

export type ParticipantStatus =
	| { kind: 'joining' }
	| { kind: 'waiting'; round: number; state: string }
	| { kind: 'training'; round: number; epoch: number; epochs: number }
	| {
			kind: 'sent';
			round: number;
			examples: number;
			trainLoss: number | null;
			evalLoss: number | null;
			/** The update's bytes on the wire and its encoding. */
			bytes: number;
			encoding: UpdateEncodingName;
			/** This tab's local DP so far (rounds sent with noise), null without it. */
			localDp: (LocalDp & { rounds: number }) | null;
	  }
	| { kind: 'offline'; round: number; message: string }
	/** The job did not take this round's update (a closed or stale round, or one already sent): the next round. */
	| { kind: 'refused'; round: number; message: string }
	| { kind: 'done'; round: number; state: string; error: string | null }
	| { kind: 'failed'; message: string }
	| { kind: 'left' };

export interface RunOptions {
	api: FederatedApi;
	plan: JoinPlan;
	table: string;
	data: () => Remote<DataApi>;
	train: () => Remote<TrainApi>;
	onStatus: (s: ParticipantStatus) => void;
	/** Set to leave: the loop stops before its next step. */
	signal: AbortSignal;
	sleep?: (ms: number) => Promise<void>;
	/** Local DP this participant chose for itself; a job that requires local DP uses the job's settings instead. */
	localDp?: LocalDp | null;
}

/** What a participant carries from round to round: error feedback's residual and its local DP rounds. */
interface Carry {
	residual: Float32Array | null;
	dpRounds: number;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether a failed call is the network's (try again) rather than the job's answer. */
const transient = (e: unknown) =>
	// fetch rejects with a TypeError when the network is down; anything else that is not the job's answer (a
	// training failure, a model that does not fit the table) would fail again, so it stops the loop.
	e instanceof FederatedError ? e.status >= 500 || e.status === 429 : e instanceof TypeError;

/** Takes part until the job ends or the signal aborts. One update per round; a cut network rejoins next round. */
export async function participate(o: RunOptions): Promise<void> {
	const sleep = o.sleep ?? pause;
	o.onStatus({ kind: 'joining' });
	let me: Participant | null = null;
	let lastRound = 0;
	const carry: Carry = { residual: null, dpRounds: 0 };
	while (!o.signal.aborted) {
		let task: FedTask;
		try {
			me ??= await o.api.register(o.plan.job.id);
			task = await o.api.task(me);
		} catch (e) {
			if (!transient(e)) {
				o.onStatus({ kind: 'failed', message: (e as Error).message });
				return;
			}
			o.onStatus({ kind: 'offline', round: lastRound, message: (e as Error).message });
			await sleep(2000);
			continue;
		}
		if (task.kind === 'done') {
			o.onStatus({ kind: 'done', round: task.round, state: task.state, error: task.error });
			return;
		}
		if (task.kind === 'wait') {
			o.onStatus({ kind: 'waiting', round: task.round, state: task.state });
			await sleep(task.retryAfterS * 1000);
			continue;
		}
		try {
			await oneRound(o, me, task, carry);
			lastRound = task.round;
		} catch (e) {
			// The job refused this update (a closed or stale round): wait for the next one, nothing is half-sent.
			const refused = e instanceof FederatedError && e.status === 409;
			if (!transient(e) && !refused) {
				o.onStatus({ kind: 'failed', message: (e as Error).message });
				return;
			}
			o.onStatus({ kind: refused ? 'refused' : 'offline', round: task.round, message: (e as Error).message });
			await sleep(2000);
		}
	}
	o.onStatus({ kind: 'left' });
}

async function oneRound(
	o: RunOptions,
	me: Participant,
	task: Extract<FedTask, { kind: 'train' }>,
	carry: Carry
) {
	const global = await o.api.weights(me, task.round);
	o.onStatus({ kind: 'training', round: task.round, epoch: 0, epochs: task.localEpochs });
	const piped = await pipeFrame(o.data(), o.train(), { table: o.table, columns: null });
	if (!piped.ok) throw new Error(piped.error.message);
	let r;
	try {
		r = await o.train().federatedRound({
			frame: piped.ref.handle,
			prep: o.plan.prep,
			spec: o.plan.spec,
			modelJson: o.plan.modelJson,
			global: global.buffer as ArrayBuffer,
			localEpochs: task.localEpochs,
			batchSize: task.batchSize,
			learningRate: task.learningRate,
			mu: task.mu,
			seed: (crypto.getRandomValues(new Uint32Array(1))[0] % 2 ** 31) + task.round,
			holdout: 0.2
		});
	} finally {
		void o.train().release([piped.ref.handle]);
	}
	if (!r.ok) throw new Error(r.error.message);
	const finite = (v: number | null | undefined) =>
		v !== null && v !== undefined && Number.isFinite(v) ? v : undefined;
	// Jobs made before encodings and local DP existed send neither.
	const encoding = task.encoding ?? 'float32';
	const dp = task.localDp ?? o.localDp ?? null;
	const out = outgoingUpdate({
		global,
		trained: new Float32Array(r.weights),
		encoding,
		localDp: dp,
		residual: carry.residual
	});
	await o.api.update(me, out.body, {
		round: task.round,
		numExamples: r.examples,
		encoding,
		trainLoss: finite(r.trainLoss),
		evalLoss: finite(r.evalLoss),
		evalAccuracy: finite(r.evalAccuracy ?? undefined)
	});
	// Only an accepted update moves the carry: a refused one was not counted, so its error is not owed either.
	carry.residual = out.residual;
	if (dp) carry.dpRounds++;
	o.onStatus({
		kind: 'sent',
		round: task.round,
		examples: r.examples,
		trainLoss: finite(r.trainLoss) ?? null,
		evalLoss: finite(r.evalLoss) ?? null,
		bytes: out.body.byteLength,
		encoding,
		localDp: dp ? { ...dp, rounds: carry.dpRounds } : null
	});
}
