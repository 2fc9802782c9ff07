import { z } from 'zod';
import { aliasSchema, sha256Hex } from './records';

/**
 * Retraining that promotes only a better model (docs/architecture.md, "Monitoring"): a trigger opens one task per
 * model (a second trigger while one is open joins it), a browser that opens the model's notebook trains the
 * challenger, the registry gates it against the champion on the same hold-out, runs a canary, and then promotes or
 * rolls back. Every step is in the task's history, on the challenger's run, and in the alias's history.
 */

export const RETRAIN_TRIGGERS = ['manual', 'schedule', 'alert', 'data'] as const;
export type RetrainTrigger = (typeof RETRAIN_TRIGGERS)[number];
/** Where the challenger is trained: in the browser that opens the champion's notebook, or by a federated job. */
export const RETRAIN_MODES = ['browser', 'federated'] as const;
export type RetrainMode = (typeof RETRAIN_MODES)[number];
export const GATE_METRIC_NAMES = ['accuracy', 'macroF1', 'mae', 'rmse'] as const;

export const retrainRequestSchema = z
	.strictObject({
		trigger: z.enum(RETRAIN_TRIGGERS).default('manual'),
		/** What fired it: an alert event's id, a schedule, a dataset's fingerprint. */
		triggerRef: z.string().min(1).max(200).optional(),
		reason: z.string().max(500).default(''),
		mode: z.enum(RETRAIN_MODES).default('browser'),
		/**
		 * mode federated: the job's settings as POST /api/v1/federated/jobs takes them, less the model and version (the
		 * job starts from the champion). The job's last round is the challenger, gated when the job is done.
		 */
		federated: z.record(z.string(), z.unknown()).optional(),
		/** The alias whose version is the champion, and which moves on promotion. */
		alias: aliasSchema.default('champion'),
		gate: z
			.strictObject({
				metric: z.enum(GATE_METRIC_NAMES).optional(),
				/** The challenger must be better by at least this much (in the metric's units). */
				margin: z.number().finite().min(0).max(1000).default(0),
				confidence: z.number().gt(0.5).lt(1).default(0.95)
			})
			.prefault({}),
		canary: z
			.strictObject({
				percent: z.number().min(1).max(50).default(10),
				minutes: z
					.number()
					.min(0)
					.max(7 * 24 * 60)
					.default(60)
			})
			.prefault({})
	})
	.superRefine((r, ctx) => {
		if (r.federated && r.mode !== 'federated')
			ctx.addIssue({
				code: 'custom',
				path: ['federated'],
				message: 'federated settings need mode "federated"'
			});
		for (const key of ['modelName', 'version'])
			if (r.federated && key in r.federated)
				ctx.addIssue({
					code: 'custom',
					path: ['federated', key],
					message: `a retraining job starts from the champion: leave out ${key}`
				});
	});
export type RetrainRequest = z.input<typeof retrainRequestSchema>;

export const RETRAIN_STATES = [
	'pending',
	'claimed',
	'canary',
	'promoted',
	'rejected',
	'rolled_back',
	'failed'
] as const;
export type RetrainState = (typeof RETRAIN_STATES)[number];
export const OPEN_STATES: readonly RetrainState[] = ['pending', 'claimed', 'canary'];

export interface GateSummary {
	metric: string;
	test: 'mcnemar' | 'bootstrap';
	rows: number;
	champion: number;
	challenger: number;
	/** Challenger − champion, signed so that positive is better. */
	difference: number;
	interval: [number, number] | null;
	pValue: number | null;
	promote: boolean;
	reason: string;
	/** Where the hold-out came from: the model's labelled predictions, or rows the caller sent. */
	holdout: 'labelled-log' | 'request';
}

export interface RetrainTask {
	id: string;
	model: string;
	alias: string;
	trigger: RetrainTrigger;
	triggerRef: string | null;
	reason: string;
	/** Absent on tasks opened before federated retraining: browser. */
	mode?: RetrainMode;
	/** mode federated: the job training the challenger (its join link is /fed/<id>). */
	federatedJobId?: string | null;
	state: RetrainState;
	championVersion: number;
	challengerVersion: number | null;
	/** The champion's run's notebook and train cell: where a browser retrains. */
	notebookId: string | null;
	cellId: string | null;
	/** The challenger's run, once trained. */
	runId: string | null;
	gateSettings: { metric?: string; margin: number; confidence: number };
	canarySettings: { percent: number; minutes: number };
	gate: GateSummary | null;
	canary: { startedAt: number; endsAt: number; percent: number } | null;
	history: { at: number; step: string; note: string }[];
	createdAt: number;
	updatedAt: number;
}

export const gateRequestSchema = z.strictObject({
	challengerVersion: z.number().int().positive(),
	/** The run that trained it (tagged with the task and the gate's numbers). */
	runId: z.string().min(1).max(64).optional(),
	/** Rows (raw records, as the predict API takes them) and their labels; else the model's labelled predictions. */
	holdout: z
		.strictObject({
			rows: z.array(z.record(z.string(), z.unknown())).min(1).max(5000),
			labels: z
				.array(z.union([z.string(), z.number()]))
				.min(1)
				.max(5000)
		})
		.refine((h) => h.rows.length === h.labels.length, 'holdout rows and labels differ in length')
		.optional(),
	/** How far back labelled predictions are taken from (days). */
	days: z.number().int().min(1).max(30).default(7)
});
export type GateRequest = z.input<typeof gateRequestSchema>;

/**
 * What a notebook's browser reports of its datasets (POST /api/v1/retrain/data): each table's name and the sha-256 of
 * its bytes. A champion trained in that notebook on a dataset of the same name with other bytes gets a retraining
 * task with the `data` trigger, once per champion and new bytes.
 */
export const dataChangedSchema = z.strictObject({
	notebookId: z.string().min(1).max(64),
	datasets: z
		.array(z.strictObject({ name: z.string().min(1).max(200), sha256: sha256Hex }))
		.max(500)
		.refine(
			(ds) => new Set(ds.map((d) => d.name.toLowerCase())).size === ds.length,
			'each dataset name is given once'
		)
});
export type DataChanged = z.input<typeof dataChangedSchema>;

export interface DataChangedResult {
	/** Per champion trained in the notebook whose data has changed: its task (opened, joined, or already seen). */
	changed: {
		model: string;
		championVersion: number;
		/** Each changed dataset: what the champion was trained on, and the bytes the browser has now. */
		datasets: { name: string; trainedOn: string; now: string }[];
		task: RetrainTask;
		/** opened: a new task; joined: the model's open task; seen: these bytes already had a task (perhaps closed). */
		outcome: 'opened' | 'joined' | 'seen';
	}[];
}
