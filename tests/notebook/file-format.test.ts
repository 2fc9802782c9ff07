import { describe, expect, it } from 'vitest';
import {
	MAX_NOTEBOOK_FILE_BYTES,
	exportNotebook,
	notebookFileName,
	parseNotebookFile,
	toIpynb,
	type ImportProblem
} from '../../src/lib/notebook/file-format';
import { notebook as notebookSchema, type Notebook } from '../../src/lib/notebook/schema';

const sample: Notebook = notebookSchema.parse({
	id: 'nb-1',
	title: 'Penguin study',
	createdAt: 1_700_000_000_000,
	updatedAt: 1_700_000_100_000,
	cells: [
		{ id: 'c1', kind: 'markdown', source: '# Penguins\nA first look.\n' },
		{
			id: 'c2',
			kind: 'sql',
			name: 'by_species',
			source: 'SELECT species, count(*) AS n\nFROM penguins\nGROUP BY 1'
		},
		{ id: 'c3', kind: 'chart', spec: { source: 'by_species', mark: 'bar', x: 'species', y: 'n' } },
		{ id: 'c4', kind: 'sql', source: '', collapsed: true }
	]
});

const envelope = (notebook: unknown, extra: object = {}) =>
	JSON.stringify({
		format: 'edgebook-notebook',
		formatVersion: 1,
		exportedAt: '2026-01-01T00:00:00Z',
		notebook,
		...extra
	});

describe('exportNotebook → parseNotebookFile', () => {
	it('round-trips the document, with fresh ids', () => {
		let n = 0;
		const text = exportNotebook(sample, { now: new Date('2026-11-22T10:00:00Z') });
		const result = parseNotebookFile(text, 'p.edgebook.json', { newId: () => `new-${++n}` });
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.notebook.id).toBe('new-1');
		expect(result.notebook.cells.map((c) => c.id)).toEqual(['new-2', 'new-3', 'new-4', 'new-5']);
		const strip = (nb: Notebook) => ({ ...nb, id: '', cells: nb.cells.map((c) => ({ ...c, id: '' })) });
		expect(strip(result.notebook)).toEqual(strip(sample));
	});

	it('writes the envelope', () => {
		const file = JSON.parse(exportNotebook(sample, { now: new Date('2026-11-22T10:00:00Z') }));
		expect(file).toMatchObject({
			format: 'edgebook-notebook',
			formatVersion: 1,
			exportedAt: '2026-11-22T10:00:00.000Z'
		});
	});

	it('gives different ids on every import, so nothing is overwritten', () => {
		const text = exportNotebook(sample);
		const a = parseNotebookFile(text);
		const b = parseNotebookFile(text);
		if (!a.ok || !b.ok) throw new Error('import failed');
		const ids = [
			a.notebook.id,
			b.notebook.id,
			...a.notebook.cells.map((c) => c.id),
			...b.notebook.cells.map((c) => c.id)
		];
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids).not.toContain('nb-1');
		// Valid as nbformat cell ids too, so an imported notebook exports to .ipynb unchanged.
		for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
	});

	it('keeps train, evaluate and predict cells, still pointing at their train cell under its new id', () => {
		const withModel = notebookSchema.parse({
			...sample,
			cells: [
				{ id: 't1', kind: 'train', config: { source: 'by_species', target: 'species' } },
				{ id: 'e1', kind: 'evaluate', trainCellId: 't1', data: 'by_species' },
				{ id: 'p1', kind: 'predict', trainCellId: 't1', data: 'by_species', name: 'p1' }
			]
		});
		const result = parseNotebookFile(exportNotebook(withModel));
		if (!result.ok) throw new Error('import failed');
		const [train, evaluate, predict] = result.notebook.cells;
		expect(predict).toMatchObject({ kind: 'predict', data: 'by_species', name: 'p1', trainCellId: train.id });
		expect(evaluate).toMatchObject({ kind: 'evaluate', trainCellId: train.id });
		expect(train.id).not.toBe('t1');
	});

	it('restores a soft-deleted notebook as live', () => {
		const result = parseNotebookFile(exportNotebook({ ...sample, deletedAt: 5 }));
		expect(result.ok && result.notebook.deletedAt).toBeNull();
	});

	it('fills schema defaults for fields an older file left out', () => {
		const result = parseNotebookFile(
			envelope({ ...sample, deletedAt: undefined, cells: [{ id: 'x', kind: 'sql', source: 'SELECT 1' }] })
		);
		expect(result.ok && result.notebook.cells[0]).toMatchObject({ name: '', output: null, collapsed: false });
	});
});

