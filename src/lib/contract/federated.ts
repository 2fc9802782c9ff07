import { z } from 'zod';
import { aliasSchema, modelNameSchema } from './records';

/**
 * Federated jobs (/api/v1/federated, the `federate` scope): one Durable Object per job runs its rounds from a
 * registered model version. Clients register, are sampled into a round, pull the global weights (float32 bytes),
 * train on their own rows and send back their new weights as float32 bytes with the round and their example count
 * beside them (headers), never rows. Each finished round becomes a model version and a child run of the job's run.
 */

/** The strategy and its settings, named as Flower names them (defaults from Flower's strategy code). */
export const strategySchema = z.discriminatedUnion('name', [
	z.strictObject({ name: z.literal('fedavg') }),
	/** FedAvg on the server; each client adds μ/2‖w − w_global‖² to its loss. */
	z.strictObject({ name: z.literal('fedprox'), mu: z.number().min(0).max(100).default(0.01) }),
	z.strictObject({
		name: z.literal('fedavgm'),
		serverLearningRate: z.number().positive().max(100).optional(),
		serverMomentum: z.number().min(0).max(1).optional()
	}),
	z.strictObject({
		name: z.enum(['fedadam', 'fedyogi']),
		eta: z.number().positive().max(10).optional(),
		etaL: z.number().positive().max(10).optional(),
		beta1: z.number().min(0).max(1).optional(),
		beta2: z.number().min(0).max(1).optional(),
		tau: z.number().positive().max(1).optional()
	}),
	z.strictObject({
		name: z.literal('fedadagrad'),
		eta: z.number().positive().max(10).optional(),
		etaL: z.number().positive().max(10).optional(),
		tau: z.number().positive().max(1).optional()
	}),
	z.strictObject({ name: z.literal('fedtrimmedavg'), beta: z.number().min(0).lt(0.5).default(0.2) }),
	z.strictObject({ name: z.literal('fedmedian') }),
	z.strictObject({
		name: z.literal('krum'),
		numMalicious: z.number().int().min(0).max(100).default(0),
		/** 1 is Krum; more is Multi-Krum (the average of the best `toKeep`). */
		toKeep: z.number().int().min(1).max(1000).default(1)
	})
]);
export type Strategy = z.infer<typeof strategySchema>;

/**
 * How an update travels: `float32` is the client's new weights; `float16` and `int8` are the difference from the
 * round's global model, quantised with error feedback (src/lib/ml/federated/quantize.ts: 2× and ~3.9× fewer bytes).
 */
export const UPDATE_ENCODINGS = ['float32', 'float16', 'int8'] as const;
export type UpdateEncodingName = (typeof UPDATE_ENCODINGS)[number];

/** Local differential privacy: each participant clips its update's difference to clipNorm and adds N(0, (z·C)²). */
export const localDpSchema = z.strictObject({
	clipNorm: z.number().positive().max(1e6),
	noiseMultiplier: z.number().positive().max(100)
});
export type LocalDp = z.infer<typeof localDpSchema>;

/** The strategies that need a whole round's updates at once (kept under LIMITS-style caps), not a running sum. */
export const ROBUST_STRATEGIES: readonly Strategy['name'][] = ['fedtrimmedavg', 'fedmedian', 'krum'];

export const fedJobCreateSchema = z
	.strictObject({
		modelName: modelNameSchema,
		/** The version the job starts from: its weights are round 0's global model. */
		version: z.number().int().positive(),
		rounds: z.number().int().min(1).max(1000).default(3),
		/** Flower's fraction_fit and min_fit_clients: a round samples max(ceil(fraction × available), min). */
		fractionFit: z.number().gt(0).max(1).default(1),
		minFitClients: z.number().int().min(1).max(10_000).default(2),
		/** A round opens only when this many clients are registered and alive. */
		minAvailableClients: z.number().int().min(1).max(10_000).default(2),
		/** A round whose completed share of sampled clients is below this at its deadline is retried. */
		minCompletionRate: z.number().gt(0).max(1).default(1),
		roundDeadlineS: z.number().int().min(1).max(86_400).default(300),
		/** How many times a round below the completion rate is retried before the job fails. */
		retries: z.number().int().min(0).max(20).default(2),
		localEpochs: z.number().int().min(1).max(100).default(1),
		batchSize: z.number().int().min(1).max(65_536).default(32),
		learningRate: z.number().positive().max(10).default(0.01),
		strategy: strategySchema.default({ name: 'fedavg' }),
		/** Per-update L2 clipping of (w − w_global) to this norm; absent: no clipping. */
		clipNorm: z.number().positive().max(1e6).optional(),
		/**
		 * Adaptive clipping (Andrew et al. 2019, Flower's adaptive-clipping wrappers): clipNorm is the first round's
		 * bound, then C ← C·exp(−η·(b̃ − γ)) each round, b̃ the share of updates within the bound (noised with
		 * σ_b = m/20 by default under central DP), so C tracks the γ-quantile of the update norms.
		 */
		adaptiveClipping: z
			.strictObject({
				targetQuantile: z.number().min(0).max(1).default(0.5),
				clipNormLr: z.number().positive().max(10).default(0.2),
				clippedCountStddev: z.number().positive().max(1e6).optional()
			})
			.optional(),
		/** Central DP: Gaussian noise z·C/m on the clipped aggregate (needs clipNorm), ε reported at `delta`. */
		dp: z
			.strictObject({ noiseMultiplier: z.number().positive().max(100), delta: z.number().gt(0).lt(1) })
			.optional(),
		/** How clients send their updates (every client of the job the same way). */
		updateEncoding: z.enum(UPDATE_ENCODINGS).default('float32'),
		/** Local DP every participant applies in its own tab before sending (the server cannot add it back). */
		localDp: localDpSchema.optional(),
		/** An alias moved to each round's version as it is made, so the edge serves the latest round. */
		followAlias: aliasSchema.optional()
	})
	.refine((j) => !j.dp || j.clipNorm !== undefined, {
		message: 'central differential privacy clips each update first: set clipNorm',
		path: ['dp']
	})
	.refine((j) => !j.adaptiveClipping || j.clipNorm !== undefined, {
		message: 'adaptive clipping starts from clipNorm: set it',
		path: ['adaptiveClipping']
	})
	.refine((j) => j.minFitClients <= j.minAvailableClients, {
		message: 'minFitClients cannot exceed minAvailableClients (a round could never fill)',
		path: ['minFitClients']
	});
