import type { MutationOf } from '../../src/lib/contract';
import { findRun } from './plan-runs';
import { conflict, invalid, notFound, write, type Plan, type PlanContext } from './plan';

/** Links bytes this workspace uploaded (blob_refs) to a path in a run. A path keeps its first bytes, as in MLflow. */
export async function planArtifactLink(c: PlanContext, m: MutationOf<'artifact.link'>): Promise<Plan> {
	const a = m.artifact;
	if (!(await findRun(c, a.runId))) return notFound(`No run with id ${a.runId}.`, { runId: a.runId });
	const blob = await c.db
		.prepare(
			`SELECT b.bytes FROM blob_refs r JOIN blobs b ON b.sha256 = r.sha256
			 WHERE r.workspace_id = ? AND r.sha256 = ?`
		)
		.bind(c.workspaceId, a.sha256)
		.first<{ bytes: number }>();
	if (!blob)
		return notFound(
			`No uploaded artifact with sha-256 ${a.sha256}; upload it (PUT /api/v1/blobs/${a.sha256}) first.`,
			{
				sha256: a.sha256
			}
		);
	if (blob.bytes !== a.bytes)
		return invalid(`The artifact ${a.name} says ${a.bytes} bytes but the uploaded blob has ${blob.bytes}.`, {
			name: a.name
		});
	const existing = await c.db
		.prepare('SELECT sha256 FROM run_artifacts WHERE workspace_id = ? AND run_id = ? AND name = ?')
		.bind(c.workspaceId, a.runId, a.name)
		.first<{ sha256: string }>();
	if (existing?.sha256 === a.sha256) return write([]);
	if (existing)
		return conflict(`The run ${a.runId} already has a different artifact at ${a.name}.`, { name: a.name });
	return write([
		c.db
			.prepare(
				`INSERT INTO run_artifacts (workspace_id, run_id, name, sha256, media_type, bytes, created_at)
				 VALUES (?, ?, ?, ?, ?, ?, ?)`
			)
			.bind(c.workspaceId, a.runId, a.name, a.sha256, a.mediaType, a.bytes, c.now)
	]);
}

/** Unlinks a file, or every file under a directory path; the bytes stay (other paths or workspaces may use them). */
export async function planArtifactDelete(c: PlanContext, m: MutationOf<'artifact.delete'>): Promise<Plan> {
	if (!(await findRun(c, m.runId))) return notFound(`No run with id ${m.runId}.`, { runId: m.runId });
	const under = `${m.path.replace(/[\\%_]/g, (ch) => `\\${ch}`)}/%`;
	return write([
		c.db
			.prepare(
				`DELETE FROM run_artifacts WHERE workspace_id = ? AND run_id = ? AND (name = ? OR name LIKE ? ESCAPE '\\')`
			)
			.bind(c.workspaceId, m.runId, m.path, under)
	]);
}
