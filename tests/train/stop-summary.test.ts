import { describe, expect, it } from 'vitest';
import { stopSummary } from '$lib/train/stop-summary';
import type { EpochRecord } from '$lib/train/engine/fit';

const epoch = (n: number, valLoss: number): EpochRecord => ({
	kind: 'epoch',
	epoch: n,
	epochs: 40,
	loss: 1 / n,
	valLoss,
	metric: 0.5 + n / 100,
	valMetric: 0.4 + n / 100,
	elapsedMs: 1
});
const history = [epoch(1, 1.1), epoch(2, 0.95), epoch(3, 0.9236), epoch(4, 0.93), epoch(5, 0.9388)];

describe('a fit records the epoch its weights came from', () => {
	it('early stopping: the restored epoch and its metrics, and a sentence saying why it stopped', () => {
		const s = stopSummary(history, {
			restoredEpoch: 3,
			stoppedEarly: true,
			planned: 40,
			patience: 2,
			metric: 'accuracy'
		});
		expect(s.summary).toEqual({
			best_epoch: 3,
			best_loss: 1 / 3,
			best_val_loss: 0.9236,
			best_accuracy: 0.5 + 3 / 100,
			best_val_accuracy: 0.4 + 3 / 100
		});
		expect(s.note).toBe(
			'stopped early at epoch 5 of 40: val_loss did not improve for 2 epochs; weights from epoch 3'
		);
	});

	it('every epoch ran and the last was best: the last epoch, no note', () => {
		const s = stopSummary(history.slice(0, 3), {
			restoredEpoch: null,
			stoppedEarly: false,
			planned: 3,
			patience: 5,
			metric: 'mae'
		});
		expect(s).toEqual({ summary: { loss: 1 / 3, val_loss: 0.9236 }, note: '' });
	});

	it('every epoch ran but an earlier one was best: says which weights the model holds', () => {
		const s = stopSummary(history, {
			restoredEpoch: 3,
			stoppedEarly: false,
			planned: 5,
			patience: 5,
			metric: 'mae'
		});
		expect(s.summary.best_epoch).toBe(3);
		expect(s.note).toBe('weights from epoch 3, the lowest val_loss (the last epoch, 5, was worse)');
	});
});
