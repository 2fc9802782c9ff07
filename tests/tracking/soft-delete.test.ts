import { caught, clearDb, newRun } from './helpers';
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '$lib/tracking/db';
import {
	artifactsOf,
	deleteRun,
	finishRun,
	getRun,
	listRuns,
	logMetrics,
	purgeDeleted,
	restoreRun,
	saveArtifacts
} from '$lib/tracking/runs';

beforeEach(clearDb);

/** A sweep: a parent with two trials, one trial with a child of its own; all ended. */
async function sweep() {
	const parent = await newRun({ name: 'sweep' });
	const t1 = await newRun({ name: 'trial 1', parentId: parent.id });
	const t2 = await newRun({ name: 'trial 2', parentId: parent.id });
	const t2a = await newRun({ name: 'trial 2 refit', parentId: t2.id });
	for (const r of [t2a, t2, t1, parent]) await finishRun(r.id, 'finished');
	return { parent, t1, t2, t2a };
}
const names = async (options = {}) => (await listRuns(options)).map((r) => r.name).sort();

describe('soft delete takes a run with its children; restore brings back exactly that', () => {
	it('deleting the parent hides the whole sweep; restoring shows it again', async () => {
		const { parent } = await sweep();
		await deleteRun(parent.id);
		expect(await names()).toEqual([]);
		expect(await names({ includeDeleted: true })).toHaveLength(4);
		await restoreRun(parent.id);
		expect(await names()).toEqual(['sweep', 'trial 1', 'trial 2', 'trial 2 refit']);
	});

	it('a trial deleted earlier on its own stays deleted when the sweep is restored', async () => {
		const { parent, t1 } = await sweep();
		await deleteRun(t1.id);
		await new Promise((r) => setTimeout(r, 2)); // a different deletedAt stamp
		await deleteRun(parent.id);
		await restoreRun(parent.id);
		expect(await names()).toEqual(['sweep', 'trial 2', 'trial 2 refit']);
	});

	// [what, list options, expected names]
	const filters: [string, object, string[]][] = [
		['children of the parent', { parentId: 'PARENT' }, ['trial 1', 'trial 2']],
		['top-level runs only', { parentId: null }, ['sweep']],
		['everything', {}, ['sweep', 'trial 1', 'trial 2', 'trial 2 refit']]
	];
	it.each(filters)('listRuns: %s', async (_, options, expected) => {
		const { parent } = await sweep();
		const opts = JSON.parse(JSON.stringify(options).replace('PARENT', parent.id));
		expect(await names({ ...opts, experimentId: parent.experimentId })).toEqual(expected);
	});

	it('refuses to delete a sweep while a trial is still running', async () => {
		const parent = await newRun({ name: 'sweep' });
		await newRun({ name: 'trial 1', parentId: parent.id });
		await finishRun(parent.id, 'finished');
		const err = await caught(() => deleteRun(parent.id));
		expect(err.name).toBe('RunActive');
		expect(err.message).toContain('trial 1');
		expect((await getRun(parent.id))?.deletedAt).toBeNull();
	});

	it('purgeDeleted removes deleted runs with their metrics and files, and nothing else', async () => {
		const { parent, t1 } = await sweep();
		const keep = await newRun({ name: 'keep' });
		for (const r of [t1, keep]) {
			await logMetrics(r.id, [{ key: 'loss', value: 1, step: 0 }]);
			await saveArtifacts(r.id, [{ name: 'model.json', mediaType: 'application/json', data: '{}' }]);
		}
		await finishRun(keep.id, 'finished');
		await deleteRun(parent.id);
		expect(await purgeDeleted({ olderThanMs: 60_000 })).toBe(0); // still inside the undo window
		expect(await purgeDeleted()).toBe(4);
		expect(await names({ includeDeleted: true })).toEqual(['keep']);
		expect(await db().metrics.count()).toBe(1);
		expect(await artifactsOf(t1.id)).toEqual([]);
		expect(await artifactsOf(keep.id)).toHaveLength(1);
	});

	it('a trial restored on its own outlives its purged parent as a top-level run', async () => {
		const { parent, t1 } = await sweep();
		await deleteRun(parent.id);
		await restoreRun(t1.id);
		await purgeDeleted();
		expect((await getRun(t1.id))?.parentId).toBeNull();
	});
});
