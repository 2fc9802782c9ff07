import type { TrainProgress } from '$lib/ml/types';

type Epoch = Extract<TrainProgress, { kind: 'epoch' }>;
type Batch = Extract<TrainProgress, { kind: 'batch' }>;

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

/**
 * The train cell's status line, from the progress stream: what is happening now. Batches of the first epoch arrive
 * before any epoch ends, so a batch says "epoch 1/40 · batch 944/1353", never "starting"; a finished run says how
 * many of its planned epochs ran rather than sitting on "epoch 7/40".
 */
export function trainStatus(s: {
	running: boolean;
	last: Epoch | undefined;
	batch: Batch | null;
	backendChosen: boolean;
	planned: number;
}): string {
	const losses = (e: Epoch) => `loss ${fmt(e.loss)} · val loss ${fmt(e.valLoss)}`;
	const { last, batch } = s;
	if (s.running && batch && (!last || batch.epoch > last.epoch)) {
		const done = last ? ` · epoch ${last.epoch}: ${losses(last)}` : '';
		return `epoch ${batch.epoch}/${last?.epochs ?? s.planned} · batch ${batch.batch}/${batch.batches}${done}`;
	}
	if (last && s.running) return `epoch ${last.epoch}/${last.epochs} · ${losses(last)}`;
	if (last) return `ran ${last.epoch} of ${last.epochs} epochs · ${losses(last)}`;
	if (s.running)
		return `starting: reading the data${s.backendChosen ? '' : ', choosing the fastest backend'}…`;
	return '';
}
