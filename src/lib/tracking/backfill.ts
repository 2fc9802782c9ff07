import type { Transaction } from 'dexie';
import { experimentIdForName } from '$lib/contract';
import { outboxEntry } from './outbox';
import { experimentCreate, parentsFirst, wholeRun } from './run-mutations';
import type { Artifact, Experiment, MetricRow, Run } from './run-schema';

/**
 * The v3 upgrade. Experiments get the id their name derives to (so offline browsers meet in one experiment)
 * and everything made before sync existed is queued in the outbox, in an order the registry accepts.
 */
export async function backfillOutbox(tx: Transaction): Promise<void> {
	const experiments = tx.table<Experiment, string>('experiments');
	const runs = tx.table<Run, string>('runs');
	const metrics = tx.table<MetricRow, number>('metrics');
	const artifacts = tx.table<Artifact, string>('artifacts');
	const outbox = tx.table('outbox');

	const exps = await experiments.toArray();
	for (const e of exps) {
		const id = experimentIdForName(e.name);
		if (id === e.id) continue;
		await experiments.delete(e.id);
		await experiments.add({ ...e, id });
		await runs.where('[experimentId+startedAt]').between([e.id, -Infinity], [e.id, Infinity]).modify({
			experimentId: id
		});
		e.id = id;
	}
	const entries = exps.map((e) => outboxEntry(experimentCreate(e), e.createdAt));
	const all = parentsFirst((await runs.orderBy('startedAt').toArray()) as Run[]);
	for (const run of all) {
		const rows = await metrics.where('[runId+key+step]').between([run.id, ''], [run.id, '\uffff']).toArray();
		const files = await artifacts.where('[runId+name]').between([run.id, ''], [run.id, '\uffff']).toArray();
		// A damaged record cannot be described; it stays local rather than failing the upgrade.
		try {
			entries.push(...wholeRun(run, rows, files).map((m) => outboxEntry(m, run.startedAt)));
		} catch {
			continue;
		}
	}
	if (entries.length) await outbox.bulkAdd(entries);
}
