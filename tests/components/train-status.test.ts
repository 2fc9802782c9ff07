import { describe, expect, it } from 'vitest';
import { trainStatus } from '$lib/components/train-status';

const epoch = (n: number) =>
	({
		kind: 'epoch',
		epoch: n,
		epochs: 40,
		loss: 0.5,
		valLoss: 0.75,
		metric: 1,
		valMetric: 1,
		elapsedMs: 1
	}) as const;
const batch = (e: number, b: number) =>
	({ kind: 'batch', epoch: e, batch: b, batches: 1353, loss: 0.5 }) as const;
const base = { running: true, last: undefined, batch: null, backendChosen: true, planned: 40 };

describe('the train status line says what is happening', () => {
	it('before any batch: reading the data', () => {
		expect(trainStatus({ ...base, backendChosen: false })).toBe(
			'starting: reading the data, choosing the fastest backend…'
		);
	});
	it('batches of the first epoch: the epoch and batch, not "starting"', () => {
		expect(trainStatus({ ...base, batch: batch(1, 944) })).toBe('epoch 1/40 · batch 944/1353');
	});
	it('batches of a later epoch: that epoch, and the last finished one’s losses', () => {
		expect(trainStatus({ ...base, last: epoch(2), batch: batch(3, 944) })).toBe(
			'epoch 3/40 · batch 944/1353 · epoch 2: loss 0.5000 · val loss 0.7500'
		);
	});
	it('finished: how many of the planned epochs ran', () => {
		expect(trainStatus({ ...base, running: false, last: epoch(7), batch: batch(7, 10) })).toBe(
			'ran 7 of 40 epochs · loss 0.5000 · val loss 0.7500'
		);
	});
});
