/**
 * A model version's reference profile (docs/architecture.md, "Monitoring"): the raw columns the model reads, profiled
 * over the training split, and its predictions over the test split under PREDICTION_FEATURE. It is what production
 * windows are compared with, so it profiles what the prediction log records: the request's raw values (before the
 * model's own transforms and encoding) and the answer's label or value.
 */
import { decodeRegression } from '../preprocess';
import {
	CategoricalProfile,
	DatasetProfile,
	PREDICTION_FEATURE,
	ProfileError,
	profileDataset,
	type DatasetProfileJSON,
	type FeatureProfile
} from '../profile';
import { mulberry32, randomInt } from '../random';
import { rawInputs } from '../transforms';
import type { Frame, Preprocessing } from '../types';

/** The run artifact that carries it (JSON of DatasetProfile.toJSON()). */
export const REFERENCE_ARTIFACT = 'reference-profile.json';

export interface ReferenceInputs {
	prep: Preprocessing;
	/** The table the model trained on, and the rows of its training split. */
	frame: Frame;
	trainRows: ArrayLike<number>;
	/** The model's outputs on the test split: rows × outputs, row-major (probabilities, or a standardised value). */
	testOutputs?: { values: Float32Array; rows: number };
	seed?: number;
}

/**
 * The predicted class (the argmax, ties to the first, as metrics.ts and the edge decide it; a binary model's single
 * sigmoid output is class 1 above 0.5) or the value in the target's units, per test row.
 */
export function predictionValues(
	prep: Preprocessing,
	outputs: Float32Array,
	rows: number
): (string | number)[] {
	if (prep.target.task === 'regression') return Array.from(decodeRegression(prep, outputs.subarray(0, rows)));
	const classes = prep.target.classes;
	const k = classes.length;
	const sigmoid = k === 2 && outputs.length === rows;
	const out: string[] = [];
	for (let r = 0; r < rows; r++) {
		let best = 0;
		if (sigmoid) best = outputs[r] > 1 - outputs[r] ? 1 : 0;
		else for (let j = 1; j < k; j++) if (outputs[r * k + j] > outputs[r * k + best]) best = j;
		out.push(String(classes[best]));
	}
	return out;
}

/**
 * A version's reference: its inputs over the training split and its prediction over the test split. Two profiles,
 * since each profile's features count the same rows; `features` is what windows are shaped by and compared with.
 */
export class ReferenceProfile {
	constructor(
		readonly inputs: DatasetProfile,
		readonly prediction: DatasetProfile | null
	) {}

	get features(): Map<string, FeatureProfile> {
		const all = new Map(this.inputs.features);
		for (const [name, p] of this.prediction?.features ?? []) all.set(name, p);
		return all;
	}

	toJSON(): ReferenceProfileJSON {
		return { version: 1, inputs: this.inputs.toJSON(), prediction: this.prediction?.toJSON() ?? null };
	}

	/** Reads a stored reference; a damaged or foreign one is a ProfileError naming what is wrong. */
	static fromJSON(json: unknown): ReferenceProfile {
		const j = json as Partial<ReferenceProfileJSON> | null;
		if (!j || typeof j !== 'object' || j.version !== 1 || !j.inputs)
			throw new ProfileError('a reference profile is {version: 1, inputs, prediction}');
		const prediction = j.prediction ? DatasetProfile.fromJSON(j.prediction) : null;
		if (prediction && (prediction.features.size !== 1 || !prediction.features.has(PREDICTION_FEATURE)))
			throw new ProfileError(`a reference's prediction profile holds only ${PREDICTION_FEATURE}`);
		return new ReferenceProfile(DatasetProfile.fromJSON(j.inputs), prediction);
	}
}

export interface ReferenceProfileJSON {
	version: 1;
	inputs: DatasetProfileJSON;
	prediction: DatasetProfileJSON | null;
}

/**
 * The reference profile. Numeric and categorical raw inputs are profiled; a date or time column is left out (the
 * log holds it as text, and its drift is the calendar's), as is a raw input the frame lacks.
 */
export function referenceProfile(o: ReferenceInputs): ReferenceProfile {
	return new ReferenceProfile(
		inputsProfile(o),
		o.testOutputs ? predictionProfile(o.prep, o.testOutputs.values, o.testOutputs.rows) : null
	);
}

/**
 * Training rows a reference profiles at most: a seeded uniform sample beyond it. Profiling costs ~0.36 s per million
 * values of a feature (KLL updates and the edges' sort), so 1M rows × 20 features would add ~7 s to a train cell;
 * 100,000 rows add ~0.7 s, and a sample that size moves an empirical CDF by about 0.4 % (DKW at 99 %: 0.5 %), under
 * the sketch's own 1.3 %. Every drift test's small/large split (1,000 rows) is unaffected.
 */
export const REFERENCE_SAMPLE = 100_000;

/** `rows` itself when small enough, else REFERENCE_SAMPLE of them chosen uniformly (a partial Fisher–Yates), sorted. */
export function sampleRows(
	rows: ArrayLike<number>,
	seed: number,
	limit = REFERENCE_SAMPLE
): ArrayLike<number> {
	if (rows.length <= limit) return rows;
	const pick = Uint32Array.from(rows);
	const rng = mulberry32(seed);
	for (let i = 0; i < limit; i++) {
		const j = i + randomInt(rng, pick.length - i);
		const t = pick[i];
		pick[i] = pick[j];
		pick[j] = t;
	}
	return pick.subarray(0, limit).sort();
}

/** The inputs' part: the training split's raw values of the columns the model reads (sampled past REFERENCE_SAMPLE). */
export function inputsProfile(o: Omit<ReferenceInputs, 'testOutputs'>): DatasetProfile {
	const trainRows = sampleRows(o.trainRows, o.seed ?? 0);
	const columns: Record<string, ArrayLike<unknown>> = {};
	const kinds: Record<string, 'numeric' | 'categorical'> = {};
	for (const [name, kind] of rawInputs(o.prep)) {
		if (kind === 'temporal') continue;
		const col = o.frame.columns.find((c) => c.name === name);
		if (!col) continue;
		const picked: unknown[] = new Array(trainRows.length);
		for (let i = 0; i < trainRows.length; i++) picked[i] = col.values[trainRows[i]];
		columns[name] = picked;
		kinds[name] = col.kind;
	}
	return profileDataset(columns, { kinds, seed: o.seed ?? 0 });
}

/** The prediction's part: the model's answers on the test split. */
export function predictionProfile(
	prep: Preprocessing,
	testOutputs: Float32Array,
	rows: number
): DatasetProfile {
	const predicted = predictionValues(prep, testOutputs, rows);
	const kind = prep.target.task === 'regression' ? 'numeric' : 'categorical';
	return profileDataset({ [PREDICTION_FEATURE]: predicted }, { kinds: { [PREDICTION_FEATURE]: kind } });
}

/** Rows a feature's reference was built from (values and nulls): the prediction's are the test split's. */
export function referenceRows(p: FeatureProfile): number {
	return p instanceof CategoricalProfile ? p.count + p.nulls : p.sketch.n + p.nulls;
}
