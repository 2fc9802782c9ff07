import { decodeRegression } from './preprocess';
import type { Preprocessing } from './types';

/** A predictions column, in the shape the data worker inserts as Arrow (numbers as Float64Array). */
export interface PredictionColumn {
	name: string;
	values: Float64Array | string[];
}

/**
 * Turn a model's raw outputs into table columns: `predicted` (the label, or the value in the target's units)
 * and, for a classifier, one `prob_<class>` per class. The label is the first class with the highest
 * probability, the same rule the evaluation report scores by, so a predictions table agrees with it.
 */
export function predictionColumns(
	prep: Preprocessing,
	values: Float32Array,
	rows: number
): PredictionColumn[] {
	const target = prep.target;
	if (target.task === 'regression') {
		return [{ name: 'predicted', values: Float64Array.from(decodeRegression(prep, values)) }];
	}
	const classes = target.classes;
	const k = classes.length;
	const sigmoid = k === 2 && values.length === rows;
	if (!sigmoid && values.length !== rows * k)
		throw new RangeError(`The model gave ${values.length} outputs for ${rows} rows of ${k} classes.`);
	const probs = classes.map(() => new Float64Array(rows));
	const predicted: string[] = new Array(rows);
	for (let i = 0; i < rows; i++) {
		let best = 0;
		for (let c = 0; c < k; c++) {
			const p = sigmoid ? (c === 1 ? values[i] : 1 - values[i]) : values[i * k + c];
			probs[c][i] = p;
			if (p > probs[best][i]) best = c;
		}
		predicted[i] = classes[best];
	}
	return [
		{ name: 'predicted', values: predicted },
		...classes.map((c, j) => ({ name: `prob_${c}`, values: probs[j] }))
	];
}
