import type { Mutation } from '../../src/lib/contract';
import { Unavailable } from '../domain/errors';
import { checkMutation } from './check';
import { planArtifactDelete, planArtifactLink } from './plan-artifacts';
import {
	planExperimentCreate,
	planExperimentLifecycle,
	planExperimentRename,
	planExperimentTag
} from './plan-experiments';
import { planModel } from './plan-models';
import {
	planRunCreate,
	planRunLifecycle,
	planRunLog,
	planRunTagDelete,
	planRunUpdate,
	type MetricRowIn
} from './plan-runs';
import type { Plan, PlanContext } from './plan';

/**
 * The engine of the registry's one write path, reached through its checked entry (`write.ts`): plan, then one
 * batch with the mutation's log row, so every write is validated the same way, is exactly-once by mutation id,
 * and lands in the change feed that other devices pull.
 */

export interface ApplyInput {
	db: D1Database;
	workspaceId: string;
	mutationId: string;
	/** A syncing browser; null for writes through the HTTP routes. */
	clientId: string | null;
	clientSeq: number | null;
	at: number;
	mutation: Mutation;
	/** MLflow clients may log NaN and ±Infinity, which the wire schema (finite only) cannot carry. */
	specialMetrics?: MetricRowIn[];
}

export type ApplyOutcome =
	| { outcome: 'applied' | 'duplicate'; seq: number; result: Record<string, unknown> | null }
	| {
			outcome: 'rejected';
			seq: number | null;
			status: number;
			code: string;
			message: string;
			details?: unknown;
	  };

function plan(c: PlanContext, m: Mutation, special?: MetricRowIn[]): Promise<Plan> {
	switch (m.type) {
		case 'experiment.create':
			return planExperimentCreate(c, m);
		case 'experiment.rename':
			return planExperimentRename(c, m);
		case 'experiment.delete':
		case 'experiment.restore':
			return planExperimentLifecycle(c, m);
		case 'experiment.tag.set':
		case 'experiment.tag.delete':
			return planExperimentTag(c, m);
		case 'run.create':
			return planRunCreate(c, m);
		case 'run.log':
			return planRunLog(c, m, special);
		case 'run.update':
			return planRunUpdate(c, m);
		case 'run.tag.delete':
			return planRunTagDelete(c, m);
		case 'run.delete':
		case 'run.restore':
			return planRunLifecycle(c, m);
		case 'artifact.link':
			return planArtifactLink(c, m);
		case 'artifact.delete':
			return planArtifactDelete(c, m);
		default:
			return planModel(c, m);
	}
}

interface LoggedRow {
	seq: number;
	outcome: 'applied' | 'rejected';
	result: string | null;
	error: string | null;
}

export async function logged(
	db: D1Database,
	workspaceId: string,
	mutationId: string
): Promise<ApplyOutcome | null> {
	const row = await db
		.prepare('SELECT seq, outcome, result, error FROM mutations WHERE workspace_id = ? AND mutation_id = ?')
		.bind(workspaceId, mutationId)
		.first<LoggedRow>();
	if (!row) return null;
	if (row.outcome === 'applied')
		return { outcome: 'duplicate', seq: row.seq, result: row.result ? JSON.parse(row.result) : null };
	const err = JSON.parse(row.error ?? '{}') as { status?: number; code?: string; message?: string };
	return {
		outcome: 'rejected',
		seq: row.seq,
		status: err.status ?? 400,
		code: err.code ?? 'invalid_request',
		message: err.message ?? 'Rejected.'
	};
}

function logRow(
	input: ApplyInput,
	now: number,
	outcome: string,
	result: unknown,
	error: unknown
): D1PreparedStatement {
	return input.db
		.prepare(
			`INSERT INTO mutations (workspace_id, mutation_id, client_id, client_seq, type, body, outcome, result, error, at, applied_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`
		)
		.bind(
			input.workspaceId,
			input.mutationId,
			input.clientId,
			input.clientSeq,
			input.mutation.type,
			JSON.stringify(input.mutation),
			outcome,
			result === null ? null : JSON.stringify(result),
			error === null ? null : JSON.stringify(error),
			input.at,
			now
		);
}

