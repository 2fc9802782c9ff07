import { proxy } from 'comlink';
import { trainApi, terminateTrainWorker } from '$lib/train/client';
import { deriveSeed, mulberry32 } from '$lib/ml/random';
import type { Encoded, TrainProgress } from '$lib/ml/types';
import type { TrainBenchOptions, TrainBenchResult, WorkerMemory } from './train-bench-types';

export type { TrainBenchOptions, TrainBenchResult } from './train-bench-types';

/**
 * Driven by e2e/train-backends.spec.ts through `window.edgebookTrain`: the real train worker in real Chromium,
 * on synthetic data made here from a seed (Playwright cannot pass functions or typed arrays into the page).
 */

/** A learnable binary problem: the label is the sign of a fixed random plane through the data, plus 2% flips. */
export function binaryProblem(o: { rows: number; width: number; seed: number }): Encoded {
	const rng = mulberry32(deriveSeed(o.seed, 7));
	const plane = Float32Array.from({ length: o.width }, () => rng() * 2 - 1);
	const x = new Float32Array(o.rows * o.width);
	const y = new Float32Array(o.rows);
	for (let r = 0; r < o.rows; r++) {
		let s = 0;
		for (let c = 0; c < o.width; c++) {
			const v = rng() * 2 - 1;
			x[r * o.width + c] = v;
			s += v * plane[c];
		}
		y[r] = (s > 0 ? 1 : 0) ^ (rng() < 0.02 ? 1 : 0);
	}
	return { x, y, rows: o.rows, width: o.width };
}

/** The first `n` rows and the rest, as two Encoded sets. */
export function splitAt(e: Encoded, n: number): [Encoded, Encoded] {
	const w = e.width;
	return [
		{ x: e.x.slice(0, n * w), y: e.y.slice(0, n), rows: n, width: w },
		{ x: e.x.slice(n * w), y: e.y.slice(n), rows: e.rows - n, width: w }
	];
}

export async function runTrainBench(o: TrainBenchOptions): Promise<TrainBenchResult> {
	const { rows = 2000, width = 8, epochs = 5, batchSize = 64, seed = 42 } = o;
	const [train, validation] = splitAt(binaryProblem({ rows, width, seed }), Math.round(rows * 0.8));
	const valCopy = { x: validation.x.slice(), y: validation.y.slice() };
	const api = trainApi();
	const events: TrainProgress[] = [];
	let cancel: Promise<{ running: boolean; batchesRun: number }> | null = null;
	const onProgress = (p: TrainProgress) => {
		events.push(p);
		if (o.cancelAfterBatches !== undefined && !cancel && p.kind === 'batch') {
			const seen = (p.epoch - 1) * p.batches + p.batch;
			if (seen >= o.cancelAfterBatches) cancel = api.cancel();
		}
	};
	const result = await api.train(
		{
			spec: {
				kind: 'mlp',
				layers: (o.hidden ?? [16]).map((units) => ({ units, activation: 'relu' })),
				dropout: 0
			},
			train,
			validation,
			task: 'binary',
			classes: 2,
			params: {
				optimizer: 'adam',
				learningRate: 0.02,
				momentum: 0,
				batchSize,
				epochs,
				patience: o.patience ?? 0,
				seed
			},
			preference: o.preference,
			batchEvery: o.batchEvery,
			failAt: o.failAt
		},
		proxy(onProgress)
	);
	if (!result.ok) return { ok: false as const, error: result.error, events };
	const memoryAfterTrain = await api.memory();
	const predicted = await api.predict({
		artifacts: result.artifacts,
		x: valCopy.x,
		rows: validation.rows,
		width,
		backend: result.backend
	});
	let accuracy = NaN;
	if (predicted.ok) {
		let right = 0;
		for (let i = 0; i < validation.rows; i++)
			right += Number(predicted.values[i] > 0.5) === valCopy.y[i] ? 1 : 0;
		accuracy = right / validation.rows;
	}
	const { artifacts: _artifacts, ...summary } = result;
	return {
		...summary,
		modelJsonBytes: result.artifacts.modelJson.length,
		weightBytes: result.artifacts.weights.byteLength,
		accuracy,
		predictError: predicted.ok ? null : predicted.error,
		memoryAfterTrain,
		memory: await api.memory(),
		cancelAt: cancel ? await cancel : null,
		events
	};
}

export async function probe() {
	return trainApi().probe();
}

export async function memory(): Promise<WorkerMemory> {
	return trainApi().memory();
}

export { terminateTrainWorker };
