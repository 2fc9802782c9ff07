/**
 * Shared shapes of the training domain. Plain data only: everything here crosses worker boundaries, is stored in
 * IndexedDB and, later, is read by the Cloudflare Worker (no DOM, no TF.js types).
 */

export type Task = 'binary' | 'multiclass' | 'regression';

/** Column-major data as it leaves the data worker: numbers as Float64Array (NaN = missing), the rest as text. */
export type ColumnData =
	| { name: string; kind: 'numeric'; values: Float64Array }
	| { name: string; kind: 'categorical'; values: (string | null)[] };

export interface Frame {
	columns: ColumnData[];
	rowCount: number;
}

// The saved preprocessing crosses HTTP (the Worker encodes with it), so the contract owns its shape.
export type { FeatureSpec, TargetSpec, Preprocessing } from '../contract/preprocessing';

/** Encoded rows, ready for a tensor: x is rows × width row-major; y is a class index or a standardised value. */
export interface Encoded {
	x: Float32Array;
	y: Float32Array;
	rows: number;
	width: number;
}

export interface Splits {
	train: Uint32Array;
	validation: Uint32Array;
	test: Uint32Array;
}

/** Shares of the rows for each split: each ≥ 0, train > 0, summing to 1. A share of 0 leaves that split empty. */
export interface SplitFractions {
	train: number;
	validation: number;
	test: number;
}

/** Why `checkTrainingData` refuses a table: one stable code per problem, for tests and for the UI to key on. */
export const DATA_CHECK_CODES = [
	'invalid-fractions',
	'target-missing',
	'no-features',
	'feature-duplicate',
	'feature-is-target',
	'feature-missing',
	'too-few-rows',
	'target-all-null',
	'target-has-missing',
	'target-not-finite',
	'task-mismatch',
	'target-constant',
	'class-too-small',
	'split-empty',
	'feature-not-finite',
	'feature-id-like',
	'split-column-missing',
	'split-column-not-orderable',
	'split-column-has-missing',
	'split-too-few-groups',
	'test-table-mismatch'
] as const;
export type DataCheckCode = (typeof DATA_CHECK_CODES)[number];

/** A softer problem found by the data checks; `kind` lets a wide table's many alike warnings be one line. */
export interface DataWarning {
	kind: 'target' | 'feature-all-missing' | 'feature-constant' | 'feature-missing' | 'feature-many-categories';
	message: string;
	/** The column it is about, named in a group's line. */
	column?: string;
}

/** The verdict on a table before training (an expected failure is a value, not a throw: docs/architecture.md). */
export type DataCheck =
	| { ok: true; task: Task; warnings: DataWarning[] }
	/** `column` names the column at fault when there is one; `message` is for people and names it too. */
	| { ok: false; code: DataCheckCode; message: string; column?: string };

export type ModelSpec =
	| { kind: 'linear' }
	| {
			kind: 'mlp';
			layers: { units: number; activation: 'relu' | 'tanh' | 'sigmoid' | 'elu' }[];
			dropout: number;
	  }
	| {
			kind: 'cnn';
			/** Image shape of each row: height × width × channels must equal the input width. */
			image: { height: number; width: number; channels: number };
			filters: number[];
			kernel: number;
			dense: number;
			dropout: number;
	  };

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface TrainParams {
	optimizer: 'adam' | 'sgd';
	learningRate: number;
	/** Used by sgd only. */
	momentum: number;
	batchSize: number;
	epochs: number;
	/** Stop when validation loss has not improved for this many epochs; 0 turns early stopping off. */
	patience: number;
	seed: number;
}

/** One stream of training progress (docs/architecture.md, Conventions). */
export type TrainProgress =
	| {
			kind: 'backend';
			backend: Backend;
			reason: string;
			/** Set when training moved here because `failed.backend` broke mid-run. */
			failed?: { backend: Backend; error: string };
	  }
	| { kind: 'batch'; epoch: number; batch: number; batches: number; loss: number }
	| {
			kind: 'epoch';
			epoch: number;
			epochs: number;
			loss: number;
			valLoss: number;
			metric: number;
			valMetric: number;
			elapsedMs: number;
	  }
	| { kind: 'done'; epochs: number; stoppedEarly: boolean; cancelled: boolean }
	/** A sweep moves on to its next trial (emitted by the main-thread orchestration, not the worker). */
	| { kind: 'trial'; index: number; of: number; runId: string };

export interface ClassificationReport {
	task: 'binary' | 'multiclass';
	classes: string[];
	accuracy: number;
	macro: { precision: number; recall: number; f1: number };
	perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
	/** confusion[actual][predicted] */
	confusion: number[][];
	/** One curve per class (one-vs-rest); for binary only the positive class (classes[1]). */
	roc: { label: string; auc: number; points: { fpr: number; tpr: number }[] }[];
	pr: { label: string; averagePrecision: number; points: { recall: number; precision: number }[] }[];
}

export interface RegressionReport {
	task: 'regression';
	mae: number;
	rmse: number;
	r2: number;
	/** A sample of (predicted, residual) pairs for the residual plot. */
	residuals: { predicted: number; residual: number }[];
}

export type EvaluationReport = ClassificationReport | RegressionReport;
