import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { EdgebookDB } from '$lib/tracking/db';

/** The schema as it shipped in version 1, copied here on purpose: the test must not follow later edits. */
class ShippedV1 extends Dexie {
	constructor(name: string) {
		super(name);
		this.version(1).stores({
			notebooks: 'id, updatedAt, deletedAt',
			datasets: 'id, &name, addedAt',
			datasetFiles: 'id'
		});
	}
}

const notebook = {
	id: 'nb_1',
	title: 'Penguin study',
	cells: [{ id: 'c1', kind: 'sql', collapsed: false, source: 'SELECT 1', name: 'q1', output: null }],
	createdAt: 1,
	updatedAt: 2,
	deletedAt: null
};
const dataset = {
	id: 'ds_1',
	name: 'penguins',
	fileName: 'penguins.csv',
	format: 'csv',
	bytes: 5,
	fingerprint: { sha256: 'f'.repeat(64), schema: [{ name: 'a', type: 'BIGINT' }], rowCount: 1 },
	addedAt: 3
};

describe('the v1 → v2 upgrade keeps v1 data', () => {
	it('notebooks, datasets and their files are all still there, and the tracking tables work', async () => {
		const name = 'upgrade-keeps-v1';
		const v1 = new ShippedV1(name);
		await v1.table('notebooks').add(notebook);
		await v1.table('datasets').add(dataset);
		await v1.table('datasetFiles').add({ id: 'ds_1', blob: new Blob(['a\n1\n']) });
		v1.close();

		const v2 = new EdgebookDB(name);
		expect(await v2.notebooks.toArray()).toEqual([notebook]);
		expect(await v2.datasets.where('name').equals('penguins').toArray()).toEqual([dataset]);
		expect(await (await v2.datasetFiles.get('ds_1'))?.blob.text()).toBe('a\n1\n');
		// The current schema (v3 added the sync tables, tests/registry/v2-to-v3-upgrade.test.ts).
		expect(v2.verno).toBe(3);
		expect(v2.tables.map((t) => t.name).sort()).toEqual([
			'artifacts',
			'datasetFiles',
			'datasets',
			'experiments',
			'metrics',
			'modelVersions',
			'models',
			'notebooks',
			'outbox',
			'runs',
			'syncState'
		]);
		await v2.experiments.add({ id: 'exp_1', name: 'e', createdAt: 4 });
		expect(await v2.experiments.count()).toBe(1);
		// v1's unique dataset name survives the upgrade.
		await expect(v2.datasets.add({ ...dataset, id: 'ds_2' } as never)).rejects.toThrow();
		v2.close();
		await Dexie.delete(name);
	});

	it('a fresh database opens straight at the current version', async () => {
		const fresh = new EdgebookDB('upgrade-fresh');
		await fresh.open();
		expect(fresh.verno).toBe(3);
		expect(fresh.runs.schema.indexes.map((i) => i.name).sort()).toEqual([
			'[experimentId+startedAt]',
			'deletedAt',
			'parentId',
			'startedAt',
			'status'
		]);
		fresh.close();
	});
});
