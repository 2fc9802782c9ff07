import { describe, expect, it } from 'vitest';
import { toIpynb } from '../../src/lib/notebook/ipynb';
import { datasetsRead, ipynbBundle } from '../../src/lib/notebook/ipynb-bundle';
import { notebook as notebookSchema } from '../../src/lib/notebook/schema';
import { runIpynbSql } from '../helpers/run-ipynb-sql';

const sql = (id: string, name: string, source: string, output: unknown = null) => ({
	id,
	kind: 'sql',
	name,
	source,
	output
});

const nb = notebookSchema.parse({
	id: 'nb',
	title: 'Birds',
	createdAt: 1,
	updatedAt: 2,
	cells: [
		sql('a', 'q1', 'SELECT species, count(*) AS n FROM birds GROUP BY 1 ORDER BY 1', {
			kind: 'table',
			table: 'q1',
			columns: [
				{ name: 'species', type: 'VARCHAR' },
				{ name: 'n', type: 'BIGINT' }
			],
			rowCount: 2,
			elapsedMs: 3,
			preview: [
				['<Adelie>', '2'],
				['Gentoo', null]
			]
		}),
		sql('b', 'q2', '-- the biggest group\nSELECT * FROM q1 ORDER BY n DESC LIMIT 1'),
		sql('c', '', 'SELECT nope', { kind: 'error', name: 'BinderError', message: 'no column nope', line: 1 }),
		{ id: 'd', kind: 'chart', spec: { source: 'q1', mark: 'bar', x: 'species', y: 'n' } },
		{
			id: 't',
			kind: 'train',
			config: { source: 'q1', target: 'species', model: 'linear', epochs: 7 },
			output: {
				kind: 'run',
				runId: 'run-1',
				status: 'finished',
				backend: 'wasm',
				summary: { accuracy: 0.912345 }
			}
		},
		{
			id: 'e',
			kind: 'evaluate',
			trainCellId: 't',
			output: {
				kind: 'evaluation',
				runId: 'run-1',
				data: '',
				report: { task: 'regression', mae: 1.5, rmse: 2.25, r2: 0.75, residuals: [] }
			}
		}
	]
});

const datasets = [{ name: 'birds', path: 'data/birds.csv' }];
const out = toIpynb(nb, { datasets, charts: { d: 'iVBORw0KGgo=' } });
const text = (i: number) => out.cells[i].source.join('');

