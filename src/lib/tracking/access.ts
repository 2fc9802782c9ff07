import type { EdgebookDB } from './db';
import { TrackingError } from './errors';
import { runSchema, type EndStatus, type Run } from './run-schema';

/** Validate a stored run (docs/architecture.md, Conventions): a damaged record is named, never handed to the UI half-broken. */
export function parseStoredRun(raw: unknown, id: string): Run {
	const parsed = runSchema.safeParse(raw);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new TrackingError(
			'RunDamaged',
			`Run ${id} is damaged in storage: ${issue?.path.join('.') || 'record'}: ${issue?.message}`,
			{ runId: id }
		);
	}
	return parsed.data;
}

export async function findRun(d: EdgebookDB, runId: string): Promise<Run> {
	const raw = await d.runs.get(runId);
	if (!raw) throw new TrackingError('RunNotFound', `There is no run ${runId}.`, { runId });
	return parseStoredRun(raw, runId);
}

/** A run that may still be written to. MLflow refuses writes to deleted runs and allows them to ended ones. */
export async function liveRun(d: EdgebookDB, runId: string): Promise<Run> {
	const run = await findRun(d, runId);
	if (run.deletedAt != null)
		throw new TrackingError('RunDeleted', `Run "${run.name}" is deleted; restore it before logging to it.`, {
			runId
		});
	return run;
}

/** Check a run may end with `status`; the same end twice is a no-op (returns false), another end throws. */
export function canEnd(run: Run, status: EndStatus): boolean {
	if (run.status === 'running' || run.status === 'interrupted') return true;
	if (run.status === status) return false;
	throw new TrackingError(
		'RunEnded',
		`Run "${run.name}" already ended as ${run.status}; it cannot now be marked ${status}.`,
		{ runId: run.id, status: run.status }
	);
}
