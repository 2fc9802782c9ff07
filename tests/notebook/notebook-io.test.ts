import { describe, expect, it } from 'vitest';
import { OpenNotebook } from '$lib/notebook/notebook.svelte';
import type { CellContext } from '$lib/notebook/execute';
import type { ChartCell, Notebook, SqlCell } from '$lib/notebook/schema';
import type { ChartData } from '$lib/data/types';

/**
 * Views read result rows and export through the notebook, which alone calls the data worker: these pin what a
 * view gets back, including when the engine was restarted under the call. Fake data worker, unit tier only.
 */
type Api = Record<string, (req: never) => Promise<unknown>>;
const ctxOf = (api: Api, attached: string[][] = []) =>
	({
		api: () => api,
		ensureAttached: async (names: string[]) => {
			attached.push(names);
			return null;
		},
		cancel: async () => undefined
	}) as unknown as CellContext;

const sql = (id: string, name: string, source: string): SqlCell => ({
	id,
	kind: 'sql',
	collapsed: false,
	name,
	source,
	output: null
});
const chart: ChartCell = {
	id: 'c',
	kind: 'chart',
	collapsed: false,
	spec: { source: 'penguins', mark: 'bar', x: 'species', y: 'mass', color: '', facet: '' },
	output: null
};
const notebook = (cells: Notebook['cells']): Notebook => ({
	id: 'nb',
	title: 'My penguins',
	cells,
	createdAt: 0,
	updatedAt: 0,
	deletedAt: null
});
const restarted = () =>
	Promise.reject(Object.assign(new Error('the engine was restarted'), { name: 'EngineRestarted' }));

describe('result rows and exports go through the notebook', () => {
	it('gives the grid the window it asked for, and an empty one when the engine lost the table', async () => {
		const asked: unknown[] = [];
		const nb = new OpenNotebook(
			notebook([]),
			ctxOf({
				rows: async (req) => {
					asked.push(req);
					return {
						ok: true,
						rows: [
							[1, 'Adelie'],
							[2, 'Gentoo']
						]
					};
				}
			})
		);
		expect(await nb.rows('q1', 10, 2)).toEqual([
			[1, 'Adelie'],
			[2, 'Gentoo']
		]);
		expect(asked).toEqual([{ table: 'q1', offset: 10, limit: 2 }]);
		const failed = new OpenNotebook(
			notebook([]),
			ctxOf({ rows: async () => ({ ok: false, error: { name: 'CatalogError', message: 'no q1' } }) })
		);
		expect(await failed.rows('q1', 0, 5)).toEqual([]);
		expect(await new OpenNotebook(notebook([]), ctxOf({ rows: restarted })).rows('q1', 0, 5)).toEqual([]);
	});

	it('hands back the exported bytes, or says why the export failed', async () => {
		const bytes = new TextEncoder().encode('a,b\n1,2\n');
		const ok = new OpenNotebook(notebook([]), ctxOf({ exportTable: async () => ({ ok: true, bytes }) }));
		expect(await ok.exportTable('q1', 'csv')).toEqual({ ok: true, bytes });
		const gone = new OpenNotebook(notebook([]), ctxOf({ exportTable: restarted }));
		expect(await gone.exportTable('q1', 'parquet')).toEqual({
			ok: false,
			message: 'Export failed: the engine was restarted'
		});
	});

	it('the Jupyter zip draws a chart not drawn in this tab first, and carries the datasets it reads', async () => {
		const data = { shape: 'groups', rowCount: 3 } as unknown as ChartData;
		const exported: string[] = [];
		const attached: string[][] = [];
		const nb = new OpenNotebook(
			notebook([sql('s', 'q1', 'SELECT * FROM penguins'), chart]),
			ctxOf(
				{
					chart: async () => ({ ok: true, data }),
					exportTable: async (req: { table: string; format: string }) => {
						exported.push(`${req.table}.${req.format}`);
						return { ok: true, bytes: new TextEncoder().encode('species\nAdelie\n') };
					}
				},
				attached
			)
		);
		const drawn: unknown[] = [];
		const res = await nb.ipynb(['penguins', 'cars'], async (spec, d) => {
			drawn.push([spec.x, d]);
			return new Uint8Array([137, 80, 78, 71]);
		});
		expect(res.ok && res.fileName).toBe('My_penguins.zip');
		expect(exported).toEqual(['penguins.csv']);
		expect(attached).toContainEqual(['penguins']);
		expect(drawn).toEqual([['species', data]]);
		expect(nb.rt('c').chart).toBe(data);
	});
});
