import { z } from 'zod';

/**
 * The prediction log: one record per scored row, as GET /api/v1/models/:name/predictions answers them and as the
 * monitoring that reads them back expects. A predict answer carries the same ids (`predictionIds`, in row order),
 * so labels that arrive later join on them.
 */
export const predictionRecordSchema = z.object({
	id: z.string(),
	/** When the Worker answered (ms since the epoch). */
	at: z.number(),
	model: z.string(),
	version: z.number().int().positive(),
	/** The alias the caller named; null for a version called by number. */
	alias: z.string().nullable(),
	/** The row as sent: a record of column → value, or input name → that row's slice of each tensor. */
	inputs: z.record(z.string(), z.unknown()).optional(),
	/** SHA-256 of the row's inputs as JSON, in place of them where the model's settings say `hash`. */
	inputsHash: z.string().optional(),
	/** This row's prediction as the answer gave it. */
	outputs: z.unknown(),
	/** The request's time in the Worker, shared by its rows. */
	latencyMs: z.number(),
	status: z.literal('ok'),
	/**
	 * How the version came to answer: the alias's own version (`primary`), its canary, or a shadow that scored the
	 * same row without answering; a shadow record names the answered row's id in `shadowOf`.
	 */
	route: z.enum(['primary', 'canary', 'shadow']),
	shadowOf: z.string().optional()
});
export type PredictionRecord = z.infer<typeof predictionRecordSchema>;

export const predictionLogPageSchema = z.object({
	predictions: z.array(predictionRecordSchema),
	/** More records match than `limit`: ask again from the last record's `at`. */
	truncated: z.boolean()
});

/**
 * Per-model settings, kept as model tags so every door (the Models page, /api/v1, MLflow's set-tag) sets them:
 * the share of requests logged (0–1, default 1) and whether inputs are kept or only hashed.
 */
export const LOG_TAGS = { sampleRate: 'edgebook.log.sample_rate', inputs: 'edgebook.log.inputs' } as const;
