/**
 * The measured trial behind `auto`: train the real model shape for a few batches of synthetic rows of the real
 * width on the active backend, and count samples per second. The first batch (shader compiles, wasm warm-up)
 * is not timed; a time cap keeps a slow backend from holding up the run.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed, mulberry32 } from '../../ml/random';
import { disposeModel } from './models';
import { trainStep } from './step';
import type { Task } from '../../ml/types';

export interface TrialOptions {
	build: () => tfl.LayersModel;
	width: number;
	task: Task;
	classes: number;
	batchSize: number;
	seed: number;
	/** Stop timing after this long (the batch in flight finishes). */
	maxMs?: number;
	maxBatches?: number;
}

export async function measureThroughput(o: TrialOptions): Promise<number> {
	const { maxMs = 1000, maxBatches = 12 } = o;
	const rows = Math.max(1, Math.floor(o.batchSize));
	const rng = mulberry32(deriveSeed(o.seed, 2000));
	const x = Float32Array.from({ length: rows * o.width }, () => rng() * 2 - 1);
	const labels = o.task === 'multiclass' ? Math.max(2, o.classes) : 2;
	const y = Float32Array.from({ length: rows }, () =>
		o.task === 'regression' ? rng() * 2 - 1 : Math.floor(rng() * labels)
	);
	const model = o.build();
	const xs = tf.tensor2d(x, [rows, o.width]);
	const ys = tf.tensor2d(y, [rows, 1]);
	const steps = async (n: number) => {
		for (let i = 0; i < n - 1; i++) trainStep(model, xs, ys).dispose();
		const last = trainStep(model, xs, ys);
		await last.data(); // the work is done (on a GPU too) only once a result is read
		last.dispose();
	};
	try {
		await steps(1); // warm-up, not timed: shader compiles, wasm start-up
		const started = performance.now();
		let done = 0;
		// Reads every 4 batches, as training does at most every 16: the GPU keeps a few batches in flight.
		while (done < maxBatches && performance.now() - started < maxMs) {
			await steps(4);
			done += 4;
		}
		const seconds = Math.max(1e-6, (performance.now() - started) / 1000);
		return (done * rows) / seconds;
	} finally {
		tf.dispose([xs, ys]);
		disposeModel(model);
	}
}
