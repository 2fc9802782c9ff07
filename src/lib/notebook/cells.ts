import { trainConfig, type Cell, type CellKind, type Notebook } from './schema';
import { newId } from '$lib/tracking/ids';
import { referencedNames } from '$lib/data/sql-text';

/** The table a SQL cell's result is materialised into: its name, or a hidden automatic one. */
export function resultTable(cell: Cell): string | null {
	if (cell.kind !== 'sql' && cell.kind !== 'predict') return null;
	return cell.name || `_cell_${cell.id}`;
}

/** The next free `qN` name, so every new SQL cell can be referenced by later ones straight away. */
export function nextQueryName(nb: Notebook, prefix = 'q'): string {
	const taken = new Set(
		nb.cells.flatMap((c) => (c.kind === 'sql' || c.kind === 'predict' ? [c.name.toLowerCase()] : []))
	);
	let n = 1;
	while (taken.has(`${prefix}${n}`)) n++;
	return `${prefix}${n}`;
}

export function newCell(kind: CellKind, nb: Notebook): Cell {
	const id = newId('c');
	switch (kind) {
		case 'markdown':
			return { id, kind, collapsed: false, source: '' };
		case 'sql':
			return { id, kind, collapsed: false, source: '', name: nextQueryName(nb), output: null };
		case 'chart':
			return {
				id,
				kind,
				collapsed: false,
				output: null,
				spec: { source: lastTableName(nb), mark: 'bar', x: '', y: '', color: '', facet: '' }
			};
		case 'train':
			return {
				id,
				kind,
				collapsed: false,
				output: null,
				config: trainConfig.parse({ source: lastTableName(nb) })
			};
		case 'evaluate': {
			const train = [...nb.cells].reverse().find((c) => c.kind === 'train');
			return { id, kind, collapsed: false, output: null, trainCellId: train?.id ?? '', runId: '', data: '' };
		}
		case 'onnx':
			return {
				id,
				kind,
				collapsed: false,
				output: null,
				runId: '',
				fileName: '',
				inputs: [],
				outputs: [],
				data: lastTableName(nb),
				target: '',
				mapping: {},
				prediction: '',
				task: 'auto'
			};
		case 'predict': {
			const train = [...nb.cells].reverse().find((c) => c.kind === 'train');
			const data = train?.kind === 'train' ? train.config.source : '';
			const name = nextQueryName(nb, 'p');
			return {
				id,
				kind,
				collapsed: false,
				output: null,
				trainCellId: train?.id ?? '',
				runId: '',
				data,
				name
			};
		}
	}
}

/** The graph name a train cell's model goes by, so evaluate cells depend on it like SQL cells on tables. */
export function modelNode(trainCellId: string): string {
	return `__model_${trainCellId}`;
}

function lastTableName(nb: Notebook): string {
	for (let i = nb.cells.length - 1; i >= 0; i--) {
		const t = resultTable(nb.cells[i]);
		if (t && !t.startsWith('_cell_')) return t;
	}
	return '';
}

/** Graph nodes: what each cell defines and which defined names it reads (graph logic is pure: docs/architecture.md). */
export function graphNodes(nb: Notebook): { id: string; defines: string[]; uses: string[] }[] {
	return nb.cells.map((c) => {
		switch (c.kind) {
			case 'sql':
				return { id: c.id, defines: [resultTable(c)!], uses: referencedNames(c.source) };
			case 'chart':
				return { id: c.id, defines: [], uses: c.spec.source ? [c.spec.source] : [] };
			case 'markdown':
				return { id: c.id, defines: [], uses: [] };
			case 'train':
				return {
					id: c.id,
					defines: [modelNode(c.id)],
					// A 'table' split reads its test table too, so that table's cell runs first.
					uses: [c.config.source, c.config.split === 'table' ? c.config.testTable : ''].filter(Boolean)
				};
			case 'evaluate':
				return {
					id: c.id,
					defines: [],
					uses: [...(c.trainCellId ? [modelNode(c.trainCellId)] : []), ...(c.data ? [c.data] : [])]
				};
			case 'onnx':
				return { id: c.id, defines: [], uses: c.data ? [c.data] : [] };
			case 'predict':
				return {
					id: c.id,
					defines: [resultTable(c)!],
					uses: [...(c.trainCellId ? [modelNode(c.trainCellId)] : []), ...(c.data ? [c.data] : [])]
				};
		}
	});
}
