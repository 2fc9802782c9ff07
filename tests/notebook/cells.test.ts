import { describe, expect, it } from 'vitest';
import { graphNodes, modelNode, newCell, nextQueryName, resultTable } from '$lib/notebook/cells';
import { trainConfig, type Notebook } from '$lib/notebook/schema';

function nb(cells: Notebook['cells']): Notebook {
	return { id: 'nb', title: 't', cells, createdAt: 0, updatedAt: 0, deletedAt: null };
}

describe('cells', () => {
	it('new SQL cells get the next free qN name', () => {
		const doc = nb([{ id: 'a', kind: 'sql', collapsed: false, source: '', name: 'q1', output: null }]);
		expect(nextQueryName(doc)).toBe('q2');
		const c = newCell('sql', doc);
		expect(c.kind === 'sql' && c.name).toBe('q2');
	});

	it('an unnamed SQL cell materialises into a hidden per-cell table', () => {
		const c = { id: 'abc', kind: 'sql' as const, collapsed: false, source: '', name: '', output: null };
		expect(resultTable(c)).toBe('_cell_abc');
	});

	it('graph nodes: SQL defines its result and uses what it names; charts use their source', () => {
		const doc = nb([
			{ id: 'a', kind: 'sql', collapsed: false, source: 'SELECT * FROM penguins', name: 'q1', output: null },
			{
				id: 'b',
				kind: 'chart',
				collapsed: false,
				output: null,
				spec: { source: 'q1', mark: 'bar', x: 'a', y: 'b', color: '', facet: '' }
			},
			{ id: 'c', kind: 'markdown', collapsed: false, source: 'FROM q1' }
		]);
		const nodes = graphNodes(doc);
		expect(nodes[0].defines).toEqual(['q1']);
		expect(nodes[0].uses).toContain('penguins');
		expect(nodes[1]).toEqual({ id: 'b', defines: [], uses: ['q1'] });
		expect(nodes[2]).toEqual({ id: 'c', defines: [], uses: [] });
	});

	it('a predict cell defines its named table (p1 by default) and uses its model and data', () => {
		const doc = nb([
			{ id: 'a', kind: 'sql', collapsed: false, source: 'SELECT 1', name: 'q1', output: null },
			{ id: 't', kind: 'train', collapsed: false, output: null, config: trainConfig.parse({ source: 'q1' }) }
		]);
		const p = newCell('predict', doc);
		expect(p).toMatchObject({ kind: 'predict', trainCellId: 't', data: 'q1', name: 'p1' });
		doc.cells.push(p);
		expect(newCell('predict', doc)).toMatchObject({ name: 'p2' });
		const node = graphNodes(doc)[2];
		expect(node).toEqual({ id: p.id, defines: ['p1'], uses: [modelNode('t'), 'q1'] });
		expect(resultTable({ ...p, name: '' } as typeof p)).toBe(`_cell_${p.id}`);
	});

	it('a train cell with a table split uses its test table too, so that cell runs first', () => {
		const train = (split: 'random' | 'table') => ({
			id: 't',
			kind: 'train' as const,
			collapsed: false,
			output: null,
			config: trainConfig.parse({ source: 'q1', split, testTable: 'q2' })
		});
		expect(graphNodes(nb([train('table')]))[0].uses).toEqual(['q1', 'q2']);
		expect(graphNodes(nb([train('random')]))[0].uses).toEqual(['q1']);
	});

	it('an old train config (before split strategies) parses to the random split it always used', () => {
		const old = trainConfig.parse({ source: 'q1', target: 'y', validation: 0.2, test: 0.1 });
		expect(old).toMatchObject({
			split: 'random',
			splitColumn: '',
			testTable: '',
			validation: 0.2,
			test: 0.1
		});
	});
});
