import { trainConfig, type TrainConfig } from '$lib/notebook/schema';
import { mulberry32, deriveSeed } from '../ml/random';
import { ConfigError } from './model-spec';

/** A dimension of a search space: a list of values, or a numeric range (random search only). */
type Dimension = unknown[] | { min: number; max: number; log?: boolean };

/** Names a sweep may vary: the train cell's own settings, nothing else. */
const SWEEPABLE = [
	'learningRate',
	'layers',
	'dropout',
	'batchSize',
	'epochs',
	'optimizer',
	'activation',
	'momentum',
	'model',
	'seed'
] as const;

export function parseSpace(text: string): Record<string, Dimension> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (e) {
		throw new ConfigError(`The sweep space is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new ConfigError('The sweep space must be an object such as {"learningRate": [0.01, 0.001]}.');
	}
	const space = parsed as Record<string, unknown>;
	for (const [key, dim] of Object.entries(space)) {
		if (!(SWEEPABLE as readonly string[]).includes(key)) {
			throw new ConfigError(`The sweep cannot vary "${key}"; it can vary ${SWEEPABLE.join(', ')}.`);
		}
		const isRange = dim && typeof dim === 'object' && !Array.isArray(dim) && 'min' in dim && 'max' in dim;
		if (!(Array.isArray(dim) && dim.length > 0) && !isRange) {
			throw new ConfigError(`"${key}" needs a non-empty list of values or {"min": …, "max": …}.`);
		}
	}
	if (Object.keys(space).length === 0) throw new ConfigError('The sweep space is empty.');
	return space as Record<string, Dimension>;
}

/**
 * The trial configurations of a sweep: the full product for a grid (capped at `limit`), or `trials` seeded draws
 * for a random search. Each trial is validated as a whole train configuration, so a bad value is named up front.
 */
export function expandSweep(base: TrainConfig, limit = 200): TrainConfig[] {
	const { mode, trials, space: text } = base.sweep;
	if (mode === 'off') return [base];
	const space = parseSpace(text);
	const keys = Object.keys(space);
	let combos: Record<string, unknown>[];
	if (mode === 'grid') {
		const lists = keys.map((k) => {
			const d = space[k];
			if (!Array.isArray(d)) throw new ConfigError(`A grid needs a list of values for "${k}", not a range.`);
			return d;
		});
		const size = lists.reduce((n, l) => n * l.length, 1);
		if (size > limit) throw new ConfigError(`The grid has ${size} trials; the limit is ${limit}.`);
		combos = [{}];
		keys.forEach((k, i) => (combos = combos.flatMap((c) => lists[i].map((v) => ({ ...c, [k]: v })))));
	} else {
		const rng = mulberry32(deriveSeed(base.seed, 7));
		combos = Array.from({ length: trials }, () =>
			Object.fromEntries(
				keys.map((k) => {
					const d = space[k];
					if (Array.isArray(d)) return [k, d[Math.floor(rng() * d.length)]];
					const u = rng();
					const v = d.log
						? Math.exp(Math.log(d.min) + u * (Math.log(d.max) - Math.log(d.min)))
						: d.min + u * (d.max - d.min);
					return [k, Number(v.toPrecision(4))];
				})
			)
		);
	}
	return combos.map((combo, i) => {
		const parsed = trainConfig.safeParse({ ...base, ...combo, sweep: { ...base.sweep, mode: 'off' } });
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			throw new ConfigError(
				`Trial ${i + 1} (${JSON.stringify(combo)}): ${issue.path.join('.')} ${issue.message}.`
			);
		}
		return parsed.data;
	});
}
