import type { PredictionRecord } from '../../src/lib/contract';

/**
 * What a logged prediction needs for live performance, kept in the model's log object as rows arrive (never read
 * back from the log): a classifier's label and probabilities, or a regressor's value. Outputs of another shape
 * (a raw graph's tensors) have nothing a label can be compared with.
 */
export type Outcome = {
	id: string;
	at: number;
	version: number;
	route: PredictionRecord['route'];
	/** A shadow row's label is its answered row's. */
	shadowOf: string | null;
} & (
	| { kind: 'class'; predicted: string; probabilities: Record<string, number> | null }
	| { kind: 'value'; value: number }
	| { kind: 'none' }
);

const isRecord = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

export function outcomeOf(r: PredictionRecord): Outcome {
	const base = { id: r.id, at: r.at, version: r.version, route: r.route, shadowOf: r.shadowOf ?? null };
	const out = r.outputs;
	if (typeof out === 'number' && Number.isFinite(out)) return { ...base, kind: 'value', value: out };
	if (isRecord(out)) {
		if (typeof out.label === 'string' || typeof out.label === 'number') {
			const probs = isRecord(out.probabilities)
				? Object.fromEntries(
						Object.entries(out.probabilities).filter((e): e is [string, number] => typeof e[1] === 'number')
					)
				: null;
			return { ...base, kind: 'class', predicted: String(out.label), probabilities: probs };
		}
		if (typeof out.value === 'number' && Number.isFinite(out.value))
			return { ...base, kind: 'value', value: out.value };
	}
	return { ...base, kind: 'none' };
}