export type FedJobCreate = z.infer<typeof fedJobCreateSchema>;
/** What a caller sends: the defaults may be left out. */
export type FedJobCreateInput = z.input<typeof fedJobCreateSchema>;

export const FED_JOB_STATES = ['waiting', 'round_open', 'aggregating', 'done', 'failed'] as const;
export type FedJobState = (typeof FED_JOB_STATES)[number];

/** A job as the API answers it. */
export interface FedJobView {
	id: string;
	modelName: string;
	/** The version the job started from. */
	version: number;
	runId: string;
	state: FedJobState;
	/** The round open now (or the last one, when done or failed); 0 before the first. */
	round: number;
	rounds: number;
	attempt: number;
	error: string | null;
	settings: FedJobCreate;
	clients: { registered: number; alive: number };
	/** The open round's sampled clients and how many have sent their update. */
	sampled: number;
	received: number;
	deadlineAt: number | null;
	/** Each finished round: its version, run and figures. */
	history: FedRoundView[];
}

export interface FedRoundView {
	round: number;
	version: number;
	runId: string;
	sampled: number;
	completed: number;
	dropped: number;
	examples: number;
	/** The example-weighted mean of the clients' training loss. */
	trainLoss: number | null;
	/** The example-weighted mean of the clients' evaluation of the previous global model on their hold-outs. */
	evalLoss: number | null;
	evalAccuracy: number | null;
	clipped: number;
	/** The L2 bound this round's updates were clipped to (it moves under adaptive clipping); null without. */
	clipNorm: number | null;
	epsilon: number | null;
}

/** What a client sends beside its update's bytes (the `x-edgebook-fed-meta` header, JSON). */
export const fedUpdateMetaSchema = z.strictObject({
	round: z.number().int().min(1),
	numExamples: z.number().int().min(1).max(1e9),
	/** The body's encoding: it must be the job's (float32 when absent). */
	encoding: z.enum(UPDATE_ENCODINGS).default('float32'),
	trainLoss: z.number().finite().optional(),
	evalLoss: z.number().finite().optional(),
	evalAccuracy: z.number().min(0).max(1).optional()
});
export type FedUpdateMeta = z.infer<typeof fedUpdateMetaSchema>;
/** What a client writes (the encoding may be left out for float32). */
export type FedUpdateMetaInput = z.input<typeof fedUpdateMetaSchema>;

export const FED_META_HEADER = 'x-edgebook-fed-meta';
export const FED_CLIENT_HEADER = 'x-edgebook-fed-client';

/** What a client is told when it asks what to do. */
export type FedTask =
	| { kind: 'wait'; round: number; retryAfterS: number; state: FedJobState }
	| {
			kind: 'train';
			round: number;
			deadlineAt: number;
			localEpochs: number;
			batchSize: number;
			learningRate: number;
			/** FedProx's μ, 0 for every other strategy. */
			mu: number;
			/** How to send the update. */
			encoding: UpdateEncodingName;
			/** Local DP the job requires of every participant; null when it requires none. */
			localDp: LocalDp | null;
			/** GET this for the global weights (float32, little-endian). */
			weights: string;
	  }
	| { kind: 'done'; round: number; state: FedJobState; error: string | null };

/**
 * What a participant needs to train the job's model (GET /api/v1/federated/jobs/:id/plan), so a participation
 * token needs no registry read: the starting version's model.json (TF.js layers format), its preprocessing and its
 * training params (the model's shape, as the train cell set them).
 */
export interface FedJoinPlan {
	jobId: string;
	modelName: string;
	version: number;
	modelJson: string;
	preprocessing: unknown;
	params: Record<string, string>;
}

/** POST /api/v1/federated/jobs/:id/tokens: a participation token for one job and the join link that carries it. */
export const fedTokenCreateSchema = z.strictObject({
	name: z.string().trim().min(1).max(200).optional()
});

export interface FedTokenCreated {
	tokenId: string;
	jobId: string;
	/** Shown once. */
	secret: string;
	/** The join page with the token in the fragment (never sent to any server by the browser). */
	joinPath: string;
}
