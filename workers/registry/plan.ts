/**
 * A mutation is applied in two steps: plan (read what it depends on, decide) and commit (one D1 batch, which is
 * one transaction, with the mutation's own log row). A planner never writes.
 */
export type Plan =
	| {
			kind: 'write';
			statements: D1PreparedStatement[];
			result: Record<string, unknown> | null;
			/** A SQL expression for the result when only the batch knows it (a version number it assigned). */
			resultSql?: { expr: string; params: unknown[] };
	  }
	/** `status` is what the mutations log keeps beside the code; the doors answer by the code (domain errors). */
	| { kind: 'reject'; status: 400 | 403 | 404 | 409; code: string; message: string; details?: unknown };

export interface PlanContext {
	db: D1Database;
	workspaceId: string;
	/** Server time, epoch ms. */
	now: number;
	/** When the client made the mutation (epoch ms); used where the mutation carries no time of its own. */
	at: number;
	/**
	 * HTTP and MLflow creates are strict: an existing name is a conflict. A browser's sync push is not: two
	 * browsers creating the same name offline meet in one object (create-if-missing).
	 */
	strict: boolean;
}

export const write = (
	statements: D1PreparedStatement[],
	result: Record<string, unknown> | null = null
): Plan => ({
	kind: 'write',
	statements,
	result
});

export const notFound = (message: string, details?: unknown): Plan => ({
	kind: 'reject',
	status: 404,
	code: 'not_found',
	message,
	details
});

export const conflict = (message: string, details?: unknown): Plan => ({
	kind: 'reject',
	status: 409,
	code: 'conflict',
	message,
	details
});

export const invalid = (message: string, details?: unknown): Plan => ({
	kind: 'reject',
	status: 400,
	code: 'invalid_request',
	message,
	details
});
