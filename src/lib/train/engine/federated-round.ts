import { encode } from '../../ml/preprocess';
import { split } from '../../ml/split';
import type { Encoded, ModelSpec, Preprocessing, Task, TrainParams } from '../../ml/types';
import { frameOf, labelled } from './prepared';

/**
 * A federated participant's round, the data half, in the train worker: the local table encoded with the job's
 * preprocessing (the parent version's), its labelled rows split into a training set and a hold-out (seeded per
 * client), and the previous global model's loss on the hold-out, which the round reports. The fit itself is the
 * training session (session.ts) from the global weights, with FedProx's μ.
 */

export interface FederatedRoundRequest {
	frame: string;
	prep: Preprocessing;
	spec: ModelSpec;
	/** The parent version's model.json: the global weights are scored with it before training. */
	modelJson: string;
	/** The round's global weights (float32 bytes, the model's weight order). */
	global: ArrayBuffer;
	localEpochs: number;
	batchSize: number;
	learningRate: number;
	mu: number;
	seed: number;
	/** Share of the local rows held out to evaluate the previous global model on. */
	holdout: number;
}

export interface FederatedSets {
	train: Encoded;
	holdout: Encoded;
	task: Task;
	classes: number;
	params: TrainParams;
}

function take(e: Encoded, rows: Uint32Array): Encoded {
	const x = new Float32Array(rows.length * e.width);
	const y = new Float32Array(rows.length);
	rows.forEach((r, i) => {
		x.set(e.x.subarray(r * e.width, (r + 1) * e.width), i * e.width);
		y[i] = e.y[r];
	});
	return { x, y, rows: rows.length, width: e.width };
}

export function federatedSets(req: FederatedRoundRequest): FederatedSets {
	const all = labelled(encode(req.prep, frameOf(req.frame)));
	if (all.rows < 2)
		throw Object.assign(
			new Error(`The local table has ${all.rows} labelled row(s); a round needs at least 2.`),
			{
				name: 'NotEnoughRows'
			}
		);
	const s = split({
		rows: all.rows,
		seed: req.seed,
		fractions: { train: 1 - req.holdout, validation: 0, test: req.holdout }
	});
	const target = req.prep.target;
	return {
		train: take(all, s.train),
		holdout: take(all, s.test),
		task: target.task,
		classes: target.task === 'regression' ? 0 : target.classes.length,
		// McMahan et al.'s clients: plain SGD at the job's learning rate, every local epoch run (no early stopping).
		params: {
			optimizer: 'sgd',
			learningRate: req.learningRate,
			momentum: 0,
			batchSize: req.batchSize,
			epochs: req.localEpochs,
			patience: 0,
			seed: req.seed
		}
	};
}

/**
 * The model's outputs on a set → its mean loss (cross-entropy for classes, squared error in the target's
 * standardised units for regression) and accuracy. Outputs are rows × K probabilities, or rows × 1 (sigmoid or value).
 */
export function evaluation(
	set: Encoded,
	outputs: Float32Array,
	task: Task
): { loss: number; accuracy: number | null } {
	const n = set.rows;
	if (n === 0) return { loss: NaN, accuracy: null };
	const k = outputs.length / n;
	const eps = 1e-7;
	let loss = 0;
	let right = 0;
	for (let i = 0; i < n; i++) {
		const y = set.y[i];
		if (task === 'regression') {
			loss += (outputs[i] - y) ** 2;
			continue;
		}
		if (k === 1) {
			const p = Math.min(1 - eps, Math.max(eps, outputs[i]));
			loss -= y === 1 ? Math.log(p) : Math.log(1 - p);
			if ((p >= 0.5 ? 1 : 0) === y) right++;
			continue;
		}
		let best = 0;
		for (let c = 1; c < k; c++) if (outputs[i * k + c] > outputs[i * k + best]) best = c;
		loss -= Math.log(Math.max(eps, outputs[i * k + y]));
		if (best === y) right++;
	}
	return { loss: loss / n, accuracy: task === 'regression' ? null : right / n };
}
