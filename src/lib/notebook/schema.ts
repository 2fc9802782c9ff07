import { z } from 'zod';

/**
 * The notebook document: the one shape stored in IndexedDB, exported to files and validated on import.
 * Outputs are kept only where they are cheap (a result preview, never a whole table).
 */

export const CHART_MARKS = ['bar', 'line', 'point', 'area', 'histogram'] as const;
export type ChartMark = (typeof CHART_MARKS)[number];

/** A SQL identifier a later cell can query: letters, digits, underscore, not starting with a digit. */
export const tableName = z
	.string()
	.regex(
		/^[A-Za-z_][A-Za-z0-9_]{0,62}$/,
		'a table name is letters, digits and _ and cannot start with a digit'
	);

const cellBase = {
	id: z.string().min(1).max(64),
	collapsed: z.boolean().default(false)
};

export const sqlOutput = z.object({
	kind: z.literal('table'),
	/** The table this result was materialised into (the cell's name, or its automatic one). */
	table: z.string(),
	columns: z.array(z.object({ name: z.string(), type: z.string() })),
	rowCount: z.number().int().nonnegative(),
	elapsedMs: z.number().nonnegative(),
	/** The first rows, JSON-safe (BigInt as string), so a reload shows the result before DuckDB is back. */
	preview: z.array(z.array(z.unknown())).max(200)
});

export const cellError = z.object({
	kind: z.literal('error'),
	name: z.string(),
	message: z.string(),
	line: z.number().int().positive().optional(),
	column: z.number().int().positive().optional()
});

export const markdownCell = z.object({
	...cellBase,
	kind: z.literal('markdown'),
	source: z.string()
});

export const sqlCell = z.object({
	...cellBase,
	kind: z.literal('sql'),
	source: z.string(),
	/** Name under which the result is a table for later cells; empty means an automatic name. */
	name: z.union([tableName, z.literal('')]).default(''),
	output: z.union([sqlOutput, cellError]).nullable().default(null)
});

export const chartSpec = z.object({
	/** A table name (a dataset or a cell result). */
	source: z.string().default(''),
	mark: z.enum(CHART_MARKS).default('bar'),
	x: z.string().default(''),
	y: z.string().default(''),
	color: z.string().default(''),
	facet: z.string().default('')
});

export const chartCell = z.object({
	...cellBase,
	kind: z.literal('chart'),
	spec: chartSpec,
	output: cellError.nullable().default(null)
});

export const TRAIN_BACKENDS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;

/** Everything a train cell needs to reproduce a run; hashed into the run's lineage. */
export const trainConfig = z.object({
	/** A table name: a dataset or a cell result. */
	source: z.string().default(''),
	target: z.string().default(''),
	/** The picked features; with no `featureMode` (notebooks from before it), empty means all but the target. */
	features: z.array(z.string()).default([]),
	/** How features are chosen (src/lib/train/feature-select.ts); absent: from `features` as above. */
	featureMode: z.enum(['all', 'pattern', 'pick']).optional(),
	/** For the pattern mode: globs, comma separated ("p*, age"). */
	featurePattern: z.string().max(1000).optional(),
	task: z.enum(['auto', 'binary', 'multiclass', 'regression']).default('auto'),
	model: z.enum(['linear', 'mlp', 'cnn']).default('mlp'),
	/** Hidden units per layer, comma separated ("64,32"); for a CNN, its filters per conv layer. */
	layers: z.string().default('32,16'),
	activation: z.enum(['relu', 'tanh', 'sigmoid', 'elu']).default('relu'),
	dropout: z.number().min(0).max(0.9).default(0),
	/** Image shape of each row for a CNN, "height x width x channels". */
	image: z.string().default('28x28x1'),
	optimizer: z.enum(['adam', 'sgd']).default('adam'),
	learningRate: z.number().positive().max(10).default(0.01),
	momentum: z.number().min(0).max(1).default(0.9),
	batchSize: z.number().int().positive().max(65536).default(32),
	epochs: z.number().int().positive().max(1000).default(20),
	patience: z.number().int().min(0).max(1000).default(5),
	seed: z.number().int().default(42),
	backend: z.enum(TRAIN_BACKENDS).default('auto'),
	validation: z.number().min(0.05).max(0.5).default(0.15),
	test: z.number().min(0.05).max(0.5).default(0.15),
	/** How rows become train / validation / test (src/lib/ml/split-strategies.ts); 'random' as before. */
	split: z.enum(['random', 'time', 'group', 'table']).default('random'),
	/** The column a 'time' or 'group' split orders or groups by. */
	splitColumn: z.string().default(''),
	/** A 'table' split's test set: a dataset or a cell result with the same feature and target columns. */
	testTable: z.string().default(''),
	experiment: z.string().min(1).max(100).default('default'),
	/** Transforms that travel with the model, one per line (src/lib/ml/transforms.ts parseTransformText). */
	transforms: z.string().max(5000).default(''),
	/** A sweep: off, or a grid / random search over `space` (JSON: param → list of values, or {min,max,log}). */
	sweep: z
		.object({
			mode: z.enum(['off', 'grid', 'random']).default('off'),
			trials: z.number().int().positive().max(200).default(6),
			space: z.string().default('{"learningRate": [0.01, 0.003], "layers": ["32", "64,32"]}')
		})
		.default({ mode: 'off', trials: 6, space: '{"learningRate": [0.01, 0.003], "layers": ["32", "64,32"]}' })
});
export type TrainConfig = z.infer<typeof trainConfig>;

