import { proxy, transfer } from 'comlink';
import { dataApi } from '$lib/data/client';
import { trainApi } from '$lib/train/client';
import { pipeFrame } from '$lib/train/frame-pipe';
import { splitSets } from '$lib/train/engine/split-sets';
import { checkTrainingData } from '$lib/ml/validate';
import { labelTarget } from '$lib/ml/preprocess';
import { classificationReport } from '$lib/ml/metrics';
import { trainConfig } from '$lib/notebook/schema';
import type { Backend, ModelSpec, TrainParams } from '$lib/ml/types';

/**
 * A train cell's whole path on one table, twice, in this page: "page" prepares on the main thread as the train
 * cell did before the training session moved there (frame to the page, check, split, fit, encode, metrics here;
 * the same kernel calls), "worker" is the app's path now (frame-pipe → check → split → trainPrepared → scoreTest in
 * the train worker). Long tasks of the main thread are counted over each whole path, preparation included.
 */

export interface CellPathCase {
	table: string;
	target: string;
	features: string[];
	backend: Backend;
	epochs: number;
	hidden: number[];
	batchSize: number;
}

export interface CellPathRun {
	path: 'page' | 'worker';
	ms: number;
	/** Steps, ms: read (the table to where it is prepared), check, split (fit + encode), train, score. */
	steps: Record<string, number>;
	testAccuracy: number;
	start: number;
	end: number;
}

const params = (c: CellPathCase): TrainParams => ({
	optimizer: 'adam',
	learningRate: 0.01,
	momentum: 0,
	batchSize: c.batchSize,
	epochs: c.epochs,
	patience: 0,
	seed: 42
});
const spec = (c: CellPathCase): ModelSpec => ({
	kind: 'mlp',
	layers: c.hidden.map((units) => ({ units, activation: 'relu' })),
	dropout: 0
});
const fractions = { train: 0.7, validation: 0.15, test: 0.15 };

const failed = (what: string, e: { name: string; message: string }) =>
	new Error(`${what}: ${e.name}: ${e.message}`);

/** Times each step: `await step('name', fn)`. */
function stepper() {
	const steps: Record<string, number> = {};
	return {
		steps,
		async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
			const t0 = performance.now();
			try {
				return await fn();
			} finally {
				steps[name] = performance.now() - t0;
			}
		}
	};
}

const noProgress = proxy(() => undefined);

/** Before: the rows come to the page and the kernel runs here; training and prediction in the worker. */
export async function pagePath(c: CellPathCase): Promise<CellPathRun> {
	const config = trainConfig.parse({ target: c.target, seed: 42 });
	const { steps, step } = stepper();
	const start = performance.now();
	const read = await step('read', async () => await dataApi().frame({ table: c.table, columns: null }));
	if (!read.ok) throw failed('frame', read.error);
	const frame = read.frame;
	const check = await step('check', async () =>
		checkTrainingData(frame, { target: c.target, features: c.features, fractions })
	);
	if (!check.ok) throw new Error(check.message);
	const split = await step('split', async () =>
		splitSets({
			config,
			frame,
			test: undefined,
			features: c.features,
			task: check.task,
			stratify: labelTarget(frame.columns.find((col) => col.name === c.target)!).labels
		})
	);
	if (!split.ok) throw new Error(split.message);
	const { train, validation, test } = split.sets;
	const classes = split.prep.target.task === 'regression' ? 0 : split.prep.target.classes.length;
	const res = await step(
		'train',
		async () =>
			await trainApi().train(
				transfer(
					{
						spec: spec(c),
						train,
						validation,
						task: check.task,
						classes,
						params: params(c),
						preference: c.backend
					},
					[train.x.buffer, train.y.buffer, validation.x.buffer, validation.y.buffer]
				),
				noProgress
			)
	);
	if (!res.ok) throw failed('train', res.error);
	const report = await step('score', async () => {
		const out = await trainApi().predict({
			artifacts: res.artifacts,
			x: test.x,
			rows: test.rows,
			width: test.width,
			backend: res.backend
		});
		if (!out.ok) throw failed('predict', out.error);
		const target = split.prep.target as { classes: string[] };
		return classificationReport(Int32Array.from(test.y), out.values, target.classes);
	});
	const end = performance.now();
	return { path: 'page', ms: end - start, steps, testAccuracy: report.accuracy, start, end };
}

/** Now: the rows go worker to worker; the page holds handles (what the train cell runs). */
export async function workerPath(c: CellPathCase): Promise<CellPathRun> {
	const config = trainConfig.parse({ target: c.target, seed: 42 });
	const { steps, step } = stepper();
	const start = performance.now();
	const piped = await step(
		'read',
		async () => await pipeFrame(dataApi(), trainApi(), { table: c.table, columns: null })
	);
	if (!piped.ok) throw failed('pipe', piped.error);
	const handles = [piped.ref.handle];
	try {
		const checked = await step(
			'check',
			async () =>
				await trainApi().check(piped.ref.handle, { target: c.target, features: c.features, fractions })
		);
		if (!checked.ok) throw failed('check', checked.error);
		if (!checked.check.ok) throw new Error(checked.check.message);
		const task = checked.check.task;
		const split = await step(
			'split',
			async () => await trainApi().split({ frame: piped.ref.handle, config, features: c.features, task })
		);
		if (!split.ok) throw failed('split', split.error);
		if ('refused' in split) throw new Error(split.refused.message);
		handles.push(split.handle);
		const classes = split.prep.target.task === 'regression' ? 0 : split.prep.target.classes.length;
		const res = await step(
			'train',
			async () =>
				await trainApi().trainPrepared(
					{ sets: split.handle, spec: spec(c), task, classes, params: params(c), preference: c.backend },
					noProgress
				)
		);
		if (!res.ok) throw failed('train', res.error);
		const scored = await step(
			'score',
			async () =>
				await trainApi().scoreTest({ sets: split.handle, artifacts: res.artifacts, backend: res.backend })
		);
		if (!scored.ok) throw failed('score', scored.error);
		const end = performance.now();
		const accuracy = scored.report.task === 'regression' ? NaN : scored.report.accuracy;
		return { path: 'worker', ms: end - start, steps, testAccuracy: accuracy, start, end };
	} finally {
		await trainApi().release(handles);
	}
}
