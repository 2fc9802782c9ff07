import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DatasetMeta } from '$lib/data/types';
import type { Notebook, SqlCell } from '$lib/notebook/schema';
import type { CellContext } from '$lib/notebook/execute';

/**
 * A fake engine in place of src/lib/data/client.ts: a load (a dataset's attach) ends only when the test says so,
 * and `cancelJob` behaves like the real one: the load takes the interrupt (`stopped`), or it ignores it and the
 * engine is "restarted", which rejects the call in flight (`restarted`). Storage is a map, not IndexedDB.
 */
const fake = vi.hoisted(() => {
	const state = {
		jobs: 0,
		generation: 0,
		/** What a load does with an interrupt: stop, or ignore it (then only a restart ends it). */
		interrupt: 'stops' as 'stops' | 'ignored',
		loads: [] as { job: number; table: string; finish: () => void; fail: (e: Error) => void }[],
		cancelled: [] as number[],
		blob: (() => Promise.resolve(new Blob(['x\n1\n']) as Blob | null)) as () => Promise<Blob | null>
	};
	return state;
});

vi.mock('$lib/data/client', () => ({
	nextJob: () => ++fake.jobs,
	engineGeneration: () => fake.generation,
	dataApi: () => ({
		load: (req: { table: string; job: number }) =>
			new Promise((resolve, reject) =>
				fake.loads.push({
					job: req.job,
					table: req.table,
					finish: () =>
						resolve({
							ok: true,
							format: 'csv',
							fingerprint: { sha256: 'abc', schema: [], rowCount: 1 },
							notes: []
						}),
					fail: reject
				})
			)
	}),
	cancelJob: async (job: number) => {
		fake.cancelled.push(job);
		const load = fake.loads.find((l) => l.job === job);
		if (!load) return 'stopped';
		fake.loads.splice(fake.loads.indexOf(load), 1);
		if (fake.interrupt === 'stops') {
			load.fail(Object.assign(new Error('Cancelled by the user.'), { name: 'Cancelled' }));
			return 'stopped';
		}
		fake.generation++;
		load.fail(Object.assign(new Error('restarted'), { name: 'EngineRestarted' }));
		return 'restarted';
	}
}));

vi.mock('$lib/tracking/datasets', () => ({
	listDatasets: async () => [meta],
	datasetBlob: () => fake.blob(),
	saveDataset: async () => undefined,
	removeDataset: async () => undefined,
	sweepDatasetFiles: async () => []
}));

const meta: DatasetMeta = {
	id: 'ds1',
	name: 'big',
	fileName: 'big.csv',
	format: 'csv',
	bytes: 4,
	fingerprint: { sha256: 'abc', schema: [], rowCount: 1 },
	addedAt: 0
};

const { Datasets } = await import('$lib/data/datasets.svelte');
const { OpenNotebook } = await import('$lib/notebook/notebook.svelte');
const { cancelJob } = await import('$lib/data/client');

function sql(id: string, source: string): SqlCell {
	return { id, kind: 'sql', collapsed: false, name: '', source, output: null };
}

async function setup() {
	const datasets = new Datasets();
	await datasets.refresh();
	const ran: string[] = [];
	const ctx = {
		api: () => ({
			run: async ({ resultTable }: { resultTable: string }) => {
				ran.push(resultTable);
				return {
					ok: true,
					table: resultTable,
					columns: [{ name: 'n', type: 'BIGINT' }],
					rowCount: 1,
					elapsedMs: 1,
					preview: [[1]],
					browsable: true
				};
			}
		}),
		ensureAttached: (names: string[], opts?: { signal?: AbortSignal }) =>
			datasets.ensureAttached(names, opts),
		cancel: (job: number) => cancelJob(job)
	} as unknown as CellContext;
	const nb: Notebook = {
		id: 'nb',
		title: 't',
		cells: [sql('a', 'SELECT count(*) AS n FROM big')],
		createdAt: 0,
		updatedAt: 0,
		deletedAt: null
	};
	return { datasets, open: new OpenNotebook(nb, ctx), ran };
}

/** Until the scheduler and the attach have reached their next await (a load sent, a status set). */
const until = async (ready: () => boolean) => {
	for (let i = 0; i < 100 && !ready(); i++) await new Promise((r) => setTimeout(r, 0));
	expect(ready()).toBe(true);
};

beforeEach(() => {
	fake.jobs = 0;
	fake.generation = 0;
	fake.interrupt = 'stops';
	fake.loads.length = 0;
	fake.cancelled.length = 0;
	fake.blob = () => Promise.resolve(new Blob(['x\n1\n']));
});

describe('Cancel while a dataset is being attached', () => {
	it('ends the cell as cancelled without waiting for the attach, stops the attach, and attaches next time', async () => {
		const { datasets, open, ran } = await setup();
		const run = open.runCell('a');
		await until(() => fake.loads.length === 1);
		expect(open.rt('a').status).toBe('running');
		expect(datasets.attaching).toEqual(['big']);
		const attachJob = fake.loads[0].job;

		await open.cancel('a');
		await run;
		expect(open.rt('a').status).toBe('cancelled');
		expect(open.cell('a')).toMatchObject({
			output: { kind: 'error', name: 'Cancelled', message: expect.stringContaining('while dataset big') }
		});
		// The attach's own load was cancelled (not only the cell's job), and its statement never ran.
		expect(fake.cancelled).toContain(attachJob);
		expect(fake.loads).toHaveLength(0);
		expect(ran).toEqual([]);
		expect(datasets.attaching).toEqual([]);

		// Left detached: the next run attaches it again, then runs.
		const again = open.runCell('a');
		await until(() => fake.loads.length === 1);
		expect(fake.loads[0].job).not.toBe(attachJob);
		fake.loads[0].finish();
		await again;
		expect(open.rt('a').status).toBe('done');
		expect(ran).toHaveLength(1);
	});

	it('an attach that ignores the interrupt is ended by the engine restart, and the cell says so', async () => {
		const { open } = await setup();
		fake.interrupt = 'ignored';
		const run = open.runCell('a');
		await until(() => fake.loads.length === 1);
		await open.cancel('a');
		await run;
		expect(open.rt('a').status).toBe('cancelled');
		expect(open.cell('a')).toMatchObject({
			output: { name: 'Cancelled', message: expect.stringContaining('so it was restarted') }
		});
	});

	it('a Cancel while the file is still read from storage never sends the load', async () => {
		const { datasets, open } = await setup();
		let release!: (b: Blob) => void;
		fake.blob = () => new Promise((r) => (release = r));
		const run = open.runCell('a');
		await until(() => open.rt('a').status === 'running' && release !== undefined);
		const cancelled = open.cancel('a');
		release(new Blob(['x\n1\n']));
		await cancelled;
		await run;
		expect(open.rt('a').status).toBe('cancelled');
		expect(fake.loads).toHaveLength(0);
		expect(datasets.attaching).toEqual([]);
	});

	it('an attach that completed before its Cancel landed stays attached', async () => {
		const { datasets } = await setup();
		const stop = new AbortController();
		const first = datasets.ensureAttached(['big'], { signal: stop.signal });
		await until(() => fake.loads.length === 1);
		fake.loads[0].finish();
		stop.abort(); // the wait ends as cancelled (the user asked), but the table is there
		expect(await first).toMatchObject({ name: 'Cancelled' });
		expect(await datasets.ensureAttached(['big'])).toBeNull();
		expect(fake.loads).toHaveLength(0); // not loaded a second time
	});
});
