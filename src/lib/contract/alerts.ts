import { z } from 'zod';

/**
 * Alert rules on a deployed model (docs/architecture.md, "Monitoring"): each is checked on the current window of its
 * model's log (drift share, one feature's drift, a metric floor or ceiling on labelled rows, the estimated accuracy,
 * the p99 latency, the share of requests answered with an error), fires at most once per cooldown per version, is kept in the alert history, and is optionally delivered
 * to a webhook signed with HMAC-SHA256 and retried.
 */

export const ALERT_KINDS = [
	'drift_share',
	'feature_drift',
	'metric_floor',
	'metric_ceiling',
	'estimated_floor',
	'latency_p99',
	'error_rate'
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Metrics a floor watches (higher is better) and a ceiling watches (lower is better). */
export const FLOOR_METRICS = ['accuracy', 'macroF1', 'auc'] as const;
export const CEILING_METRICS = ['mae', 'rmse'] as const;

const webhookSchema = z.strictObject({
	url: z
		.string()
		.max(2000)
		.refine((u) => {
			try {
				return ['http:', 'https:'].includes(new URL(u).protocol);
			} catch {
				return false;
			}
		}, 'a webhook url is an absolute http or https URL'),
	/** The HMAC key; at least 16 characters. It is never read back. */
	secret: z.string().min(16, 'a webhook secret has at least 16 characters').max(200)
});

export const alertRuleInputSchema = z
	.strictObject({
		name: z.string().trim().min(1, 'a rule needs a name').max(100),
		kind: z.enum(ALERT_KINDS),
		/** The level the rule compares with (a share, a metric, milliseconds or an error share, by kind). */
		threshold: z.number().finite().optional(),
		/** feature_drift: the feature watched (`__prediction__` for the prediction). */
		feature: z.string().min(1).max(200).optional(),
		/** metric_floor / metric_ceiling: the metric watched. */
		metric: z.enum([...FLOOR_METRICS, ...CEILING_METRICS]).optional(),
		/** error_rate: only server errors (5xx) or only refused requests (4xx); both when absent. */
		errors: z.enum(['server', 'client']).optional(),
		/** Only this version; every version apart when absent. */
		version: z.number().int().positive().optional(),
		window: z.enum(['hour', 'day']).default('hour'),
		/** No second firing for the same rule and version within this long (default an hour). */
		cooldownMs: z
			.number()
			.int()
			.min(0)
			.max(30 * 86_400_000)
			.default(3_600_000),
		/** A window with fewer predictions (labelled rows for a metric, requests for error_rate) is not judged. */
		minRows: z.number().int().min(1).max(1_000_000).default(30),
		webhook: webhookSchema.optional(),
		/** Open a retraining task for the model when the rule fires (one open task per model: a second firing joins it). */
		retrain: z.boolean().default(false)
	})
	.superRefine((r, ctx) => {
		const need = (ok: boolean, path: string, message: string) =>
			ok || ctx.addIssue({ code: 'custom', path: [path], message });
		if (r.kind !== 'feature_drift')
			need(r.threshold !== undefined, 'threshold', `a ${r.kind} rule needs a threshold`);
		if (r.kind === 'feature_drift') need(!!r.feature, 'feature', 'a feature_drift rule names its feature');
		if (r.kind === 'metric_floor')
			need(
				(FLOOR_METRICS as readonly string[]).includes(r.metric ?? ''),
				'metric',
				`a metric_floor rule watches one of ${FLOOR_METRICS.join(', ')}`
			);
		if (r.kind === 'metric_ceiling')
			need(
				(CEILING_METRICS as readonly string[]).includes(r.metric ?? ''),
				'metric',
				`a metric_ceiling rule watches one of ${CEILING_METRICS.join(', ')}`
			);
		if (r.errors !== undefined)
			need(r.kind === 'error_rate', 'errors', 'only an error_rate rule counts errors');
		const share = ['drift_share', 'estimated_floor', 'metric_floor', 'error_rate'].includes(r.kind);
		if (share && r.threshold !== undefined)
			need(r.threshold >= 0 && r.threshold <= 1, 'threshold', `a ${r.kind} threshold is a share from 0 to 1`);
		if ((r.kind === 'latency_p99' || r.kind === 'metric_ceiling') && r.threshold !== undefined)
			need(r.threshold >= 0, 'threshold', `a ${r.kind} threshold is not negative`);
	});
export type AlertRuleInput = z.input<typeof alertRuleInputSchema>;

export interface AlertRule extends Omit<z.output<typeof alertRuleInputSchema>, 'webhook'> {
	id: string;
	model: string;
	createdAt: number;
	/** The webhook's url; its secret is never read back. */
	webhook: { url: string } | null;
}

export interface AlertDelivery {
	attempt: number;
	at: number;
	/** The endpoint's status code, or null when it could not be reached. */
	status: number | null;
	error: string | null;
}

export interface AlertEvent {
	id: string;
	ruleId: string;
	ruleName: string;
	kind: AlertKind;
	model: string;
	version: number;
	windowStart: number;
	windowMs: number;
	/** What was measured, and the rule's level. */
	value: number;
	threshold: number | null;
	message: string;
	firedAt: number;
	/** The retraining task the firing opened or joined (a rule with `retrain`). */
	retrainTaskId?: string;
	/** pending (being retried), delivered, failed (attempts spent), or none (no webhook). */
	delivery: 'none' | 'pending' | 'delivered' | 'failed';
	deliveries: AlertDelivery[];
}

/** The webhook's body. Its signature: header x-edgebook-signature `t=<ms>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export interface AlertWebhookBody {
	type: 'alert.fired';
	event: Omit<AlertEvent, 'delivery' | 'deliveries'>;
}