/** Another writer took the key this batch meant to write: plan again against what it wrote. */
const isKeyClash = (e: unknown) => /UNIQUE constraint|PRIMARY KEY/i.test(String((e as Error)?.message ?? e));
/** What the plan read is gone (a version's model deleted meanwhile: plan-models.ts): plan again. */
const isStalePremise = (e: unknown) =>
	/NOT NULL constraint failed: model_versions\.version/i.test(String((e as Error)?.message ?? e));
/** D1 is momentarily unable to take the write; the same batch may go through a moment later. */
const isBusy = (e: unknown) =>
	/overloaded|SQLITE_BUSY|database is locked|too many requests queued/i.test(
		String((e as Error)?.message ?? e)
	);
const ATTEMPTS = 5;

/** A write that still cannot be placed is Unavailable (the doors say 503 with Retry-After; clients retry it). */
const unavailable = (mutationId: string) =>
	new Unavailable({
		message: `Mutation ${mutationId} could not be placed among concurrent writes; retry shortly.`,
		retryAfter: 1
	});

/** A plan whose result is only known inside the batch (a version number) fills the log row's result there. */
function resultRow(input: ApplyInput, sql: { expr: string; params: unknown[] }): D1PreparedStatement {
	return input.db
		.prepare(
			`UPDATE mutations SET result = (${sql.expr}) WHERE workspace_id = ? AND mutation_id = ? RETURNING result`
		)
		.bind(...sql.params, input.workspaceId, input.mutationId);
}

export async function applyMutation(input: ApplyInput): Promise<ApplyOutcome> {
	// The contract check, here so that every door (HTTP, MLflow, sync) meets the same rules.
	const bad = checkMutation(input.mutation, input.specialMetrics);
	if (bad && input.clientId === null) return { outcome: 'rejected', seq: null, ...bad };
	// A planner reads, then the batch writes; a racing writer can take a key the plan meant to write. The batch
	// then fails on the key constraint (nothing written) and the mutation is planned again against the new state.
	// Version numbers and other counters are taken inside the batch, so only named creates can clash, once.
	for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
		const seen = await logged(input.db, input.workspaceId, input.mutationId);
		if (seen) return seen;
		const now = Date.now();
		const c: PlanContext = {
			db: input.db,
			workspaceId: input.workspaceId,
			now,
			at: input.at,
			strict: input.clientId === null
		};
		const p: Plan = bad ? { kind: 'reject', ...bad } : await plan(c, input.mutation, input.specialMetrics);
		if (p.kind === 'reject') {
			const error = { status: p.status, code: p.code, message: p.message };
			// A browser's rejected mutation is logged too, so its sequence moves on and a re-push gets the same answer.
			if (input.clientId === null) return { outcome: 'rejected', seq: null, ...error, details: p.details };
			try {
				const [res] = await input.db.batch([logRow(input, now, 'rejected', null, error)]);
				return {
					outcome: 'rejected',
					seq: (res.results[0] as { seq: number }).seq,
					...error,
					details: p.details
				};
			} catch (e) {
				if (isKeyClash(e) || isBusy(e)) continue;
				throw e;
			}
		}
		try {
			const results = await input.db.batch([
				...p.statements,
				logRow(input, now, 'applied', p.result, null),
				...(p.resultSql ? [resultRow(input, p.resultSql)] : [])
			]);
			const at = p.statements.length;
			const seq = (results[at].results[0] as { seq: number }).seq;
			const filled = p.resultSql ? (results[at + 1].results[0] as { result: string | null }).result : null;
			return { outcome: 'applied', seq, result: filled ? JSON.parse(filled) : p.result };
		} catch (e) {
			if (isKeyClash(e) || isStalePremise(e) || isBusy(e)) continue;
			throw e;
		}
	}
	throw unavailable(input.mutationId);
}
