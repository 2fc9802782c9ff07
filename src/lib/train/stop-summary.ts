import type { EpochRecord } from './engine/fit';

/**
 * What a finished fit records about the epoch its weights came from. The metric history keeps every epoch as it
 * ran, so the run's latest `val_loss` is the last epoch's; when early stopping restored an earlier epoch's weights,
 * that epoch and its metrics are recorded as `best_*` summary values, and a sentence says why training ended
 * (docs/architecture.md, training).
 */
export function stopSummary(
	history: readonly EpochRecord[],
	o: {
		restoredEpoch: number | null;
		stoppedEarly: boolean;
		planned: number;
		patience: number;
		metric: string;
	}
): { summary: Record<string, number>; note: string } {
	const last = history.at(-1);
	if (!last) return { summary: {}, note: '' };
	const best = (o.restoredEpoch !== null && history.find((h) => h.epoch === o.restoredEpoch)) || last;
	const summary: Record<string, number> =
		best === last
			? { loss: last.loss, val_loss: last.valLoss }
			: {
					best_epoch: best.epoch,
					best_loss: best.loss,
					best_val_loss: best.valLoss,
					[`best_${o.metric}`]: best.metric,
					[`best_val_${o.metric}`]: best.valMetric
				};
	const from = `weights from epoch ${best.epoch}`;
	const note = o.stoppedEarly
		? `stopped early at epoch ${last.epoch} of ${o.planned}: val_loss did not improve for ${o.patience} ` +
			`epoch${o.patience === 1 ? '' : 's'}; ${from}`
		: best === last
			? ''
			: `${from}, the lowest val_loss (the last epoch, ${last.epoch}, was worse)`;
	return { summary, note };
}
