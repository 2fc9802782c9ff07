/**
 * What a sweep ranks its trials by: the validation loss of the weights each trial kept, which is its best
 * epoch's when early stopping restored one (`best_val_loss`), else its last epoch's. Lower is better. The
 * sweep's choice of best trial and the parallel-coordinates view read the same number, so the highlighted line is
 * always the trial the sweep picked. Undefined when the trial recorded neither (it diverged or failed).
 */
export const SWEEP_OBJECTIVE = 'val_loss';

export function sweepScore(summary: Readonly<Record<string, number>>): number | undefined {
	const v = summary.best_val_loss ?? summary.val_loss;
	return Number.isFinite(v) ? v : undefined;
}
