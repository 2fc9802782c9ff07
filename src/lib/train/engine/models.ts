/**
 * ModelSpec → a compiled tf.LayersModel. Every random draw (initial weights, dropout masks) is seeded, so the same
 * seed on the same backend repeats the same run.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from '../../ml/random';
import { outputUnits } from './backend-choice';
import type { ModelSpec, Task, TrainParams } from '../../ml/types';

/** A spec that cannot be built for this data (CNN image ≠ width, zero units…): the user's to fix, not a bug. */
export class ModelShapeError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ModelShapeError';
	}
}

export interface BuildOptions {
	spec: ModelSpec;
	width: number;
	task: Task;
	/** Number of classes (ignored for regression). */
	classes: number;
	params: Pick<TrainParams, 'optimizer' | 'learningRate' | 'momentum' | 'seed'>;
}

const LOSS: Record<Task, string> = {
	regression: 'meanSquaredError',
	binary: 'binaryCrossentropy',
	// y holds the class index as a float: no one-hot copy of the labels.
	multiclass: 'sparseCategoricalCrossentropy'
};

const positiveInt = (n: number) => Number.isInteger(n) && n >= 1;

function check(ok: boolean, message: string): void {
	if (!ok) throw new ModelShapeError(message);
}

export function validateSpec({ spec, width, task, classes }: Omit<BuildOptions, 'params'>): void {
	check(positiveInt(width), `the input has ${width} columns; a model needs at least one`);
	if (task === 'multiclass')
		check(positiveInt(classes) && classes >= 2, `multiclass needs 2+ classes, got ${classes}`);
	if (spec.kind === 'linear') return;
	check(spec.dropout >= 0 && spec.dropout < 1, `dropout must be in [0, 1), got ${spec.dropout}`);
	if (spec.kind === 'mlp') {
		check(spec.layers.length > 0, 'an MLP needs at least one hidden layer (or choose the linear model)');
		for (const l of spec.layers)
			check(positiveInt(l.units), `a dense layer has ${l.units} units; it needs 1 or more`);
		return;
	}
	const { height, width: w, channels } = spec.image;
	check(
		[height, w, channels].every(positiveInt),
		`image ${height}×${w}×${channels} has a zero or fractional side`
	);
	check(
		height * w * channels === width,
		`image ${height}×${w}×${channels} = ${height * w * channels} values, but each row has ${width}`
	);
	check(
		spec.filters.length > 0 && spec.filters.every(positiveInt),
		'every conv layer needs 1 or more filters'
	);
	check(positiveInt(spec.kernel) && positiveInt(spec.dense), 'kernel size and dense units must be 1 or more');
	// Each block halves the image (2×2 max-pool); it must still have pixels after the last one.
	const shrink = 2 ** spec.filters.length;
	check(
		height >= shrink && w >= shrink,
		`${spec.filters.length} conv blocks halve the image ${spec.filters.length} times; ${height}×${w} is too small`
	);
}

export function buildModel(opts: BuildOptions): tfl.LayersModel {
	validateSpec(opts);
	const { spec, width, task, classes, params } = opts;
	let layer = 0;
	// One seed per layer, derived, so adding a layer does not shift every other layer's initial weights.
	const init = () => tfl.initializers.glorotUniform({ seed: deriveSeed(params.seed, 100 + layer++) });
	const dropout = (rate: number) =>
		tfl.layers.dropout({ rate, seed: deriveSeed(params.seed, 200 + layer++) });

	const model = tfl.sequential();
	const input = { inputShape: [width] };
	if (spec.kind === 'mlp') {
		spec.layers.forEach((l, i) => {
			model.add(
				tfl.layers.dense({
					...(i === 0 ? input : {}),
					units: l.units,
					activation: l.activation,
					kernelInitializer: init()
				})
			);
			if (spec.dropout > 0) model.add(dropout(spec.dropout));
		});
	} else if (spec.kind === 'cnn') {
		const { height, width: w, channels } = spec.image;
		model.add(tfl.layers.reshape({ ...input, targetShape: [height, w, channels] }));
		for (const filters of spec.filters) {
			model.add(
				tfl.layers.conv2d({
					filters,
					kernelSize: spec.kernel,
					padding: 'same',
					activation: 'relu',
					kernelInitializer: init()
				})
			);
			model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
		}
		model.add(tfl.layers.flatten());
		model.add(tfl.layers.dense({ units: spec.dense, activation: 'relu', kernelInitializer: init() }));
		if (spec.dropout > 0) model.add(dropout(spec.dropout));
	}
	const first = model.layers.length === 0 ? input : {};
	const activation = task === 'regression' ? 'linear' : task === 'binary' ? 'sigmoid' : 'softmax';
	model.add(
		tfl.layers.dense({ ...first, units: outputUnits(task, classes), activation, kernelInitializer: init() })
	);

	model.compile({
		optimizer: makeOptimizer(params),
		loss: LOSS[task],
		metrics: [task === 'regression' ? 'mae' : 'accuracy']
	});
	return model;
}

function makeOptimizer(p: BuildOptions['params']): tf.Optimizer {
	if (p.optimizer === 'adam') return tf.train.adam(p.learningRate);
	return p.momentum > 0 ? tf.train.momentum(p.learningRate, p.momentum) : tf.train.sgd(p.learningRate);
}

/**
 * TF.js draws a dropout mask from the layer's seed afresh on every call, so a fixed seed would drop the same units
 * in every batch. Deriving the seed from (run seed, step) keeps masks different per batch and the run repeatable.
 */
export function reseedDropout(model: tfl.LayersModel, seed: number, step: number): void {
	model.layers.forEach((l, i) => {
		if (l.getClassName() === 'Dropout')
			(l as unknown as { seed: number }).seed = deriveSeed(deriveSeed(seed, 300 + i), step);
	});
}

/** The model owns its weights, not an optimizer it was handed: dispose both (their variables count as tensors). */
export function disposeModel(model: tfl.LayersModel): void {
	const optimizer = model.optimizer;
	model.dispose();
	optimizer?.dispose();
}
