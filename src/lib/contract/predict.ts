import { z } from 'zod';
import { LIMITS } from './limits';

/**
 * The edge inference API: POST /api/v1/models/:name/versions/:version/predict (or …/aliases/:alias/predict).
 * Rows go in as JSON records or as columns; the Worker encodes them with the version's own preprocessing spec,
 * so callers send raw feature values (numbers, text, null for missing), never encoded ones.
 */

export const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
/** One raw feature value as JSON carries it; "cell" is kept for the notebook's cells. */
export type Scalar = z.infer<typeof scalarSchema>;

const rowCount = z.array(scalarSchema).min(1, 'send at least one row').max(LIMITS.predictRows);

export const predictRowsSchema = z.strictObject({
	rows: z.array(z.record(z.string(), scalarSchema)).min(1, 'send at least one row').max(LIMITS.predictRows)
});

export const predictColumnsSchema = z
	.strictObject({ columns: z.record(z.string(), rowCount) })
	.refine((b) => new Set(Object.values(b.columns).map((c) => c.length)).size === 1, {
		message: 'send at least one column, every column with the same number of values',
		path: ['columns']
	});

/** Records (`rows`) or columns of equal length (`columns`), 1 to LIMITS.predictRows rows either way. */
export const predictRequestSchema = z.union([predictRowsSchema, predictColumnsSchema]);
export type PredictRequest = z.infer<typeof predictRequestSchema>;

export const classPredictionSchema = z.object({
	label: z.string(),
	/** One entry per class of the training target, summing to 1. */
	probabilities: z.record(z.string(), z.number())
});
export const regressionPredictionSchema = z.object({ value: z.number() });
export type ClassPrediction = z.infer<typeof classPredictionSchema>;
export type RegressionPrediction = z.infer<typeof regressionPredictionSchema>;

export const predictResponseSchema = z.object({
	model: z.string(),
	version: z.number().int().positive(),
	task: z.enum(['binary', 'multiclass', 'regression']),
	predictions: z.array(z.union([classPredictionSchema, regressionPredictionSchema])),
	/** One id per row, in order, as the prediction log records them (labels join on it later). */
	predictionIds: z.array(z.string()).optional(),
	/** Time in the Worker for this request (workerd's clock only moves across I/O, so it is coarse). */
	latencyMs: z.number().nonnegative()
});
export type PredictResponse = z.infer<typeof predictResponseSchema>;

/**
 * Any other ONNX graph's answer: `predictions` as MLflow's scoring server writes it (outputs by name for a tensor
 * body, one record per row for a table); `model` and `version` name what answered.
 */
export const graphPredictResponseSchema = z.object({
	model: z.string(),
	version: z.number().int().positive(),
	predictions: z.unknown(),
	predictionIds: z.array(z.string()).optional(),
	latencyMs: z.number().nonnegative()
});
export type GraphPredictResponse = z.infer<typeof graphPredictResponseSchema>;
