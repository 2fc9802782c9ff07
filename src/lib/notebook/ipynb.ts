import type { Cell, Notebook } from './schema';
import {
	describeChart,
	describeEvaluate,
	describeOnnx,
	describePredict,
	describeTrain
} from './ipynb-describe';
import { errorOutput, tableOutput } from './ipynb-outputs';
import { jupysqlSource, loadingSql, type ExportedDataset } from './ipynb-sql';

/**
 * Export to Jupyter (nbformat 4.5), for people who take an analysis on in Jupyter. One-way: there is no
 * ipynb import. The notebook runs top to bottom in a plain Python 3 kernel with JupySQL on DuckDB:
 *
 * - a generated setup cell loads JupySQL on an in-memory DuckDB (a kernelspec for a "sql" kernel that nobody
 *   has installed would only make Jupyter ask which kernel to use);
 * - a generated data cell creates each dataset the notebook reads from its CSV file exported beside it;
 * - SQL cells are `%%sql` cells whose named results become DuckDB tables, so later cells' `FROM q1` works,
 *   with the result's first rows saved as the cell's output;
 * - chart, train, evaluate and predict cells, which Jupyter cannot run, are markdown saying what they did and what
 *   came out (a chart as a PNG attachment, a run's configuration and metrics, an evaluation's report).
 *
 * Whatever Jupyter cannot use (result table names, chart specs, original ids) rides in `metadata.edgebook`.
 */

type Source = string[];

export interface IpynbCell {
	id: string;
	cell_type: 'markdown' | 'code';
	metadata: Record<string, unknown>;
	source: Source;
	attachments?: Record<string, Record<string, string>>;
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
	const seen = new Set<string>(['edgebook-setup', 'edgebook-data']);
	return cells.map((cell, i) => {
		const base = cell.id.replace(/[^a-zA-Z0-9_-]/g, '-').slice(0, 56) || `cell-${i + 1}`;
		let id = base;
		for (let n = 2; seen.has(id); n++) id = `${base}-${n}`;
		seen.add(id);
		return id;
	});
}

/** What the export adds beside the notebook's own cells. */
export interface IpynbExtras {
	/** The datasets exported beside the notebook, created by the data cell. */
	datasets?: readonly ExportedDataset[];
	/** Chart images by cell id, base64 PNG. */
	charts?: Readonly<Record<string, string>>;
}

const CHART_IMAGE = 'chart.png';

function sqlCell(cell: Extract<Cell, { kind: 'sql' }>, id: string, count: () => number): IpynbCell {
	const out = cell.output;
	// A cell that ran in Edgebook gets the next execution count, as if run top to bottom in Jupyter.
	const n = out ? count() : null;
	const outputs: unknown[] = [];
	// A statement without rows (CREATE, INSERT) has no columns and shows nothing, as in JupySQL.
	if (out?.kind === 'table' && out.columns.length) outputs.push(tableOutput(out, n!));
	if (out?.kind === 'error') outputs.push(errorOutput(out));
	return {
		id,
		cell_type: 'code',
		metadata: { edgebook: { id: cell.id, kind: 'sql', name: cell.name } },
		source: toSourceLines(`%%sql\n${jupysqlSource(cell)}`),
		outputs,
		execution_count: n
	};
}

function convert(cell: Cell, id: string, extras: IpynbExtras, count: () => number): IpynbCell {
	const hidden: Record<string, unknown> = cell.collapsed ? { jupyter: { source_hidden: true } } : {};
	const markdown = (edgebook: Record<string, unknown>, text: string): IpynbCell => ({
		id,
		cell_type: 'markdown',
		metadata: { ...hidden, edgebook: { id: cell.id, ...edgebook } },
		source: toSourceLines(text)
	});
	switch (cell.kind) {
		case 'markdown':
			return markdown({ kind: 'markdown' }, cell.source);
		case 'sql': {
			const code = sqlCell(cell, id, count);
			return { ...code, metadata: { ...hidden, ...code.metadata } };
		}
		case 'chart': {
			const png = extras.charts?.[cell.id];
			const md = markdown(
				{ kind: 'chart', spec: cell.spec },
				describeChart(cell.spec, png ? CHART_IMAGE : null)
			);
			return png ? { ...md, attachments: { [CHART_IMAGE]: { 'image/png': png } } } : md;
		}
		case 'train':
			return markdown({ kind: 'train', config: cell.config }, describeTrain(cell));
		case 'evaluate':
			return markdown(
				{ kind: 'evaluate', trainCellId: cell.trainCellId, runId: cell.runId, data: cell.data },
				describeEvaluate(cell)
			);
		case 'predict':
			return markdown(
				{
					kind: 'predict',
					trainCellId: cell.trainCellId,
					runId: cell.runId,
					data: cell.data,
					name: cell.name
				},
				describePredict(cell)
			);
		case 'onnx':
			return markdown(
				{
					kind: 'onnx',
					runId: cell.runId,
					fileName: cell.fileName,
					data: cell.data,
					target: cell.target,
					mapping: cell.mapping,
					prediction: cell.prediction,
					task: cell.task
				},
				describeOnnx(cell)
			);
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

/** Creates the datasets from the CSV files exported beside the notebook (Jupyter runs beside the file). */
const dataCell = (datasets: readonly ExportedDataset[]): IpynbCell => ({
	id: 'edgebook-data',
	cell_type: 'code',
	metadata: { edgebook: { generated: true, datasets: datasets.map((d) => ({ ...d })) } },
	source: toSourceLines(`%%sql\n${loadingSql(datasets)}`),
	outputs: [],
	execution_count: null
});

export function toIpynb(nb: Notebook, extras: IpynbExtras = {}): Ipynb {
	const ids = cellIds(nb.cells);
	const hasSql = nb.cells.some((c) => c.kind === 'sql');
	const datasets = extras.datasets ?? [];
	let executed = 0;
	const count = () => ++executed;
	return {
		cells: [
			...(hasSql || datasets.length ? [setupCell()] : []),
			...(datasets.length ? [dataCell(datasets)] : []),
			...nb.cells.map((cell, i) => convert(cell, ids[i], extras, count))
		],
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
