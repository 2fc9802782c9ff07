import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toIpynb, toSourceLines } from '../../src/lib/notebook/ipynb';
import { notebook as notebookSchema } from '../../src/lib/notebook/schema';

/**
 * The parts of jupyter/nbformat's nbformat.v4.5.schema.json our output touches, transcribed: top level and
 * cells admit no other keys, cell ids match ^[a-zA-Z0-9-_]+$ with 1-64 characters, code cells carry outputs and
 * execution_count, kernelspec needs name and display_name, language_info needs name.
 */
const cellId = z
	.string()
	.min(1)
	.max(64)
	.regex(/^[a-zA-Z0-9-_]+$/);
const source = z.union([z.string(), z.array(z.string())]);
const metadata = z.record(z.string(), z.unknown());
const markdownCell = z.strictObject({
	id: cellId,
	cell_type: z.literal('markdown'),
	metadata,
	source,
	attachments: z.record(z.string(), z.unknown()).optional()
});
const codeCell = z.strictObject({
	id: cellId,
	cell_type: z.literal('code'),
	metadata,
	source,
	outputs: z.array(z.unknown()),
	execution_count: z.number().int().nonnegative().nullable()
});
const nbformat45 = z.strictObject({
	metadata: z.looseObject({
		kernelspec: z.looseObject({ name: z.string(), display_name: z.string() }),
		language_info: z.looseObject({ name: z.string() }),
		title: z.string().optional()
	}),
	nbformat: z.literal(4),
	nbformat_minor: z.number().int().min(5),
	cells: z.array(z.union([markdownCell, codeCell]))
});

const nb = notebookSchema.parse({
	id: 'nb-1',
	title: 'Penguin study',
	createdAt: 1,
	updatedAt: 2,
	cells: [
		{ id: 'intro', kind: 'markdown', source: '# Penguins\n\nA first look.\n' },
		{
			id: 'sql/1',
			kind: 'sql',
			name: 'by_species',
			source: 'SELECT species, count(*) AS n\nFROM penguins\nGROUP BY 1'
		},
		{ id: 'sql:1', kind: 'sql', source: 'SELECT 1', collapsed: true },
		{ id: 'chart', kind: 'chart', spec: { source: 'by_species', mark: 'bar', x: 'species', y: 'n' } },
		{ id: 'é'.repeat(64), kind: 'markdown', source: '' }
	]
});

describe('toIpynb', () => {
	const out = toIpynb(nb);

	it('matches the nbformat 4.5 schema', () => {
		const result = nbformat45.safeParse(JSON.parse(JSON.stringify(out)));
		expect(result.error?.issues ?? []).toEqual([]);
	});

	it('gives unique, valid cell ids, keeping the original in metadata', () => {
		const ids = out.cells.map((c) => c.id);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids).toEqual(['edgebook-setup', 'intro', 'sql-1', 'sql-1-2', 'chart', '-'.repeat(56)]);
		expect(out.cells[2].metadata).toMatchObject({ edgebook: { id: 'sql/1' } });
	});

	it('writes a named SQL cell as a %%sql cell that saves its result as a table under its name', () => {
		expect(out.cells[2]).toEqual({
			id: 'sql-1',
			cell_type: 'code',
			metadata: { edgebook: { id: 'sql/1', kind: 'sql', name: 'by_species' } },
			source: [
				'%%sql\n',
				'CREATE OR REPLACE TABLE "by_species" AS\n',
				'SELECT species, count(*) AS n\n',
				'FROM penguins\n',
				'GROUP BY 1;\n',
				'SELECT * FROM "by_species";'
			],
			outputs: [],
			execution_count: null
		});
	});

	it('starts with a setup cell loading JupySQL when there is SQL', () => {
		expect(out.cells[0].source.join('')).toMatch(/%load_ext sql\n%sql duckdb:\/\//);
		expect(out.metadata.kernelspec).toMatchObject({ name: 'python3' });
		const noSql = toIpynb({ ...nb, cells: nb.cells.filter((c) => c.kind !== 'sql') });
		expect(noSql.cells.map((c) => c.id)).not.toContain('edgebook-setup');
	});

	it('hides the source of collapsed cells', () => {
		expect(out.cells[3].metadata).toMatchObject({ jupyter: { source_hidden: true } });
	});

	it('describes chart cells in markdown and keeps the spec', () => {
		const chart = out.cells[4];
		expect(chart.cell_type).toBe('markdown');
		expect(chart.source.join('')).toMatch(/\*\*Chart\*\* \(bar\) from `by_species` — x = `species`, y = `n`/);
		expect(chart.metadata).toMatchObject({
			edgebook: { kind: 'chart', spec: nb.cells[3].kind === 'chart' && nb.cells[3].spec }
		});
	});

	it('records the title and the Edgebook id', () => {
		expect(out.metadata).toMatchObject({ title: 'Penguin study', edgebook: { id: 'nb-1' } });
	});
});

describe('toSourceLines', () => {
	it.each([
		{ text: '', lines: [] },
		{ text: 'one', lines: ['one'] },
		{ text: 'a\nb', lines: ['a\n', 'b'] },
		{ text: 'a\nb\n', lines: ['a\n', 'b\n'] },
		{ text: '\n\n', lines: ['\n', '\n'] }
	])('$text → $lines', ({ text, lines }) => {
		expect(toSourceLines(text)).toEqual(lines);
		expect(toSourceLines(text).join('')).toBe(text);
	});
});
