import { describe, expect, it } from 'vitest';
import { OpenNotebook } from '$lib/notebook/notebook.svelte';
import type { CellContext } from '$lib/notebook/execute';
import type { Notebook, SqlCell } from '$lib/notebook/schema';

/**
 * A fake data worker whose runs end only when the test says so, and which can "restart": calls in flight then
 * throw `EngineRestarted`, as the real client's do. Unit tier only; e2e drives the real engine.
 */
function controlledContext() {
	const ran: string[] = [];
	const waiting: { table: string; finish: () => void; fail: (e: Error) => void }[] = [];
	const listeners = new Set<() => void>();
	const ok = (table: string) => ({
		ok: true,
		table,
		columns: [{ name: 'x', type: 'INTEGER' }],
		rowCount: 1,
		elapsedMs: 1,
		preview: [[1]],
		browsable: true
	});
	const ctx = {
		api: () => ({
			run: ({ resultTable }: { resultTable: string }) => {
				ran.push(resultTable);
				return new Promise((resolve, reject) =>
					waiting.push({ table: resultTable, finish: () => resolve(ok(resultTable)), fail: reject })
				);
			}
		}),
		ensureAttached: async () => null,
		cancel: async () => {
			// The statement ignores the interrupt: the engine is restarted and the call in flight ends.
			for (const l of listeners) l();
			const e = new Error('The SQL engine did not stop within 0.5 s of Cancel, so it was restarted.');
			e.name = 'EngineRestarted';
			for (const w of waiting.splice(0)) w.fail(e);
		},
		onEngineRestart: (l: () => void) => {
			listeners.add(l);
			return () => listeners.delete(l);
		}
	} as unknown as CellContext;
	/** Let the scheduler reach its next await. */
	const settle = () => new Promise((r) => setTimeout(r, 0));
	const finishAll = async () => {
		for (;;) {
			await settle();
			const next = waiting.shift();
			if (!next) return;
			next.finish();
		}
	};
	return { ctx, ran, waiting, settle, finishAll };
}

function sql(id: string, name: string, source: string): SqlCell {
	return { id, kind: 'sql', collapsed: false, name, source, output: null };
}

function notebook(cells: SqlCell[]): Notebook {
	return { id: 'nb', title: 't', cells, createdAt: 0, updatedAt: 0, deletedAt: null };
}

describe('cancel and the queue', () => {
	it('a cell run while another runs says it is queued at once, then runs', async () => {
		const f = controlledContext();
		const nb = new OpenNotebook(notebook([sql('a', 'q1', 'SELECT 1'), sql('b', 'q2', 'SELECT 2')]), f.ctx);
		const first = nb.runCell('a');
		await f.settle();
		expect(nb.rt('a').status).toBe('running');
		const second = nb.runCell('b');
		expect(nb.rt('b').status).toBe('queued');
		await f.finishAll();
		await Promise.all([first, second]);
		expect(f.ran).toEqual(['q1', 'q2']);
		expect(nb.rt('b').status).toBe('done');
	});

	it('cancel on a queued cell takes it out of the queue and leaves the running one alone', async () => {
		const f = controlledContext();
		const nb = new OpenNotebook(notebook([sql('a', 'q1', 'SELECT 1'), sql('b', 'q2', 'SELECT 2')]), f.ctx);
		const first = nb.runCell('a');
		await f.settle();
		const second = nb.runCell('b');
		await nb.cancel('b');
		expect(nb.rt('b').status).toBe('cancelled');
		expect(nb.rt('a').status).toBe('running');
		await f.finishAll();
		await Promise.all([first, second]);
		expect(f.ran).toEqual(['q1']);
		expect(nb.rt('a').status).toBe('done');
		// A later run of the cancelled cell is not skipped.
		const again = nb.runCell('b');
		await f.finishAll();
		await again;
		expect(nb.rt('b').status).toBe('done');
	});

	it('a cancel that restarts the engine says so in the cell; cells reading lost tables re-make them first', async () => {
		const f = controlledContext();
		const nb = new OpenNotebook(
			notebook([
				sql('a', 'q1', 'SELECT 1 AS x'),
				sql('b', 'q2', 'SELECT * FROM range(1e12) a, range(1e12) b'),
				sql('c', 'q3', 'SELECT * FROM q1')
			]),
			f.ctx
		);
		const made = nb.runCell('a'); // and q3, which reads it
		await f.finishAll();
		await made;
		expect(nb.rt('a').live).toBe(true);
		f.ran.length = 0;

		const stuck = nb.runCell('b');
		await f.settle();
		const reader = nb.runCell('c');
		expect(nb.rt('c').status).toBe('queued');
		await nb.cancel('b');
		await stuck;
		expect(nb.rt('b').status).toBe('cancelled');
		expect((nb.cell('b') as SqlCell).output).toMatchObject({
			kind: 'error',
			name: 'Cancelled',
			message: expect.stringContaining('restarted')
		});
		// q1's table went with the old engine: the queued reader runs it again before itself.
		expect(nb.rt('a').live).toBe(false);
		await f.finishAll();
		await reader;
		expect(f.ran).toEqual(['q2', 'q1', 'q3']);
		expect(nb.rt('c').status).toBe('done');
	});
});