describe('parseNotebookFile refuses bad files, saying why', () => {
	const valid = JSON.parse(exportNotebook(sample));
	const withCells = (cells: unknown[]) => envelope({ ...valid.notebook, cells });
	const cases: { name: string; text: string; file?: string; code: ImportProblem; says: RegExp }[] = [
		{ name: 'empty file', text: '', code: 'empty', says: /^nb.json is empty$/ },
		{ name: 'whitespace only', text: ' \n\t', code: 'empty', says: /is empty/ },
		{ name: 'not JSON', text: 'hello', code: 'not-json', says: /^nb.json is not JSON at line 1, column 1: / },
		{
			name: 'truncated JSON',
			text: exportNotebook(sample).slice(0, 200),
			code: 'not-json',
			says: /is not JSON/
		},
		{ name: 'trailing comma', text: '{"a": 1,\n}', code: 'not-json', says: /at line 2, column 1/ },
		{
			name: 'a Jupyter notebook',
			text: JSON.stringify(toIpynb(sample)),
			file: 'analysis.ipynb',
			code: 'ipynb',
			says: /^analysis.ipynb is a Jupyter notebook/
		},
		{ name: 'a JSON array', text: '[1, 2]', code: 'not-edgebook', says: /not an Edgebook notebook/ },
		{
			name: 'other JSON object',
			text: '{"name": "package"}',
			code: 'not-edgebook',
			says: /not an Edgebook notebook/
		},
		{
			name: 'bare notebook without envelope',
			text: JSON.stringify(sample),
			code: 'not-edgebook',
			says: /"format"/
		},
		{
			name: 'newer format',
			text: envelope(valid.notebook, { formatVersion: 3 }),
			code: 'newer-version',
			says: /saved by a newer Edgebook: format 3, this app reads up to 1/
		},
		{
			name: 'version not a number',
			text: envelope(valid.notebook, { formatVersion: '1' }),
			code: 'invalid',
			says: /formatVersion: "1"/
		},
		{
			name: 'version missing',
			text: envelope(valid.notebook, { formatVersion: undefined }),
			code: 'invalid',
			says: /formatVersion: missing/
		},
		{
			name: 'notebook missing',
			text: envelope(undefined),
			code: 'invalid',
			says: /invalid contents: notebook: /
		},
		{
			name: 'unknown cell kind',
			text: withCells([...valid.notebook.cells.slice(0, 2), { id: 'x', kind: 'python', source: '' }]),
			code: 'invalid',
			says: /invalid contents: cells\[2\]\.kind: /
		},
		{
			name: 'bad table name',
			text: withCells([{ id: 'x', kind: 'sql', source: '', name: '1st' }]),
			code: 'invalid',
			says: /cells\[0\]\.name: a table name is letters/
		},
		{
			name: 'bad chart mark',
			text: withCells([{ id: 'x', kind: 'chart', spec: { mark: 'pie' } }]),
			code: 'invalid',
			says: /cells\[0\]\.spec\.mark: /
		},
		{
			name: 'several problems counted',
			text: envelope({ ...valid.notebook, title: 5, createdAt: 'x' }),
			code: 'invalid',
			says: /title: .*\(and 1 more problem\)$/
		},
		{
			name: 'too large',
			text: `{"pad": "${'x'.repeat(MAX_NOTEBOOK_FILE_BYTES)}"}`,
			code: 'too-large',
			says: /is 20\.0 MB; notebooks up to 20 MB/
		},
		{
			name: 'too large once encoded (multi-byte text)',
			text: `{"pad": "${'é'.repeat(MAX_NOTEBOOK_FILE_BYTES / 2 + 10)}"}`,
			code: 'too-large',
			says: /up to 20 MB/
		}
	];
	it.each(cases)('$name → $code', ({ text, file = 'nb.json', code, says }) => {
		const result = parseNotebookFile(text, file);
		expect(result).toMatchObject({ ok: false, code });
		expect(!result.ok && result.message).toMatch(says);
	});
});

describe('notebookFileName', () => {
	it.each([
		{ title: 'Penguin study', file: 'penguin-study.edgebook.json' },
		{ title: 'Café — été 2026!', file: 'cafe-ete-2026.edgebook.json' },
		{ title: '', file: 'notebook.edgebook.json' }
	])('$title → $file', ({ title, file }) => {
		expect(notebookFileName({ title })).toBe(file);
	});
});
