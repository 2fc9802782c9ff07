import { scopeFor, type Mutation, type Scope } from '../../src/lib/contract';
import { DomainError, InvalidInput, Unavailable, domainErrorOf } from '../domain/errors';
import { applyMutation, type ApplyOutcome } from './apply';
import { checkMutation } from './check';
import type { MetricRowIn } from './plan-runs';
import { forgetServing } from '../inference/serving-cache';

/**
 * The one checked entry to the registry's write path (docs/architecture.md, "The one write path"). /api/v1,
 * MLflow and sync pushes call it alike, and so can a Durable Object or a trigger: it takes plain values (the
 * database, a workspace, mutations) and answers with what was written or a DomainError, never an HTTP status.
 * Every mutation meets the contract here before anything is read or written.
 */

export interface WriteDeps {
	db: D1Database;
}

/** The one id maker for what the Worker creates itself: mutations, runs, model versions. */
export const newId = (): string => crypto.randomUUID().replaceAll('-', '');

/** A syncing browser's mutation: its own id, sequence and time, exactly once by id (docs/sync.md). */
export interface FromClient {
	clientId: string;
	id: string;
	seq: number;
	at: number;
	/** The pushing token's scopes: a mutation it may not make is logged as refused, so the outbox moves on. */
	scopes: readonly Scope[];
}

export interface WriteOptions {
	/** MLflow's NaN and ±Infinity points of mutations[0], a run.log (the wire schema is finite only). */
	specialMetrics?: MetricRowIn[];
	/** Absent for a call of the Worker's own (HTTP routes, triggers): each mutation gets a fresh id from newId. */
	from?: FromClient;
}

export interface Written {
	id: string;
	outcome: 'applied' | 'duplicate';
	/** The mutation's place in the workspace's change feed. */
	seq: number;
	result: Record<string, unknown> | null;
}

/** The first mutation the contract refuses, as InvalidInput naming its field; null when all may be applied. */
export function check(mutations: readonly unknown[], specialMetrics?: MetricRowIn[]): InvalidInput | null {
	for (const [i, m] of mutations.entries()) {
		const bad = checkMutation(m, i === 0 ? specialMetrics : undefined);
		if (bad) return new InvalidInput({ message: bad.message, details: bad.details });
	}
	return null;
}

const asDomainError = (out: Extract<ApplyOutcome, { outcome: 'rejected' }>) =>
	domainErrorOf(out.code, out.message, out.details);

async function fromClient(deps: WriteDeps, workspaceId: string, m: Mutation, from: FromClient) {
	const scope = scopeFor(m);
	if (from.scopes.includes('admin') || from.scopes.includes(scope))
		// A refused mutation is logged here too (applyMutation), so a re-push gets the same answer.
		return applyMutation({
			db: deps.db,
			workspaceId,
			mutationId: from.id,
			clientId: from.clientId,
			clientSeq: from.seq,
			at: from.at,
			mutation: m
		});
	return logForbidden(deps.db, workspaceId, m, from, scope);
}

/** A mutation the token may not make is refused for good (logged as rejected), so the outbox moves past it. */
async function logForbidden(
	db: D1Database,
	workspaceId: string,
	m: Mutation,
	from: FromClient,
	scope: Scope
): Promise<ApplyOutcome> {
	const error = {
		status: 403,
		code: 'forbidden',
		message: `This token lacks the "${scope}" scope needed for ${m.type}.`
	};
	const existing = await db
		.prepare('SELECT seq FROM mutations WHERE workspace_id = ? AND mutation_id = ?')
		.bind(workspaceId, from.id)
		.first<{ seq: number }>();
	if (!existing)
		await db
			.prepare(
				`INSERT INTO mutations (workspace_id, mutation_id, client_id, client_seq, type, body, outcome, error, at, applied_at)
				 VALUES (?, ?, ?, ?, ?, ?, 'rejected', ?, ?, ?)`
			)
			.bind(
				workspaceId,
				from.id,
				from.clientId,
				from.seq,
				m.type,
				JSON.stringify(m),
				JSON.stringify(error),
				from.at,
				Date.now()
			)
			.run();
	return { outcome: 'rejected', seq: from.seq, ...error };
}

/**
 * Applies `mutations` in order for `workspaceId`. All are checked against the contract first, so a batch with
 * one malformed mutation writes nothing; a refusal by the registry (not found, conflict) stops the batch there,
 * after the earlier mutations were applied (each is its own transaction). Never throws a DomainError: it is
 * returned, for the door to map; only bugs and storage failures throw.
 */
export async function write(
	deps: WriteDeps,
	workspaceId: string,
	mutations: readonly Mutation[],
	opts: WriteOptions = {}
): Promise<Written[] | DomainError> {
	if (opts.from && mutations.length !== 1)
		throw new Error('A client write carries exactly one mutation (its envelope).');
	// A browser's malformed mutation is not refused here: applyMutation logs the refusal against its id and
	// sequence, so the outbox moves past it and a re-push is answered the same.
	if (!opts.from) {
		const bad = check(mutations, opts.specialMetrics);
		if (bad) return bad;
	}
	const written: Written[] = [];
	try {
		return await apply(deps, workspaceId, mutations, opts, written);
	} finally {
		// After the write (applied or refused part-way): a prediction must not go on serving what it changed.
		forgetServing();
	}
}

async function apply(
	deps: WriteDeps,
	workspaceId: string,
	mutations: readonly Mutation[],
	opts: WriteOptions,
	written: Written[]
): Promise<Written[] | DomainError> {
	for (const [i, mutation] of mutations.entries()) {
		const id = opts.from?.id ?? newId();
		let out: ApplyOutcome;
		try {
			out = opts.from
				? await fromClient(deps, workspaceId, mutation, opts.from)
				: await applyMutation({
						db: deps.db,
						workspaceId,
						mutationId: id,
						clientId: null,
						clientSeq: null,
						at: Date.now(),
						mutation,
						specialMetrics: i === 0 ? opts.specialMetrics : undefined
					});
		} catch (e) {
			if (e instanceof Unavailable) return e;
			throw e;
		}
		if (out.outcome === 'rejected') return asDomainError(out);
		written.push({ id, outcome: out.outcome, seq: out.seq, result: out.result });
	}
	return written;
}
