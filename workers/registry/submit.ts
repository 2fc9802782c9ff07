import type { Mutation } from '../../src/lib/contract';
import { applyMutation, type ApplyOutcome } from './apply';
import type { MetricRowIn } from './plan-runs';

/**
 * The one entry for writes made by an HTTP request (/api/v1 and MLflow routes): each request is a new mutation
 * with a fresh id (no outbox retries it). Sync pushes call applyMutation with the browser's own id and sequence;
 * both reach the same contract check inside applyMutation.
 */
export const newMutationId = () => crypto.randomUUID().replaceAll('-', '');

export function submit(
	db: D1Database,
	workspaceId: string,
	mutation: Mutation,
	specialMetrics?: MetricRowIn[]
): Promise<ApplyOutcome> {
	return applyMutation({
		db,
		workspaceId,
		mutationId: newMutationId(),
		clientId: null,
		clientSeq: null,
		at: Date.now(),
		mutation,
		specialMetrics
	});
}
