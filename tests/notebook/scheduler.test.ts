import { describe, expect, it } from 'vitest';
import { OpenNotebook } from '$lib/notebook/notebook.svelte';
import type { CellContext } from '$lib/notebook/execute';
import type { Notebook, SqlCell } from '$lib/notebook/schema';

/** A fake data worker: records what ran, fails on demand. Unit tier only; e2e uses the real DuckDB. */
function fakeContext(fail: (sql: string) => string | null = () => null) {
	const ran: string[] = [];
	const ctx = {
		api: () => ({
			run: async ({ sql, resultTable }: { sql: string; resultTable: string }) => {
				ran.push(resultTable);
				const error = fail(sql);
				if (error) return { ok: false, error: { name: 'BinderError', message: error } };
				return {
					ok: true,
					table: resultTable,
					columns: [{ name: 'x', type: 'INTEGER' }],
					rowCount: 1,
					elapsedMs: 1,
					preview: [[1]],
					browsable: true
				};
			}
		}),
		ensureAttached: async () => null,
		cancel: async () => undefined
	} as unknown as CellContext;
	return { ctx, ran };
}

function sql(id: string, name: string, source: string): SqlCell {
	return { id, kind: 'sql', collapsed: false, name, source, output: null };
}

function notebook(cells: SqlCell[]): Notebook {
	return { id: 'nb', title: 't', cells, createdAt: 0, updatedAt: 0, deletedAt: null };
}

describe('the notebook scheduler', () => {
	it('runs the upstream cells this tab lacks first, then the cell, then its dependents', async () => {
		const { ctx, ran } = fakeContext();
		const nb = new OpenNotebook(
			notebook([
				sql('a', 'q1', 'SELECT 1 AS x'),
				sql('b', 'q2', 'SELECT * FROM q1'),
				sql('c', 'q3', 'SELECT * FROM q2')
			]),
			ctx
		);
		await nb.runCell('b');
		expect(ran).toEqual(['q1', 'q2', 'q3']);
		ran.length = 0;
		await nb.runCell('b'); // q1 is live now: not re-run
		expect(ran).toEqual(['q2', 'q3']);
		expect(nb.rt('c').status).toBe('done');
	});

	it('run all follows dependencies, not document order', async () => {
		const { ctx, ran } = fakeContext();
		const nb = new OpenNotebook(
			notebook([sql('b', 'q2', 'SELECT * FROM q1'), sql('a', 'q1', 'SELECT 1')]),
			ctx
		);
		await nb.runAll();
		expect(ran).toEqual(['q1', 'q2']);
	});

	it('reports a cycle on its cells, and does not run them or what reads them', async () => {
		const { ctx, ran } = fakeContext();
		const nb = new OpenNotebook(
			notebook([
				sql('a', 'q1', 'SELECT * FROM q2'),
				sql('b', 'q2', 'SELECT * FROM q1'),
				sql('c', 'q3', 'SELECT * FROM q1'),
				sql('d', 'q4', 'SELECT 4')
			]),
			ctx
		);
		await nb.runAll();
		expect(ran).toEqual(['q4']);
		for (const id of ['a', 'b'])
			expect((nb.cell(id) as SqlCell).output).toMatchObject({ name: 'CycleError' });
		expect((nb.cell('c') as SqlCell).output).toMatchObject({ name: 'UpstreamError' });
		expect(
			(nb.cell('a') as SqlCell).output?.kind === 'error' && (nb.cell('a') as SqlCell).output
		).toMatchObject({
			message: expect.stringContaining('q1')
		});
	});

	it('a failed cell stops the cells that read it, with a message naming it', async () => {
		const { ctx, ran } = fakeContext((s) =>
			s.includes('nope') ? 'Referenced column "nope" not found' : null
		);
		const nb = new OpenNotebook(
			notebook([sql('a', 'q1', 'SELECT nope'), sql('b', 'q2', 'SELECT * FROM q1')]),
			ctx
		);
		await nb.runAll();
		expect(ran).toEqual(['q1']);
		expect(nb.rt('a').status).toBe('error');
		expect((nb.cell('b') as SqlCell).output).toMatchObject({
			name: 'UpstreamError',
			message: expect.stringContaining('q1')
		});
	});

	it('refuses a result name that is invalid or taken, and keeps the old one', () => {
		const { ctx } = fakeContext();
		const nb = new OpenNotebook(notebook([sql('a', 'q1', ''), sql('b', 'q2', '')]), ctx);
		expect(nb.renameResult('a', '1bad', [])).toMatch(/not a valid table name/);
		expect(nb.renameResult('a', 'Q2', [])).toMatch(/another cell/);
		expect(nb.renameResult('a', 'penguins', ['penguins'])).toMatch(/dataset/);
		expect((nb.cell('a') as SqlCell).name).toBe('q1');
		expect(nb.renameResult('a', 'totals', [])).toBeNull();
		expect((nb.cell('a') as SqlCell).name).toBe('totals');
	});
});
