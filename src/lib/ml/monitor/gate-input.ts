/**
 * Input checks for the promotion gate (issue 13, "Continuous training"). A gate decides whether a retrained model
 * replaces the one in production, so a hold-out that is empty, misaligned or holds a NaN must be refused by name:
 * a NaN prediction would otherwise count as "wrong" for accuracy and as NaN for MAE, and either can silently read
 * as "keep the champion" (or worse, as "promote").
 */

/** Thrown for any input the gate refuses; the message names the argument and what is wrong. */
export class GateInputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'GateInputError';
	}
}

/** The metrics the gate compares. accuracy and macroF1 read predicted labels; mae and rmse predicted values. */
export type GateMetric = 'accuracy' | 'macroF1' | 'mae' | 'rmse';

export const GATE_METRICS: readonly GateMetric[] = ['accuracy', 'macroF1', 'mae', 'rmse'];

/** Metrics where a lower value is better: their difference is champion − challenger, so positive still means better. */
export function lowerIsBetter(metric: GateMetric): boolean {
	return metric === 'mae' || metric === 'rmse';
}

export function checkMetric(metric: unknown, what: string): GateMetric {
	if (!GATE_METRICS.includes(metric as GateMetric))
		throw new GateInputError(
			`${what}: metric must be one of ${GATE_METRICS.join(', ')}, got ${String(metric)}`
		);
	return metric as GateMetric;
}

export function checkArray(xs: unknown, what: string): ArrayLike<unknown> {
	if (xs == null || typeof xs !== 'object' || typeof (xs as ArrayLike<unknown>).length !== 'number')
		throw new GateInputError(`${what} must be an array`);
	return xs as ArrayLike<unknown>;
}

/** Same length, not empty: a paired comparison needs both models' answers on every hold-out row. */
export function checkPaired(named: Record<string, unknown>, what: string): number {
	const entries = Object.entries(named).map(
		([name, xs]) => [name, checkArray(xs, `${what}: ${name}`)] as const
	);
	const [firstName, first] = entries[0];
	for (const [name, xs] of entries.slice(1))
		if (xs.length !== first.length)
			throw new GateInputError(
				`${what}: ${firstName} has ${first.length} rows but ${name} has ${xs.length}; both models must be scored on the same hold-out rows`
			);
	if (first.length === 0) throw new GateInputError(`${what}: the hold-out is empty`);
	return first.length;
}

/** A copy of `xs` as float64, refusing anything that is not a finite number (NaN, ±Infinity, null, strings). */
export function finiteColumn(xs: ArrayLike<unknown>, what: string): Float64Array {
	const out = new Float64Array(xs.length);
	for (let i = 0; i < xs.length; i++) {
		const x = xs[i];
		if (typeof x !== 'number' || !Number.isFinite(x))
			throw new GateInputError(`${what} must hold finite numbers, got ${String(x)} at row ${i}`);
		out[i] = x;
	}
	return out;
}

/** Class indices: integers ≥ 0 (below `classes` when it is given), as the kernel encodes labels. */
export function labelColumn(xs: ArrayLike<unknown>, what: string, classes?: number): Int32Array {
	const out = new Int32Array(xs.length);
	for (let i = 0; i < xs.length; i++) {
		const x = xs[i];
		if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 0x7fffffff)
			throw new GateInputError(
				`${what} must hold class indices (integers ≥ 0), got ${String(x)} at row ${i}`
			);
		if (classes !== undefined && x >= classes)
			throw new GateInputError(`${what} has class ${x} at row ${i}, outside 0…${classes - 1}`);
		out[i] = x;
	}
	return out;
}

/** A correct/incorrect flag per row: true/false or 1/0, nothing else (a 2 or a NaN is a caller's bug). */
export function flagColumn(xs: ArrayLike<unknown>, what: string): Uint8Array {
	const out = new Uint8Array(xs.length);
	for (let i = 0; i < xs.length; i++) {
		const x = xs[i];
		if (x === true || x === 1) out[i] = 1;
		else if (!(x === false || x === 0))
			throw new GateInputError(`${what} must hold true/false or 1/0, got ${String(x)} at row ${i}`);
	}
	return out;
}

/** A confidence level strictly between 0 and 1 (0.95 → a 95 % interval, McNemar at p < 0.05). */
export function checkConfidence(confidence: unknown, what: string): number {
	if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1))
		throw new GateInputError(
			`${what}: confidence must be a number strictly between 0 and 1, got ${String(confidence)}`
		);
	return confidence;
}
