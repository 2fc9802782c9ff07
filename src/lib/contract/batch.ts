import { z } from 'zod';
import { aliasSchema, sha256Hex } from './records';

/**
 * Batch scoring jobs (POST /api/v1/models/:name/batch): a CSV or Parquet file, uploaded as the body or named by
 * the sha-256 of a blob this workspace stored, scored in chunks at the edge by the job's Durable Object; the result
 * is NDJSON, one line per input row: `row` (0-based, in file order), the row's columns, then the prediction's
 * fields flattened as the prediction log's are (`output_label`, `output_probabilities_<class>`, …).
 */

export const BATCH_FORMATS = ['csv', 'parquet'] as const;
export type BatchFormat = (typeof BATCH_FORMATS)[number];

/** The media types a body may be sent as, by format. */
export const BATCH_MEDIA_TYPES: Record<string, BatchFormat> = {
	'text/csv': 'csv',
	'application/csv': 'csv',
	'application/vnd.apache.parquet': 'parquet',
	'application/x-parquet': 'parquet'
};

const ref = {
	/** Which version scores: a number, or an alias resolved once, at creation (default `champion`). */
	version: z.number().int().positive().optional(),
	alias: aliasSchema.optional()
};

/** The JSON body that names a stored blob instead of uploading the file. */
export const batchCreateSchema = z
	.strictObject({
		input: z.strictObject({
			sha256: sha256Hex,
			format: z.enum(BATCH_FORMATS)
		}),
		...ref
	})
	.refine((b) => b.version === undefined || b.alias === undefined, {
		message: 'name a version or an alias, not both',
		path: ['alias']
	});
export type BatchCreate = z.infer<typeof batchCreateSchema>;

export const BATCH_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const batchJobSchema = z.object({
	id: z.string(),
	status: z.enum(BATCH_STATUSES),
	model: z.string(),
	/** The version pinned at creation: every row of the result is this version's. */
	version: z.number().int().positive(),
	/** The alias the job was created through, if any. */
	alias: z.string().nullable(),
	input: z.object({ format: z.enum(BATCH_FORMATS), sha256: z.string().nullable(), bytes: z.number() }),
	rowsTotal: z.number().nullable(),
	rowsDone: z.number(),
	/** NDJSON objects written so far; the result is them in order. */
	parts: z.number(),
	/** Why the job failed (the row and column where a value could not be scored), else null. */
	error: z.string().nullable(),
	createdAt: z.number(),
	updatedAt: z.number(),
	finishedAt: z.number().nullable()
});
export type BatchJob = z.infer<typeof batchJobSchema>;