describe('toIpynb with the export extras', () => {
	it('loads the datasets in a data cell after the setup cell', () => {
		expect(out.cells.map((c) => c.id)).toEqual([
			'edgebook-setup',
			'edgebook-data',
			'a',
			'b',
			'c',
			'd',
			't',
			'e'
		]);
		expect(text(1)).toMatch(
			/^%%sql\nCREATE OR REPLACE TABLE "birds" AS\nSELECT \* FROM read_csv\('data\/birds.csv'/
		);
	});

	it("saves a SQL result's first rows as an HTML and a plain-text table", () => {
		expect(out.cells[2].execution_count).toBe(1);
		const [result] = out.cells[2].outputs as { output_type: string; data: Record<string, string[]> }[];
		expect(result.output_type).toBe('execute_result');
		const html = result.data['text/html'].join('');
		expect(html).toContain('<th>species</th><th>n</th>');
		expect(html).toContain('<td>&lt;Adelie&gt;</td><td>2</td>');
		expect(html).toContain('<td>Gentoo</td><td>NULL</td>');
		expect(result.data['text/plain'].join('')).toContain('<Adelie> | 2');
		// Never run in Edgebook: no output and no count.
		expect(out.cells[3]).toMatchObject({ outputs: [], execution_count: null });
	});

	it('saves a failed cell as an error output', () => {
		expect(out.cells[4].outputs).toEqual([
			{
				output_type: 'error',
				ename: 'BinderError',
				evalue: 'no column nope',
				traceback: ['BinderError: no column nope (line 1)']
			}
		]);
	});

	it('attaches the chart image to its markdown cell', () => {
		expect(out.cells[5].attachments).toEqual({ 'chart.png': { 'image/png': 'iVBORw0KGgo=' } });
		expect(text(5)).toContain('](attachment:chart.png)');
	});

	it('writes train and evaluate cells as markdown with their configuration and results', () => {
		expect(out.cells[6].cell_type).toBe('markdown');
		expect(text(6)).toContain('| model | linear |');
		expect(text(6)).toContain('| epochs | 7 |');
		expect(text(6)).toContain('| features | every column but the target |');
		expect(text(6)).toContain('| accuracy | 0.9123 |');
		expect(text(6)).toContain('Run `run-1`: finished, trained on the wasm backend.');
		expect(text(7)).toContain("**Evaluate** the trained model on the run's test split.");
		expect(text(7)).toContain('| rmse | 2.25 |');
	});
});

describe('toIpynb and predict cells', () => {
	it('writes a predict cell as markdown with its configuration and the table it made', () => {
		const doc = notebookSchema.parse({
			id: 'nb',
			title: 't',
			createdAt: 0,
			updatedAt: 0,
			cells: [
				{
					id: 'p',
					kind: 'predict',
					trainCellId: 't1',
					data: 'q1',
					name: 'p1',
					output: {
						kind: 'table',
						table: 'p1',
						columns: [
							{ name: 'mass', type: 'DOUBLE' },
							{ name: 'predicted', type: 'VARCHAR' }
						],
						rowCount: 342,
						elapsedMs: 3,
						preview: []
					}
				}
			]
		});
		const [md] = toIpynb(doc).cells;
		expect(md.cell_type).toBe('markdown');
		expect(md.metadata.edgebook).toEqual({
			id: 'p',
			kind: 'predict',
			trainCellId: 't1',
			runId: '',
			data: 'q1',
			name: 'p1'
		});
		const body = [md.source].flat().join('');
		expect(body).toContain('**Predict** `q1` with the trained model into the table `p1`');
		expect(body).toContain('342 rows; columns `mass`, `predicted`.');
	});
});

describe('the exported SQL runs top to bottom in DuckDB', () => {
	it('loads the CSV beside the notebook, and a later cell reads an earlier named result', async () => {
		const csv = new TextEncoder().encode('species,mass\nAdelie,3700\nGentoo,5000\nGentoo,5200\n');
		const results = await runIpynbSql(
			{ cells: out.cells.filter((c) => c.id !== 'c') },
			{ 'data/birds.csv': csv }
		);
		expect(results).toEqual([
			[{ Count: 3n }],
			[
				{ species: 'Adelie', n: 1n },
				{ species: 'Gentoo', n: 2n }
			],
			[{ species: 'Gentoo', n: 2n }]
		]);
	}, 30_000);
});

describe('datasetsRead', () => {
	it('lists the datasets the cells read, not the names a cell result takes over', () => {
		expect(datasetsRead(nb, ['birds', 'cars', 'q1'])).toEqual(['birds']);
	});
});

describe('ipynbBundle', () => {
	const sources = {
		datasets: ['birds', 'cars'],
		ensureAttached: async () => null,
		exportCsv: async () => ({ ok: true as const, bytes: new TextEncoder().encode('species\nAdelie\n') }),
		chartPng: async () => new Uint8Array([0x89, 0x50, 0x4e, 0x47])
	};

	it('zips the notebook with the datasets it reads, named after the title', async () => {
		const res = await ipynbBundle(nb, sources);
		if (!res.ok) throw new Error(res.message);
		expect(res.fileName).toBe('Birds.zip');
		const text = new TextDecoder('latin1').decode(await res.blob.arrayBuffer());
		expect(text).toContain('Birds/Birds.ipynb');
		expect(text).toContain('Birds/data/birds.csv');
		expect(text).not.toContain('cars.csv');
		expect(text).toContain('"image/png": "iVBORw=="');
	});

	it('says which dataset could not be exported, and exports nothing', async () => {
		const res = await ipynbBundle(nb, {
			...sources,
			exportCsv: async () => ({ ok: false as const, error: { name: 'IOError', message: 'disk full' } })
		});
		expect(res).toEqual({ ok: false, message: 'Export failed: dataset birds: disk full' });
	});
});
