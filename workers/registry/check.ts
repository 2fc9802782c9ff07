import { z } from 'zod';
import {
	LIMITS,
	epochMs,
	keySchema,
	mutationSchema,
	parseTraffic,
	trafficTag,
	type Mutation
} from '../../src/lib/contract';
import type { MetricRowIn } from './plan-runs';

/**
 * The contract check every write passes, inside the one write path (applyMutation), so no door can skip it.
 * MLflow's NaN and ±Infinity points travel beside the mutation (the wire schema is finite only); they meet the
 * same key, step and timestamp rules as finite ones.
 */

const specialRow = z.strictObject({
	key: keySchema,
	value: z.number().refine(Number.isFinite).nullable(),
	special: z.enum(['NaN', 'Infinity', '-Infinity']).nullable(),
	step: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
	timestamp: epochMs
});

export interface Refusal {
	status: 400;
	code: 'invalid_request';
	message: string;
	details: { path: string };
}

function refusal(where: string, issue: z.core.$ZodIssue): Refusal {
	const path = [where, ...issue.path.map(String)].filter(Boolean).join('.');
	const field = issue.path.findLast((p) => typeof p === 'string');
	return {
		status: 400,
		code: 'invalid_request',
		message: `Invalid ${typeof field === 'string' ? `${field} ` : ''}value at ${path || 'mutation'}: ${issue.message}`,
		details: { path }
	};
}

/** Null when the mutation (and its special metric rows) may be applied; otherwise a 400 naming the field. */
export function checkMutation(m: unknown, special?: MetricRowIn[]): Refusal | null {
	const checked = mutationSchema.safeParse(m);
	if (!checked.success) return refusal('', checked.error.issues[0]);
	const traffic = trafficRefusal(checked.data);
	if (traffic) return traffic;
	if (special === undefined) return null;
	if ((m as Mutation).type !== 'run.log')
		return {
			status: 400,
			code: 'invalid_request',
			message: 'Only run.log carries metric rows.',
			details: { path: 'metrics' }
		};
	const rows = z.array(specialRow).max(LIMITS.metricsPerBatch).safeParse(special);
	if (!rows.success) return refusal('metrics', rows.error.issues[0]);
	if (rows.data.some((r) => (r.value === null) === (r.special === null)))
		return {
			status: 400,
			code: 'invalid_request',
			message: 'Each metric point has either a finite value or a special one (NaN, Infinity, -Infinity).',
			details: { path: 'metrics' }
		};
	return null;
}

/**
 * An alias's traffic split is a model tag the serving path reads (docs/architecture.md, "Canary and shadow"):
 * whichever door writes it (sync, MLflow's set-tag), its value must be a split the contract describes.
 */
function trafficRefusal(m: Mutation): Refusal | null {
	if (m.type !== 'model.tag.set' || !m.key.startsWith(trafficTag(''))) return null;
	if (parseTraffic(m.value)) return null;
	return {
		status: 400,
		code: 'invalid_request',
		message: `Invalid value at value: "${m.key}" holds an alias's traffic split, JSON such as {"canary": {"version": 2, "percent": 10}} or {"shadow": {"version": 2}}.`,
		details: { path: 'value' }
	};
}