export const runOutput = z.object({
	kind: z.literal('run'),
	runId: z.string(),
	status: z.string(),
	backend: z.string(),
	summary: z.record(z.string(), z.number()),
	/** For a sweep: the child runs, and which one won. */
	trials: z
		.array(
			z.object({
				runId: z.string(),
				/** The value of each swept key this trial tried. */
				params: z.record(z.string(), z.string()).default({}),
				summary: z.record(z.string(), z.number())
			})
		)
		.default([]),
	bestRunId: z.string().nullable().default(null),
	/** One line per warning, or a group of same-kind warnings (src/lib/ml/warnings.ts) with every item kept. */
	warnings: z
		.array(z.union([z.string(), z.object({ text: z.string(), items: z.array(z.string()) })]))
		.default([]),
	/** When training did not run where it was asked to (or where auto first went): why, in words. */
	backendNote: z.string().default(''),
	/** How many features the run trained on; 0 in outputs from before it was recorded. */
	featureCount: z.number().int().nonnegative().default(0),
	/** Why training ended early and which epoch's weights the model holds; empty when it ran every epoch. */
	stop: z.string().default(''),
	/** Which split was used, with its row counts ("time split on ts: 700 / 150 / 150 rows …"). */
	split: z.string().default('')
});
export type RunOutput = z.infer<typeof runOutput>;

export const trainCell = z.object({
	...cellBase,
	kind: z.literal('train'),
	config: trainConfig,
	output: z.union([runOutput, cellError]).nullable().default(null)
});

export const evaluationOutput = z.object({
	kind: z.literal('evaluation'),
	runId: z.string(),
	data: z.string(),
	/** The EvaluationReport of src/lib/ml/types.ts, stored as the run's artifact too. */
	report: z.record(z.string(), z.unknown()),
	/** How the model's output was read (an ONNX cell says which output, as what), and over how many rows. */
	note: z.string().default('')
});

export const evaluateCell = z.object({
	...cellBase,
	kind: z.literal('evaluate'),
	/** The train cell whose latest run is scored (or a pinned run id). */
	trainCellId: z.string().default(''),
	runId: z.string().default(''),
	/** Empty: the run's own test split; otherwise a table to score. */
	data: z.string().default(''),
	output: z.union([evaluationOutput, cellError]).nullable().default(null)
});

/** Scores a table with a run's model; the result is a named table (inputs + predicted + prob_<class>). */
export const predictCell = z.object({
	...cellBase,
	kind: z.literal('predict'),
	/** The train cell whose latest run predicts (or a pinned run id). */
	trainCellId: z.string().default(''),
	runId: z.string().default(''),
	/** The table to score. */
	data: z.string().default(''),
	/** Name of the predictions table; empty means an automatic name. */
	name: z.union([tableName, z.literal('')]).default(''),
	output: z.union([sqlOutput, cellError]).nullable().default(null)
});

const tensorText = z.object({ name: z.string(), type: z.string() });

/**
 * An ONNX file made anywhere, brought into the notebook: kept as a run's `model.onnx` (so it syncs, and registers
 * like a trained model), scored on a table through a column → input mapping, with the evaluate cell's report.
 */
export const onnxCell = z.object({
	...cellBase,
	kind: z.literal('onnx'),
	/** The run holding the file; empty until a file is chosen. */
	runId: z.string().default(''),
	fileName: z.string().default(''),
	/** The graph's signature as shown ("float_input", "float32 [N, 4]"), read from the bytes when imported. */
	inputs: z.array(tensorText).default([]),
	outputs: z.array(tensorText).default([]),
	data: z.string().default(''),
	target: z.string().default(''),
	/** Each graph input's columns, in order. */
	mapping: z.record(z.string(), z.array(z.string())).default({}),
	/** The output scored against the target; empty picks the first. */
	prediction: z.string().default(''),
	task: z.enum(['auto', 'classification', 'regression']).default('auto'),
	output: z.union([evaluationOutput, cellError]).nullable().default(null)
});

export const cell = z.discriminatedUnion('kind', [
	markdownCell,
	sqlCell,
	chartCell,
	trainCell,
	evaluateCell,
	predictCell,
	onnxCell
]);

export const notebook = z.object({
	id: z.string().min(1).max(64),
	title: z.string().max(200),
	cells: z.array(cell).max(500),
	createdAt: z.number(),
	updatedAt: z.number(),
	/** Soft delete, so the notebooks page can undo. */
	deletedAt: z.number().nullable().default(null)
});

export type Notebook = z.infer<typeof notebook>;
export type Cell = z.infer<typeof cell>;
export type CellKind = Cell['kind'];
export type MarkdownCell = z.infer<typeof markdownCell>;
export type SqlCell = z.infer<typeof sqlCell>;
export type ChartCell = z.infer<typeof chartCell>;
export type ChartSpec = z.infer<typeof chartSpec>;
export type TrainCell = z.infer<typeof trainCell>;
export type EvaluateCell = z.infer<typeof evaluateCell>;
export type PredictCell = z.infer<typeof predictCell>;
export type OnnxCell = z.infer<typeof onnxCell>;
export type EvaluationOutput = z.infer<typeof evaluationOutput>;
export type SqlOutput = z.infer<typeof sqlOutput>;
export type CellError = z.infer<typeof cellError>;
