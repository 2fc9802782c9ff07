import type { MutationOf } from '../../src/lib/contract';
import { conflict, notFound, write, type Plan, type PlanContext } from './plan';

interface ExperimentRow {
	id: string;
	name: string;
	deleted_at: number | null;
}

export function findExperiment(c: PlanContext, id: string): Promise<ExperimentRow | null> {
	return c.db
		.prepare('SELECT id, name, deleted_at FROM experiments WHERE workspace_id = ? AND id = ?')
		.bind(c.workspaceId, id)
		.first<ExperimentRow>();
}

export async function planExperimentCreate(
	c: PlanContext,
	m: MutationOf<'experiment.create'>
): Promise<Plan> {
	const { id, name, createdAt } = m.experiment;
	const byName = await c.db
		.prepare('SELECT id FROM experiments WHERE workspace_id = ? AND name = ?')
		.bind(c.workspaceId, name)
		.first<{ id: string }>();
	// Ids derive from names (contract/ids.ts), so a second browser creating the same name is the same experiment;
	// an HTTP create of a taken name is a conflict, also when it lost a race to an identical create.
	if (byName?.id === id && !c.strict) return write([]);
	if (byName)
		return conflict(`An experiment named "${name}" already exists (id ${byName.id}).`, {
			name,
			id: byName.id
		});
	if (await findExperiment(c, id)) return conflict(`An experiment with id ${id} already exists.`, { id });
	// A plain INSERT: a racing create of the same name fails this batch on the key, and the re-plan sees it.
	const statements = [
		c.db
			.prepare(
				'INSERT INTO experiments (workspace_id, id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)'
			)
			.bind(c.workspaceId, id, name, createdAt, c.now)
	];
	if (m.tags?.length)
		statements.push(
			c.db
				.prepare(
					`INSERT INTO experiment_tags (workspace_id, experiment_id, key, value)
					 SELECT ?1, ?2, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]') FROM json_each(?3) AS j`
				)
				// Within one request the last value of a key wins, as it would set one by one.
				.bind(c.workspaceId, id, JSON.stringify([...new Map(m.tags.map((t) => [t.key, t.value]))]))
		);
	return write(statements);
}

export async function planExperimentRename(
	c: PlanContext,
	m: MutationOf<'experiment.rename'>
): Promise<Plan> {
	const exp = await findExperiment(c, m.experimentId);
	if (!exp) return notFound(`No experiment with id ${m.experimentId}.`, { experimentId: m.experimentId });
	if (exp.name === m.name) return write([]);
	const taken = await c.db
		.prepare('SELECT id FROM experiments WHERE workspace_id = ? AND name = ?')
		.bind(c.workspaceId, m.name)
		.first();
	if (taken) return conflict(`An experiment named "${m.name}" already exists.`, { name: m.name });
	return write([
		c.db
			.prepare('UPDATE experiments SET name = ?, updated_at = ? WHERE workspace_id = ? AND id = ?')
			.bind(m.name, c.now, c.workspaceId, m.experimentId)
	]);
}

export async function planExperimentLifecycle(
	c: PlanContext,
	m: MutationOf<'experiment.delete'> | MutationOf<'experiment.restore'>
): Promise<Plan> {
	const exp = await findExperiment(c, m.experimentId);
	if (!exp) return notFound(`No experiment with id ${m.experimentId}.`, { experimentId: m.experimentId });
	const deletedAt = m.type === 'experiment.delete' ? (exp.deleted_at ?? c.at) : null;
	return write([
		c.db
			.prepare('UPDATE experiments SET deleted_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?')
			.bind(deletedAt, c.now, c.workspaceId, m.experimentId)
	]);
}

/** MLflow's experiment tags: set overwrites, delete of a missing tag is not found (as MLflow answers). */
export async function planExperimentTag(
	c: PlanContext,
	m: MutationOf<'experiment.tag.set'> | MutationOf<'experiment.tag.delete'>
): Promise<Plan> {
	if (!(await findExperiment(c, m.experimentId)))
		return notFound(`No experiment with id ${m.experimentId}.`, { experimentId: m.experimentId });
	const touch = c.db
		.prepare('UPDATE experiments SET updated_at = ? WHERE workspace_id = ? AND id = ?')
		.bind(c.now, c.workspaceId, m.experimentId);
	if (m.type === 'experiment.tag.set')
		return write([
			c.db
				.prepare(
					`INSERT INTO experiment_tags (workspace_id, experiment_id, key, value) VALUES (?, ?, ?, ?)
					 ON CONFLICT (workspace_id, experiment_id, key) DO UPDATE SET value = excluded.value`
				)
				.bind(c.workspaceId, m.experimentId, m.key, m.value),
			touch
		]);
	const tag = await c.db
		.prepare('SELECT 1 FROM experiment_tags WHERE workspace_id = ? AND experiment_id = ? AND key = ?')
		.bind(c.workspaceId, m.experimentId, m.key)
		.first();
	if (!tag) return notFound(`The experiment ${m.experimentId} has no tag "${m.key}".`, { key: m.key });
	return write([
		c.db
			.prepare('DELETE FROM experiment_tags WHERE workspace_id = ? AND experiment_id = ? AND key = ?')
			.bind(c.workspaceId, m.experimentId, m.key),
		touch
	]);
}
