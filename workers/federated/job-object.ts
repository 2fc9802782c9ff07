import { DurableObject } from 'cloudflare:workers';
import {
	ROBUST_STRATEGIES,
	type FedJobCreate,
	type FedJobState,
	type FedJobView,
	type FedRoundView,
	type FedTask,
	type FedUpdateMeta
} from '../../src/lib/contract';
import {
	FedAvgAccumulator,
	RdpAccountant,
	addCentralDpNoise,
	adaptiveNoiseParams,
	clipUpdate,
	updateClippingNorm,
	deserializeServerOptState,
	initialServerOptState,
	serializeServerOptState,
	serverStep,
	type ClientUpdate
} from '../../src/lib/ml/federated';
import { sha256Hex, randomText } from '../auth/hash';
import { endJobRun, publishRound } from './publish';
import { createChunkTable, deleteBytes, getBytes, putBytes } from './chunk-store';
import { readBlob, type ModelFiles } from './model-files';
import { asFloats, readUpdate } from './read-update';
import { summarizeRound, type SampledRow } from './round-summary';
import { cryptoUniform, optimizerOf, robustAggregate } from './strategy';

/**
 * One federated job (one instance per job: `idFromName(jobId)`), a state machine persisted in its SQLite:
 * waiting for clients → round k open (clients sampled, a deadline alarm set) → aggregated into the next global
 * model, published as a model version → the next round, done, or failed with its reason. Clients register (a
 * random id and a secret per tab), ask for their task, pull the global weights and send their new weights as
 * float32 bytes. Why HTTP polling rather than a WebSocket: docs/architecture.md, "Federated jobs".
 *
 * The FedAvg family keeps a running weighted sum (src/lib/ml/federated, float64, the model's size whatever the
 * number of clients), written to storage in the same synchronous transaction that marks the client's update
 * accepted, so a restart mid-round loses no accepted update and counts none twice. Robust strategies need the whole
 * round: their updates are kept in R2 under the job's prefix, at most MAX_ROBUST_BYTES a round.
 */

/** A client unheard of for this long is not counted as available for sampling. */
export const ALIVE_MS = 120_000;
/** A round's kept updates for the robust strategies, at most (R2 objects under the job's prefix). */
export const MAX_ROBUST_BYTES = 512 * 1024 * 1024;

export interface JobSpec {
	id: string;
	workspaceId: string;
	runId: string;
	settings: FedJobCreate;
	files: ModelFiles;
	createdAt: number;
}

export type Refusal = { code: string; message: string; details?: Record<string, unknown> };
export type Result<T> = { ok: true; value: T } | { ok: false; error: Refusal };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const refuse = (code: string, message: string, details?: Record<string, unknown>): Result<never> => ({
	ok: false,
	error: { code, message, ...(details ? { details } : {}) }
});

type JobRow = {
	spec: string;
	state: FedJobState;
	round: number;
	attempt: number;
	deadline_at: number | null;
	error: string | null;
	accountant: string | null;
};

export class FederatedJob extends DurableObject<Env> {
	#ready = false;

	#init() {
		if (this.#ready) return;
		const sql = this.ctx.storage.sql;
		sql.exec(`CREATE TABLE IF NOT EXISTS job (k INTEGER PRIMARY KEY CHECK (k = 1), spec TEXT NOT NULL,
			state TEXT NOT NULL, round INTEGER NOT NULL, attempt INTEGER NOT NULL, deadline_at INTEGER, error TEXT,
			accountant TEXT)`);
		sql.exec(`CREATE TABLE IF NOT EXISTS clients (id TEXT PRIMARY KEY, secret_sha TEXT NOT NULL,
			registered_at INTEGER NOT NULL, last_seen INTEGER NOT NULL)`);
		sql.exec(`CREATE TABLE IF NOT EXISTS sampled (round INTEGER NOT NULL, attempt INTEGER NOT NULL,
			client TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0, examples INTEGER, train_loss REAL, eval_loss REAL,
			eval_acc REAL, clipped INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (round, attempt, client))`);
		sql.exec(`CREATE TABLE IF NOT EXISTS history (round INTEGER PRIMARY KEY, view TEXT NOT NULL)`);
		createChunkTable(sql);
		this.#ready = true;
	}

