import type { ClassPrediction, RegressionPrediction } from '../../src/lib/contract';
import { decodeRegression } from '../../src/lib/ml/preprocess';
import type { Preprocessing } from '../../src/lib/ml/types';
import { InvalidModel } from '../domain/errors';

/**
 * The graph's `output` [N, K] → predictions, by the serving contract: classification K = number of classes
 * (probabilities), or K = 1 for a sigmoid binary head (P(classes[1])); regression [N, 1] standardised, undone with
 * the app's `decodeRegression`. The label is the most probable class, the first on a tie, as the app's own
 * evaluation (metrics.ts) decides, so the edge and the notebook never disagree on a row.
 */

export type Prediction = ClassPrediction | RegressionPrediction;

const shapeError = (message: string, details: unknown) =>
	new InvalidModel({
		message: `${message} Export the version again: the graph must map features [N, F] to output [N, K].`,
		details
	});

export function decodePredictions(
	prep: Preprocessing,
	output: { data: Float32Array; dims: readonly number[] },
	rows: number
): Prediction[] {
	const { data, dims } = output;
	const k = dims.length === 2 && dims[0] === rows ? dims[1] : -1;
	const target = prep.target;
	if (target.task === 'regression') {
		if (k !== 1) throw shapeError(`A regression graph must output [${rows}, 1], not [${dims}].`, { dims });
		return Array.from(decodeRegression(prep, data), (value) => ({ value }));
	}
	const classes = target.classes;
	const sigmoid = classes.length === 2 && k === 1;
	if (!sigmoid && k !== classes.length)
		throw shapeError(`The graph outputs [${dims}] but the target has ${classes.length} classes.`, {
			dims,
			classes
		});
	const score = sigmoid
		? (i: number, c: number) => (c === 1 ? data[i] : 1 - data[i])
		: (i: number, c: number) => data[i * k + c];
	return Array.from({ length: rows }, (_, i) => {
		let best = 0;
		const probabilities: Record<string, number> = {};
		classes.forEach((label, c) => {
			probabilities[label] = score(i, c);
			if (score(i, c) > score(i, best)) best = c;
		});
		return { label: classes[best], probabilities };
	});
}
