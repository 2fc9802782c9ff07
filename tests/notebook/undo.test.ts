import { describe, expect, it } from 'vitest';
import { OpenNotebook } from '$lib/notebook/notebook.svelte';
import type { CellContext } from '$lib/notebook/execute';
import type { Notebook, SqlCell } from '$lib/notebook/schema';

/** A fake data worker that records runs and drops in one log. Unit tier only; e2e uses the real DuckDB. */
function fakeContext() {
	const log: string[] = [];
	const ctx = {
		api: () => ({
			run: async ({ resultTable }: { resultTable: string }) => {
				log.push(`run ${resultTable}`);
				return {
					ok: true,
					table: resultTable,
					columns: [{ name: 'x', type: 'INTEGER' }],
					rowCount: 1,
					elapsedMs: 1,
					preview: [[1]],
					browsable: true
				};
			},
			drop: async ({ table }: { table: string }) => {
				log.push(`drop ${table}`);
			}
		}),
		ensureAttached: async () => null,
		cancel: async () => undefined
	} as unknown as CellContext;
	return { ctx, log };
}

const sql = (id: string, name: string, source: string): SqlCell => ({
	id,
	kind: 'sql',
	collapsed: false,
	name,
	source,
	output: null
});

function chain(ctx: CellContext) {
	const nb: Notebook = {
		id: 'nb',
		title: 't',
		cells: [
			sql('a', 'q1', 'SELECT 1 AS x'),
			sql('b', 'q2', 'SELECT * FROM q1'),
			sql('c', 'q3', 'SELECT x * 10 FROM q2')
		],
		createdAt: 0,
		updatedAt: 0,
		deletedAt: null
	};
	return new OpenNotebook(nb, ctx);
}

const ids = (nb: OpenNotebook) => nb.doc.cells.map((c) => c.id);

describe('deleting, moving and undoing cells', () => {
	it('a delete drops the table (after the runs queued before it) and marks the readers', async () => {
		const { ctx, log } = fakeContext();
		const nb = chain(ctx);
		await nb.runAll();
		nb.deleteCell('b');
		await nb.runCell('a'); // queued after the drop; q3 no longer depends on q1
		expect(log).toEqual(['run q1', 'run q2', 'run q3', 'drop q2', 'run q1']);
		expect(nb.rt('c')).toMatchObject({ status: 'error', live: false });
		expect((nb.cell('c') as SqlCell).output).toMatchObject({
			name: 'MissingTable',
			message: expect.stringContaining('q2 was defined by a deleted cell')
		});
		expect(nb.history.last?.message).toBe('Deleted cell 2 (q2)');
	});

	it('undo restores the cell in its place and re-runs it and its readers', async () => {
		const { ctx, log } = fakeContext();
		const nb = chain(ctx);
		await nb.runAll();
		nb.deleteCell('b');
		expect(nb.undo()).toBeNull();
		await nb.runCell('a');
		expect(ids(nb)).toEqual(['a', 'b', 'c']);
		expect(log.slice(3)).toEqual(['drop q2', 'run q2', 'run q3', 'run q1', 'run q2', 'run q3']);
		expect(nb.rt('c').status).toBe('done');
		expect(nb.history.last).toBeNull();
	});

	it('a restored cell whose name was taken meanwhile gets a fresh one, its text kept', async () => {
		const { ctx } = fakeContext();
		const nb = chain(ctx);
		nb.deleteCell('b');
		const added = nb.addCell('sql');
		expect((added as SqlCell).name).toBe('q2');
		expect(nb.undo()).toMatch(/q2 now names another cell's result: the restored cell is q4/);
		expect(nb.cell('b')).toMatchObject({ name: 'q4', source: 'SELECT * FROM q1' });
	});

	it('undo takes moves back in order, then does nothing', () => {
		const { ctx } = fakeContext();
		const nb = chain(ctx);
		nb.moveCell('a', 1);
		nb.moveCell('a', 1);
		expect(ids(nb)).toEqual(['b', 'c', 'a']);
		expect(nb.history.last?.message).toBe('Moved cell 2 (q1) down');
		nb.undo();
		expect(ids(nb)).toEqual(['b', 'a', 'c']);
		nb.undo();
		expect(ids(nb)).toEqual(['a', 'b', 'c']);
		expect(nb.undo()).toBeNull();
		expect(ids(nb)).toEqual(['a', 'b', 'c']);
	});
});

describe('renaming a result', () => {
	it('drops the old table, marks its readers and makes the result again under the new name', async () => {
		const { ctx, log } = fakeContext();
		const nb = chain(ctx);
		await nb.runAll();
		expect(nb.renameResult('a', 'base', [])).toBeNull();
		expect((nb.cell('b') as SqlCell).output).toMatchObject({
			name: 'MissingTable',
			message: expect.stringContaining('q1 was renamed to base')
		});
		expect((nb.cell('c') as SqlCell).output).toMatchObject({
			message: expect.stringContaining('its input came from q1')
		});
		await nb.runCell('a');
		expect(log.slice(3)).toEqual(['drop q1', 'run base', 'run base']);
	});

	it('a change of case only is the same table: nothing is dropped or marked', async () => {
		const { ctx, log } = fakeContext();
		const nb = chain(ctx);
		await nb.runAll();
		expect(nb.renameResult('a', 'Q1', [])).toBeNull();
		await nb.runCell('b');
		expect(log.slice(3)).toEqual(['run Q1', 'run q2', 'run q3']);
		expect(nb.rt('c').status).toBe('done');
	});
});

describe('deleting a cell during a run', () => {
	it('does not run its readers afterwards from the table that is about to go', async () => {
		const { ctx, log } = fakeContext();
		let release = () => {};
		const gate = new Promise<void>((resolve) => (release = resolve));
		const api = ctx.api();
		const run = api.run.bind(api);
		ctx.api = () =>
			({
				...api,
				run: async (req: Parameters<typeof run>[0]) => {
					if (req.resultTable === 'q2') await gate;
					return run(req);
				}
			}) as typeof api;
		const nb = chain(ctx);
		const all = nb.runAll();
		await expect.poll(() => nb.rt('b').status).toBe('running');
		nb.deleteCell('b');
		release();
		await all;
		await nb.runCell('a');
		expect(log).toEqual(['run q1', 'run q2', 'drop q2', 'run q1']);
		expect((nb.cell('c') as SqlCell).output).toMatchObject({ name: 'MissingTable' });
		expect(nb.rt('c').status).toBe('error');
	});
});
