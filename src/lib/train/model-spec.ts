import type { TrainConfig } from '$lib/notebook/schema';
import type { ModelSpec, TrainParams } from '../ml/types';

export class ConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ConfigError';
	}
}

/** "64, 32" → [64, 32]; refuses anything that is not a list of positive integers, naming the bad part. */
export function parseLayers(text: string, what = 'layers'): number[] {
	const parts = text
		.split(',')
		.map((p) => p.trim())
		.filter(Boolean);
	return parts.map((p) => {
		const n = Number(p);
		if (!Number.isInteger(n) || n < 1 || n > 4096) {
			throw new ConfigError(`${what}: "${p}" is not a whole number between 1 and 4096 (write e.g. "64,32").`);
		}
		return n;
	});
}

/** "28x28x1" → { height: 28, width: 28, channels: 1 } */
export function parseImage(text: string): { height: number; width: number; channels: number } {
	const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*(?:[x×]\s*(\d+))?\s*$/i.exec(text);
	if (!m) throw new ConfigError(`image shape "${text}" should read height x width x channels, e.g. 28x28x1.`);
	const [height, width, channels] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 1)];
	if (!height || !width || !channels) throw new ConfigError(`image shape "${text}" has a zero dimension.`);
	return { height, width, channels };
}

/** The model the train cell's form describes. */
export function modelSpec(c: TrainConfig): ModelSpec {
	switch (c.model) {
		case 'linear':
			return { kind: 'linear' };
		case 'mlp':
			return {
				kind: 'mlp',
				layers: parseLayers(c.layers).map((units) => ({ units, activation: c.activation })),
				dropout: c.dropout
			};
		case 'cnn':
			return {
				kind: 'cnn',
				image: parseImage(c.image),
				filters: parseLayers(c.layers, 'filters'),
				kernel: 3,
				dense: 64,
				dropout: c.dropout
			};
	}
}

export function trainParams(c: TrainConfig): TrainParams {
	return {
		optimizer: c.optimizer,
		learningRate: c.learningRate,
		momentum: c.momentum,
		batchSize: c.batchSize,
		epochs: c.epochs,
		patience: c.patience,
		seed: c.seed
	};
}

/** MLflow caps a param value at 6,000 characters (src/lib/contract/limits.ts); a wide table's list is cut there. */
const PARAM_MAX = 6000;

function featureList(features: string[]): string {
	const all = features.join(',');
	if (all.length <= PARAM_MAX) return all;
	const tail = ` … and more (${features.length} in all; preprocessing.json lists them)`;
	return all.slice(0, all.lastIndexOf(',', PARAM_MAX - tail.length)) + tail;
}

/** A run's params, MLflow style: flat string values (immutable once logged). */
export function runParams(c: TrainConfig, task: string, features: string[]): Record<string, string> {
	const p: Record<string, string> = {
		source: c.source,
		target: c.target,
		features: featureList(features),
		task,
		model: c.model,
		optimizer: c.optimizer,
		learning_rate: String(c.learningRate),
		batch_size: String(c.batchSize),
		epochs: String(c.epochs),
		patience: String(c.patience),
		seed: String(c.seed),
		backend_preference: c.backend,
		validation_fraction: String(c.validation),
		split: c.split
	};
	// A table split tests on another table, so its test fraction means nothing and is not recorded.
	if (c.split === 'table') p.test_table = c.testTable;
	else p.test_fraction = String(c.test);
	if (c.split === 'time' || c.split === 'group') p.split_column = c.splitColumn;
	if (c.model !== 'linear') Object.assign(p, { layers: c.layers, dropout: String(c.dropout) });
	if (c.model === 'mlp') p.activation = c.activation;
	if (c.model === 'cnn') p.image = c.image;
	if (c.optimizer === 'sgd') p.momentum = String(c.momentum);
	// The declared transforms, as typed (one per line joined by "; "), so two runs differing only there compare.
	const transforms = c.transforms
		.split('\n')
		.map((l) => l.replace(/#.*$/, '').trim())
		.filter(Boolean);
	if (transforms.length) p.transforms = transforms.join('; ');
	return p;
}