	#job(): (JobRow & { parsed: JobSpec }) | null {
		this.#init();
		const row = this.ctx.storage.sql.exec<JobRow>('SELECT * FROM job WHERE k = 1').toArray()[0];
		return row ? { ...row, parsed: JSON.parse(row.spec) as JobSpec } : null;
	}

	#setJob(fields: Partial<Omit<JobRow, 'spec'>>) {
		const sets = Object.keys(fields).map((k) => `${k} = ?`);
		this.ctx.storage.sql.exec(`UPDATE job SET ${sets.join(', ')} WHERE k = 1`, ...Object.values(fields));
	}

	/**
	 * The global model, read from storage once per instance and kept: quantised updates and clipping need it for
	 * every update, and a 1M-parameter read is 4 MB. Every write of it goes through #setGlobal, which replaces it.
	 */
	#globalCache: Float32Array | null = null;

	#global(): Float32Array {
		if (this.#globalCache) return this.#globalCache;
		const bytes = getBytes(this.ctx.storage.sql, 'global');
		if (!bytes) throw new Error('federated job: the global weights are missing from storage');
		this.#globalCache = asFloats(bytes);
		return this.#globalCache;
	}

	/** Stores the global model (inside the caller's transaction) and replaces the kept copy. */
	#setGlobal(weights: Float32Array) {
		putBytes(
			this.ctx.storage.sql,
			'global',
			new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength)
		);
		this.#globalCache = null;
	}

	#alive(now: number): string[] {
		return this.ctx.storage.sql
			.exec<{ id: string }>('SELECT id FROM clients WHERE last_seen >= ? ORDER BY id', now - ALIVE_MS)
			.toArray()
			.map((r) => r.id);
	}

	#sampled(round: number, attempt: number): SampledRow[] {
		return this.ctx.storage.sql
			.exec<SampledRow>(
				'SELECT client, done, examples, train_loss, eval_loss, eval_acc, clipped FROM sampled WHERE round = ? AND attempt = ?',
				round,
				attempt
			)
			.toArray();
	}

	/** Starts the job: round 0's global model is the starting version's weights. */
	async create(spec: JobSpec): Promise<Result<FedJobView>> {
		this.#init();
		if (this.#job()) return refuse('conflict', `Federated job ${spec.id} exists already.`);
		const weights = await readBlob(this.env.ARTIFACTS, spec.files.weightsSha);
		this.ctx.storage.transactionSync(() => {
			this.ctx.storage.sql.exec(
				'INSERT INTO job (k, spec, state, round, attempt, deadline_at, error, accountant) VALUES (1, ?, ?, 0, 0, NULL, NULL, NULL)',
				JSON.stringify(spec),
				'waiting'
			);
			putBytes(this.ctx.storage.sql, 'global', weights);
			this.#globalCache = null;
		});
		return ok(this.#view()!);
	}

	#view(): FedJobView | null {
		const job = this.#job();
		if (!job) return null;
		const { parsed: spec } = job;
		const now = Date.now();
		const sampled = job.state === 'round_open' ? this.#sampled(job.round, job.attempt) : [];
		const registered = this.ctx.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM clients').one().n;
		const history = this.ctx.storage.sql
			.exec<{ view: string }>('SELECT view FROM history ORDER BY round')
			.toArray()
			.map((r) => JSON.parse(r.view) as FedRoundView);
		return {
			id: spec.id,
			modelName: spec.settings.modelName,
			version: spec.settings.version,
			runId: spec.runId,
			state: job.state,
			round: job.round,
			rounds: spec.settings.rounds,
			attempt: job.attempt,
			error: job.error,
			settings: spec.settings,
			clients: { registered, alive: this.#alive(now).length },
			sampled: sampled.length,
			received: sampled.filter((s) => s.done).length,
			deadlineAt: job.deadline_at,
			history
		};
	}

	/** The job's model files (the starting version's), for the participant's plan. */
	files(): Result<ModelFiles> {
		const job = this.#job();
		return job ? ok(job.parsed.files) : refuse('not_found', 'No such federated job.');
	}

	view(): Result<FedJobView> {
		const v = this.#view();
		return v ? ok(v) : refuse('not_found', 'No such federated job.');
	}

	/** A new participant: a random id and a secret it sends with every call (only the secret's hash is kept). */
	async register(): Promise<Result<{ clientId: string; secret: string }>> {
		const job = this.#job();
		if (!job) return refuse('not_found', 'No such federated job.');
		if (job.state === 'done' || job.state === 'failed')
			return refuse('conflict', `The federated job is ${job.state}; it takes no new clients.`, {
				state: job.state
			});
		const clientId = `c${randomText(20)}`;
		const secret = randomText(32);
		const now = Date.now();
		this.ctx.storage.sql.exec(
			'INSERT INTO clients (id, secret_sha, registered_at, last_seen) VALUES (?, ?, ?, ?)',
			clientId,
			await sha256Hex(secret),
			now,
			now
		);
		await this.#maybeOpen(now);
		return ok({ clientId, secret });
	}

	async #client(id: string, secret: string): Promise<Result<{ id: string }>> {
		const row = this.ctx.storage.sql
			.exec<{ secret_sha: string }>('SELECT secret_sha FROM clients WHERE id = ?', id)
			.toArray()[0];
		if (!row || row.secret_sha !== (await sha256Hex(secret)))
			return refuse('forbidden', 'Unknown client or wrong client secret for this job: register first.', {
				client: id
			});
		return ok({ id });
	}

	/** What a client should do now; asking is its heartbeat. */
	async task(clientId: string, secret: string): Promise<Result<FedTask>> {
		const job = this.#job();
		if (!job) return refuse('not_found', 'No such federated job.');
		const who = await this.#client(clientId, secret);
		if (!who.ok) return who;
		const now = Date.now();
		this.ctx.storage.sql.exec('UPDATE clients SET last_seen = ? WHERE id = ?', now, clientId);
		if (job.state === 'done' || job.state === 'failed')
			return ok({ kind: 'done', round: job.round, state: job.state, error: job.error });
		if (job.state === 'waiting') {
			await this.#maybeOpen(now);
			const after = this.#job()!;
			if (after.state !== 'round_open')
				return ok({ kind: 'wait', round: after.round, retryAfterS: 2, state: after.state });
			return this.task(clientId, secret);
		}
		if (job.state === 'aggregating')
			return ok({ kind: 'wait', round: job.round, retryAfterS: 1, state: job.state });
		const mine = this.ctx.storage.sql
			.exec<{ done: number }>(
				'SELECT done FROM sampled WHERE round = ? AND attempt = ? AND client = ?',
				job.round,
				job.attempt,
				clientId
			)
			.toArray()[0];
		if (!mine || mine.done) return ok({ kind: 'wait', round: job.round, retryAfterS: 2, state: job.state });
		const s = job.parsed.settings;
		return ok({
			kind: 'train',
			round: job.round,
			deadlineAt: job.deadline_at!,
			localEpochs: s.localEpochs,
			batchSize: s.batchSize,
			learningRate: s.learningRate,
			mu: s.strategy.name === 'fedprox' ? s.strategy.mu : 0,
			// Jobs stored before these settings existed send float32 without local DP.
			encoding: s.updateEncoding ?? 'float32',
			localDp: s.localDp ?? null,
			weights: `/api/v1/federated/jobs/${job.parsed.id}/weights?round=${job.round}`
		});
	}

	/** The global model a round starts from (float32 bytes); only the open round's, or the latest when done. */
	weights(round: number | null): Result<Uint8Array> {
		const job = this.#job();
		if (!job) return refuse('not_found', 'No such federated job.');
		const current = job.state === 'round_open' ? job.round : job.round + (job.state === 'waiting' ? 1 : 0);
		if (round !== null && round !== current && !(job.state !== 'round_open' && round === job.round))
			return refuse(
				'conflict',
				`Round ${round} is not open; the job's global model is for round ${current}.`,
				{
					round: current
				}
			);
		return ok(getBytes(this.ctx.storage.sql, 'global')!);
	}

	/** Opens the next round when enough clients are alive: samples them and sets the deadline alarm. */
	async #maybeOpen(now: number): Promise<void> {
		const job = this.#job();
		if (!job || job.state !== 'waiting') return;
		const s = job.parsed.settings;
		const alive = this.#alive(now);
		if (alive.length < s.minAvailableClients) return;
		const want = Math.min(alive.length, Math.max(Math.ceil(s.fractionFit * alive.length), s.minFitClients));
		// Flower samples uniformly without replacement; crypto randomness, so no client can predict its turn.
		const pool = [...alive];
		const picked: string[] = [];
		const random = new Uint32Array(want);
		crypto.getRandomValues(random);
		for (let i = 0; i < want; i++) picked.push(pool.splice(random[i] % pool.length, 1)[0]);
		const round = job.attempt > 0 ? job.round : job.round + 1;
		const deadline = now + s.roundDeadlineS * 1000;
		this.ctx.storage.transactionSync(() => {
			for (const c of picked)
				this.ctx.storage.sql.exec(
					'INSERT OR IGNORE INTO sampled (round, attempt, client) VALUES (?, ?, ?)',
					round,
					job.attempt,
					c
				);
			deleteBytes(this.ctx.storage.sql, 'sum');
			this.#setJob({ state: 'round_open', round, deadline_at: deadline });
		});
		await this.ctx.storage.setAlarm(deadline);
	}

	/** One client's update for the open round: checked, clipped if the job says so, then accumulated. */
	async submit(
		clientId: string,
		secret: string,
		meta: FedUpdateMeta,
		bytes: Uint8Array
	): Promise<Result<{ round: number; received: number; sampled: number; clipped: boolean }>> {
		if (!this.#job()) return refuse('not_found', 'No such federated job.');
		const who = await this.#client(clientId, secret);
		if (!who.ok) return who;
		// Read after the await: another request may have closed the round meanwhile. From here to the stored update
		// nothing awaits (but the robust strategies' R2 write), so no other update interleaves.
		const job = this.#job()!;
		if (job.state !== 'round_open')
			return refuse('conflict', `The federated job is ${job.state}: no round is open for updates.`, {
				state: job.state
			});
		if (meta.round !== job.round)
			return refuse('conflict', `This update is for round ${meta.round}; round ${job.round} is open.`, {
				round: job.round,
				sent: meta.round
			});
		const mine = this.ctx.storage.sql
			.exec<{ done: number }>(
				'SELECT done FROM sampled WHERE round = ? AND attempt = ? AND client = ?',
				job.round,
				job.attempt,
				clientId
			)
			.toArray()[0];
		if (!mine)
			return refuse('forbidden', `Client ${clientId} was not sampled for round ${job.round}.`, {
				client: clientId
			});
		if (mine.done)
			return refuse(
				'conflict',
				`Client ${clientId} already sent its update for round ${job.round}: one per round.`,
				{
					client: clientId
				}
			);
		const spec = job.parsed;
		const n = spec.files.parameters;
		const encoding = spec.settings.updateEncoding ?? 'float32';
		if (meta.encoding !== encoding)
			return refuse('invalid_request', `This job takes ${encoding} updates; this one is ${meta.encoding}.`, {
				encoding: meta.encoding,
				expected: encoding
			});
		const read = readUpdate(bytes, encoding, n, () => this.#global());
		if (!read.ok) return refuse('invalid_request', read.message, read.details);
		let weights = read.weights;
		let clipped = false;
		const bound = this.#clipNorm(spec.settings);
		if (bound !== null) {
			const c = clipUpdate(weights, this.#global(), bound);
			weights = c.weights;
			clipped = c.clipped;
		}
		// With central DP every client weighs the same: the noise z·C/m bounds one client's share of a mean.
		const weight = spec.settings.dp ? 1 : meta.numExamples;
		const robust = ROBUST_STRATEGIES.includes(spec.settings.strategy.name);
		if (robust) {
			const used = this.ctx.storage.sql
				.exec<{ n: number }>(
					'SELECT count(*) AS n FROM sampled WHERE round = ? AND attempt = ? AND done = 1',
					job.round,
					job.attempt
				)
				.one().n;
			if ((used + 1) * n * 4 > MAX_ROBUST_BYTES)
				return refuse(
					'payload_too_large',
					`Round ${job.round} keeps at most ${MAX_ROBUST_BYTES} bytes of updates for ${spec.settings.strategy.name}.`
				);
			await this.env.ARTIFACTS.put(
				this.#updateKey(job.round, job.attempt, clientId),
				new Uint8Array(weights.buffer)
			);
		}
		const acc = robust ? null : this.#accumulator(job.round, job.attempt, n);
		acc?.add(weights, weight);
		// One synchronous transaction: the sum and the client's "done" are stored together or not at all (and when
		// not, the sum in memory, which has this update, is dropped: storage is read again).
		try {
			this.#storeAccepted(acc, meta, clipped, job.round, job.attempt, clientId);
		} catch (e) {
			this.#sum = null;
			throw e;
		}
		const rows = this.#sampled(job.round, job.attempt);

		const received = rows.filter((r) => r.done).length;
		if (received === rows.length) await this.#closeRound();
		return ok({ round: job.round, received, sampled: rows.length, clipped });
	}

	#storeAccepted(
		acc: FedAvgAccumulator | null,
		meta: FedUpdateMeta,
		clipped: boolean,
		round: number,
		attempt: number,
		clientId: string
	) {
		this.ctx.storage.transactionSync(() => {
			if (acc) putBytes(this.ctx.storage.sql, 'sum', acc.serialize());
			this.ctx.storage.sql.exec(
				`UPDATE sampled SET done = 1, examples = ?, train_loss = ?, eval_loss = ?, eval_acc = ?, clipped = ?
				 WHERE round = ? AND attempt = ? AND client = ?`,
				meta.numExamples,
				meta.trainLoss ?? null,
				meta.evalLoss ?? null,
				meta.evalAccuracy ?? null,
				clipped ? 1 : 0,
				round,
				attempt,
				clientId
			);
			this.ctx.storage.sql.exec('UPDATE clients SET last_seen = ? WHERE id = ?', Date.now(), clientId);
		});
	}

	/**
	 * The open round's running sum: kept in memory between updates (the object handles one request at a time, and
	 * storage stays the truth: a new instance reads it back), so an update costs one write of the sum, not a read too.
	 */
	#sum: { round: number; attempt: number; acc: FedAvgAccumulator } | null = null;

	#accumulator(round: number, attempt: number, n: number): FedAvgAccumulator {
		if (this.#sum?.round === round && this.#sum.attempt === attempt) return this.#sum.acc;
		const stored = getBytes(this.ctx.storage.sql, 'sum');
		const acc = stored ? FedAvgAccumulator.deserialize(stored) : new FedAvgAccumulator(n);
		this.#sum = { round, attempt, acc };
		return acc;
	}

	#updateKey(round: number, attempt: number, client: string) {
		const spec = this.#job()!.parsed;
		return `federated/${spec.workspaceId}/${spec.id}/round-${round}-${attempt}/${client}.bin`;
	}

	async alarm(): Promise<void> {
		const job = this.#job();
		if (!job || job.state !== 'round_open' || job.deadline_at === null) return;
		if (Date.now() < job.deadline_at) {
			await this.ctx.storage.setAlarm(job.deadline_at);
			return;
		}
		await this.#closeRound();
	}

	/** Tests: the deadline passes now. */
	async expireRound(): Promise<void> {
		this.#setJob({ deadline_at: Date.now() - 1 });
		await this.alarm();
	}

	/**
	 * At the deadline or when every sampled client has sent: a round whose completed share reaches the minimum is
	 * aggregated (stragglers dropped); one below it is sampled again, up to `retries` times, then the job fails.
	 */
	async #closeRound(): Promise<void> {
		const job = this.#job()!;
		const s = job.parsed.settings;
		const rows = this.#sampled(job.round, job.attempt);
		const done = rows.filter((r) => r.done);
		if (done.length === 0 || done.length / rows.length < s.minCompletionRate) {
			const why = `round ${job.round} had ${done.length} of ${rows.length} sampled clients' updates by its deadline; the job needs ${Math.round(s.minCompletionRate * 100)}%`;
			if (job.attempt < s.retries) {
				this.#setJob({ state: 'waiting', attempt: job.attempt + 1, deadline_at: null });
				await this.#maybeOpen(Date.now());
				return;
			}
			this.#setJob({
				state: 'failed',
				deadline_at: null,
				error: `Failed: ${why}, after ${s.retries} retries.`
			});
			await endJobRun(this.env, job.parsed.workspaceId, job.parsed.runId, 'failed', `Failed: ${why}.`);
			return;
		}
		// Closed at once, before the first await: an update arriving while the round is aggregated is refused (409),
		// never counted into a sum already read.
		this.#setJob({ state: 'aggregating' });
		try {
			await this.#aggregate(job, rows, done);
		} catch (e) {
			const message = e instanceof Error ? e.message : String(e);
			this.#setJob({
				state: 'failed',
				deadline_at: null,
				error: `Aggregating round ${job.round} failed: ${message}`
			});
			await endJobRun(this.env, job.parsed.workspaceId, job.parsed.runId, 'failed', message).catch(() => {});
		}
	}

	/** The bound updates are clipped to now: the job's clipNorm, or where adaptive clipping has moved it. */
	#clipNorm(s: FedJobCreate): number | null {
		if (s.clipNorm === undefined) return null;
		const stored = s.adaptiveClipping ? getBytes(this.ctx.storage.sql, 'clip') : null;
		return stored ? new Float64Array(stored.slice().buffer)[0] : s.clipNorm;
	}

	async #aggregate(job: JobRow & { parsed: JobSpec }, rows: SampledRow[], done: SampledRow[]): Promise<void> {
		const spec = job.parsed;
		const s = spec.settings;
		const current = this.#global();
		let averaged: Float32Array;
		const strategy = s.strategy;
		if (ROBUST_STRATEGIES.includes(strategy.name)) {
			const updates: ClientUpdate[] = [];
			for (const r of done) {
				const obj = await this.env.ARTIFACTS.get(this.#updateKey(job.round, job.attempt, r.client));
				if (obj)
					updates.push({
						weights: asFloats(new Uint8Array(await obj.arrayBuffer())),
						numExamples: r.examples!
					});
			}
			averaged = robustAggregate(strategy, updates);
		} else averaged = FedAvgAccumulator.deserialize(getBytes(this.ctx.storage.sql, 'sum')!).result();
		let epsilon: number | null = null;
		let accountant = job.accountant ? RdpAccountant.fromJSON(JSON.parse(job.accountant)) : null;
		const clipNorm = this.#clipNorm(s);
		let nextClipNorm: number | null = null;
		if (s.adaptiveClipping && clipNorm !== null) {
			// Under central DP the count of unclipped updates is released with noise σ_b, and the weights take the
			// larger multiplier z_Δ so the round's total cost stays the asked z (Andrew et al. 2019, Theorem 1).
			const noise = s.dp
				? adaptiveNoiseParams(s.dp.noiseMultiplier, done.length, s.adaptiveClipping.clippedCountStddev)
				: { clippedCountStddev: s.adaptiveClipping.clippedCountStddev ?? 0, noiseMultiplier: 0 };
			nextClipNorm = updateClippingNorm(
				clipNorm,
				done.map((r) => ({ clipped: r.clipped === 1 })),
				{
					targetQuantile: s.adaptiveClipping.targetQuantile,
					clipNormLr: s.adaptiveClipping.clipNormLr,
					clippedCountStddev: noise.clippedCountStddev
				},
				cryptoUniform
			).clipNorm;
			if (s.dp) addCentralDpNoise(averaged, noise.noiseMultiplier, clipNorm, done.length, cryptoUniform);
		} else if (s.dp && clipNorm !== null)
			addCentralDpNoise(averaged, s.dp.noiseMultiplier, clipNorm, done.length, cryptoUniform);
		if (s.dp && clipNorm !== null) {
			accountant ??= new RdpAccountant();
			const available = Math.max(this.#alive(Date.now()).length, rows.length);
			accountant.step(rows.length / available, s.dp.noiseMultiplier, 1);
			epsilon = accountant.epsilon(s.dp.delta).epsilon;
		}
		const opt = optimizerOf(s);
		const stateBytes = getBytes(this.ctx.storage.sql, 'opt');
		const optState = stateBytes ? deserializeServerOptState(stateBytes) : initialServerOptState(opt.kind);
		const next = serverStep(opt, current, averaged, optState, job.round);
		const { view, metrics } = summarizeRound(job.round, s, rows, done, epsilon, clipNorm);
		const published = await publishRound(this.env, spec.workspaceId, {
			jobId: spec.id,
			jobRunId: spec.runId,
			modelName: s.modelName,
			round: job.round,
			weights: next,
			files: spec.files,
			metrics,
			followAlias: s.followAlias
		});
		const last = job.round >= s.rounds;
		this.ctx.storage.transactionSync(() => {
			this.#setGlobal(next);
			putBytes(this.ctx.storage.sql, 'opt', serializeServerOptState(optState));
			if (nextClipNorm !== null)
				putBytes(this.ctx.storage.sql, 'clip', new Uint8Array(Float64Array.of(nextClipNorm).buffer));
			deleteBytes(this.ctx.storage.sql, 'sum');
			this.ctx.storage.sql.exec(
				'INSERT OR REPLACE INTO history (round, view) VALUES (?, ?)',
				job.round,
				JSON.stringify({ ...view, ...published })
			);
			this.#setJob({
				state: last ? 'done' : 'waiting',
				attempt: 0,
				deadline_at: null,
				accountant: accountant ? JSON.stringify(accountant.toJSON()) : null
			});
		});
		if (last) await endJobRun(this.env, spec.workspaceId, spec.runId, 'finished');
		else await this.#maybeOpen(Date.now());
	}
}
