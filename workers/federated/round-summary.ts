import type { FedJobCreate, FedRoundView } from '../../src/lib/contract';

/** One sampled client's row for a round, as the job's SQLite holds it. */
export type SampledRow = {
	client: string;
	done: number;
	examples: number | null;
	train_loss: number | null;
	eval_loss: number | null;
	eval_acc: number | null;
	clipped: number;
};

/**
 * A finished round's figures: the view the job answers and the metrics its child run records (clients sampled,
 * completed, dropped; examples; the example-weighted means of the clients' training loss and of their evaluation of
 * the previous global model on their hold-outs; ε spent).
 */
export function summarizeRound(
	round: number,
	settings: FedJobCreate,
	rows: SampledRow[],
	done: SampledRow[],
	epsilon: number | null,
	clipNorm: number | null
): { view: Omit<FedRoundView, 'version' | 'runId'>; metrics: Record<string, number> } {
	const examples = done.reduce((a, r) => a + (r.examples ?? 0), 0);
	const mean = (key: 'train_loss' | 'eval_loss' | 'eval_acc') => {
		const have = done.filter((r) => r[key] !== null);
		const w = have.reduce((a, r) => a + (r.examples ?? 0), 0);
		return have.length && w ? have.reduce((a, r) => a + r[key]! * (r.examples ?? 0), 0) / w : null;
	};
	const view: Omit<FedRoundView, 'version' | 'runId'> = {
		round,
		sampled: rows.length,
		completed: done.length,
		dropped: rows.length - done.length,
		examples,
		trainLoss: mean('train_loss'),
		evalLoss: mean('eval_loss'),
		evalAccuracy: mean('eval_acc'),
		clipped: done.filter((r) => r.clipped).length,
		clipNorm,
		epsilon
	};
	const metrics: Record<string, number> = {
		clients_sampled: view.sampled,
		clients_completed: view.completed,
		clients_dropped: view.dropped,
		examples
	};
	if (view.trainLoss !== null) metrics.train_loss = view.trainLoss;
	if (view.evalLoss !== null) metrics.eval_loss_previous_global = view.evalLoss;
	if (view.evalAccuracy !== null) metrics.eval_accuracy_previous_global = view.evalAccuracy;
	if (settings.clipNorm !== undefined) metrics.clients_clipped = view.clipped;
	if (clipNorm !== null) metrics.clip_norm = clipNorm;
	if (epsilon !== null && Number.isFinite(epsilon)) metrics.epsilon = epsilon;
	return { view, metrics };
}
