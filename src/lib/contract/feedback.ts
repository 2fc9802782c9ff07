import { z } from 'zod';

/**
 * Labels for logged predictions (POST /api/v1/models/:name/feedback), joined on the ids a predict answer returned
 * (`predictionIds`). Late (any time while the log keeps the prediction), partial (any subset) and idempotent (the
 * same label again changes nothing); each refused item says why and the others are kept.
 */
export const feedbackSchema = z.strictObject({
	labels: z
		.array(
			z.strictObject({
				id: z.string().min(1).max(64),
				/** A classifier's class name, or a regressor's true value. */
				label: z.union([z.string().min(1).max(256), z.number()])
			})
		)
		.min(1)
		.max(10_000)
});
export type Feedback = z.infer<typeof feedbackSchema>;

export interface FeedbackResult {
	/** Labels stored now. */
	accepted: number;
	/** Labels already stored with the same value (a retry). */
	unchanged: number;
	refused: { id: string; reason: string }[];
}

/** A window of live performance for one version (GET /api/v1/models/:name/performance). */
export interface PerformanceWindow {
	/** The window's start (ms since the epoch) and its length. */
	start: number;
	windowMs: number;
	version: number;
	/**
	 * This version's logged predictions in the window (a shadow version's too: its rows take the label of the row
	 * they shadowed), and how many have a label.
	 */
	predictions: number;
	labelled: number;
	task: 'classification' | 'regression' | null;
	/** Real performance on the labelled rows; null until labels arrive. */
	accuracy: number | null;
	macroF1: number | null;
	/** ROC AUC (binary), or the mean one-vs-rest AUC over classes that have both kinds of rows (multiclass). */
	auc: number | null;
	mae: number | null;
	rmse: number | null;
	/**
	 * Estimated accuracy before labels arrive, from the classifier's own probabilities over every prediction in
	 * the window (confidence-based, as NannyML's CBPE): the mean probability of the predicted class. An estimate,
	 * and only as good as the model's calibration.
	 */
	estimatedAccuracy: number | null;
}
