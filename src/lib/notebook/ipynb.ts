import type { Cell, ChartSpec, Notebook } from './schema';

/**
 * Export to Jupyter (nbformat 4.5), for people who take an analysis on in Jupyter. One-way: there is no
 * ipynb import.
 *
 * SQL cells become `%%sql` code cells. `%%sql` is an IPython cell magic (JupySQL), so the notebook names the
 * standard Python 3 kernel and starts with a generated setup cell that loads JupySQL on an in-memory DuckDB;
 * a kernelspec for a "sql" kernel that nobody has installed would only make Jupyter ask which kernel to use.
 * Whatever Jupyter cannot use (result table names, chart specs, original ids) rides in `metadata.edgebook`.
 */

type Source = string[];

export interface IpynbCell {
	id: string;
	cell_type: 'markdown' | 'code';
	metadata: Record<string, unknown>;
	source: Source;
	outputs?: unknown[];
	execution_count?: number | null;
}

export interface Ipynb {
	cells: IpynbCell[];
	metadata: Record<string, unknown>;
	nbformat: 4;
	nbformat_minor: 5;
}

/** Jupyter keeps each line's "\n" and stores a list of lines; an empty source is an empty list. */
export function toSourceLines(text: string): Source {
	return text === '' ? [] : text.split(/(?<=\n)/);
}

/** nbformat 4.5 ids: 1-64 of [a-zA-Z0-9-_], unique in the notebook. */
function cellIds(cells: readonly Cell[]): string[] {
	const seen = new Set<string>(['edgebook-setup']);
	return cells.map((cell, i) => {
		const base = cell.id.replace(/[^a-zA-Z0-9_-]/g, '-').slice(0, 56) || `cell-${i + 1}`;
		let id = base;
		for (let n = 2; seen.has(id); n++) id = `${base}-${n}`;
		seen.add(id);
		return id;
	});
}

function describeChart(spec: ChartSpec): string {
	const parts = [`**Chart** (${spec.mark})`];
	if (spec.source) parts.push(`from \`${spec.source}\``);
	const channels = (['x', 'y', 'color', 'facet'] as const)
		.filter((k) => spec[k])
		.map((k) => `${k} = \`${spec[k]}\``);
	if (channels.length) parts.push(`— ${channels.join(', ')}`);
	return `${parts.join(' ')}\n\n_Exported from Edgebook; the chart specification is in this cell's metadata._`;
}

function convert(cell: Cell, id: string): IpynbCell {
	const metadata: Record<string, unknown> = cell.collapsed ? { jupyter: { source_hidden: true } } : {};
	switch (cell.kind) {
		case 'markdown':
			return {
				id,
				cell_type: 'markdown',
				metadata: { ...metadata, edgebook: { id: cell.id, kind: 'markdown' } },
				source: toSourceLines(cell.source)
			};
		case 'sql':
			return {
				id,
				cell_type: 'code',
				metadata: { ...metadata, edgebook: { id: cell.id, kind: 'sql', name: cell.name } },
				source: toSourceLines(`%%sql\n${cell.source}`),
				outputs: [],
				execution_count: null
			};
		case 'chart':
			return {
				id,
				cell_type: 'markdown',
				metadata: { ...metadata, edgebook: { id: cell.id, kind: 'chart', spec: cell.spec } },
				source: toSourceLines(describeChart(cell.spec))
			};
		case 'train':
			return {
				id,
				cell_type: 'markdown',
				metadata: { ...metadata, edgebook: { id: cell.id, kind: 'train', config: cell.config } },
				source: toSourceLines(
					`**Train** a ${cell.config.model} on \`${cell.config.source || '?'}\` to predict \`${cell.config.target || '?'}\`` +
						`\n\n_Exported from Edgebook; the training configuration is in this cell's metadata._`
				)
			};
		case 'evaluate':
			return {
				id,
				cell_type: 'markdown',
				metadata: {
					...metadata,
					edgebook: { id: cell.id, kind: 'evaluate', runId: cell.runId, data: cell.data }
				},
				source: toSourceLines(
					`**Evaluate** a trained model on ${cell.data ? `\`${cell.data}\`` : 'its test split'}.`
				)
			};
		default:
			return assertNever(cell);
	}
}

function assertNever(value: never): never {
	throw new Error(`unhandled cell kind: ${JSON.stringify(value)}`);
}

const setupCell = (): IpynbCell => ({
	id: 'edgebook-setup',
	cell_type: 'code',
	metadata: { edgebook: { generated: true } },
	source: toSourceLines(
		'# Added by Edgebook: run the SQL cells with JupySQL on DuckDB\n# %pip install jupysql duckdb-engine\n%load_ext sql\n%sql duckdb://'
	),
	outputs: [],
	execution_count: null
});

export function toIpynb(nb: Notebook): Ipynb {
	const ids = cellIds(nb.cells);
	const hasSql = nb.cells.some((c) => c.kind === 'sql');
	return {
		cells: [...(hasSql ? [setupCell()] : []), ...nb.cells.map((cell, i) => convert(cell, ids[i]))],
		metadata: {
			kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' },
			language_info: { name: 'python' },
			title: nb.title,
			edgebook: { id: nb.id, createdAt: nb.createdAt, updatedAt: nb.updatedAt }
		},
		nbformat: 4,
		nbformat_minor: 5
	};
}
