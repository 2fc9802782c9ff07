import { jsonErrorWhere } from '../data/json-position';
import { newId } from '../tracking/ids';
import { notebook as notebookSchema, type Notebook } from './schema';

export { toIpynb, type Ipynb } from './ipynb';

/**
 * The notebook file: the document wrapped in an envelope that says what it is and which version of the format
 * wrote it, so a future Edgebook can migrate old files and this one can refuse newer ones by name instead of
 * failing on a field it has never heard of. An imported file is a trust boundary: it is validated with the
 * same zod schema as IndexedDB reads, and every failure says which file and what is wrong.
 */

export const NOTEBOOK_FILE_FORMAT = 'edgebook-notebook';
export const NOTEBOOK_FORMAT_VERSION = 1;
export const MAX_NOTEBOOK_FILE_BYTES = 20 * 1024 * 1024;

export type ImportProblem =
	'empty' | 'too-large' | 'not-json' | 'ipynb' | 'not-edgebook' | 'newer-version' | 'invalid';

export type ImportResult =
	{ ok: true; notebook: Notebook } | { ok: false; code: ImportProblem; message: string };

export interface NotebookFile {
	format: typeof NOTEBOOK_FILE_FORMAT;
	formatVersion: number;
	/** ISO 8601, for people reading the file; import ignores it. */
	exportedAt: string;
	notebook: Notebook;
}

export function exportNotebook(nb: Notebook, options: { now?: Date } = {}): string {
	const file: NotebookFile = {
		format: NOTEBOOK_FILE_FORMAT,
		formatVersion: NOTEBOOK_FORMAT_VERSION,
		exportedAt: (options.now ?? new Date()).toISOString(),
		notebook: nb
	};
	return JSON.stringify(file, null, '\t') + '\n';
}

/** `Penguin study` → `penguin-study.edgebook.json`. */
export function notebookFileName(nb: Pick<Notebook, 'title'>): string {
	const slug = nb.title
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 60);
	return `${slug || 'notebook'}.edgebook.json`;
}

const fail = (code: ImportProblem, message: string): ImportResult => ({ ok: false, code, message });

function byteLength(text: string): number {
	// Each UTF-16 unit is at least one UTF-8 byte and at most three: only encode when it could matter.
	if (text.length > MAX_NOTEBOOK_FILE_BYTES || text.length * 3 <= MAX_NOTEBOOK_FILE_BYTES) return text.length;
	return new TextEncoder().encode(text).length;
}

/** `['cells', 2, 'kind']` → `cells[2].kind`. */
function pathText(path: readonly PropertyKey[]): string {
	let out = '';
	for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
	return out || 'notebook';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Read an exported notebook. The result has fresh ids for the notebook and every cell, so importing the same
 * file twice (or a copy of a notebook that is still here) adds a notebook and never overwrites one.
 */
export function parseNotebookFile(
	text: string,
	fileName = 'The file',
	options: { newId?: () => string } = {}
): ImportResult {
	if (text.trim() === '') return fail('empty', `${fileName} is empty`);
	const bytes = byteLength(text);
	if (bytes > MAX_NOTEBOOK_FILE_BYTES) {
		const mb = (bytes / 1024 / 1024).toFixed(1);
		return fail('too-large', `${fileName} is ${mb} MB; notebooks up to 20 MB can be imported`);
	}
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch (e) {
		return fail('not-json', `${fileName} is not JSON${jsonErrorWhere(text)}: ${(e as Error).message}`);
	}
	if (isObject(data) && typeof data.nbformat === 'number' && Array.isArray(data.cells)) {
		return fail(
			'ipynb',
			`${fileName} is a Jupyter notebook (.ipynb); Edgebook imports notebooks exported from Edgebook (.edgebook.json)`
		);
	}
	if (!isObject(data) || data.format !== NOTEBOOK_FILE_FORMAT) {
		return fail(
			'not-edgebook',
			`${fileName} is JSON but not an Edgebook notebook (no "format": "${NOTEBOOK_FILE_FORMAT}")`
		);
	}
	const version = data.formatVersion;
	if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
		return fail(
			'invalid',
			`${fileName} has an invalid formatVersion: ${JSON.stringify(version) ?? 'missing'}`
		);
	}
	if (version > NOTEBOOK_FORMAT_VERSION) {
		return fail(
			'newer-version',
			`${fileName} was saved by a newer Edgebook: format ${version}, this app reads up to ${NOTEBOOK_FORMAT_VERSION}`
		);
	}
	const parsed = notebookSchema.safeParse(data.notebook);
	if (!parsed.success) {
		const [first, ...rest] = parsed.error.issues;
		const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
		return fail(
			'invalid',
			`${fileName} has invalid contents: ${pathText(first.path)}: ${first.message}${more}`
		);
	}
	const id = options.newId ?? (() => newId());
	const nb = parsed.data;
	const notebookId = id();
	const ids = new Map(nb.cells.map((cell) => [cell.id, id()]));
	// Evaluate and predict cells name their train cell by id: follow it to the train cell's new id.
	const relink = (cell: Notebook['cells'][number]) =>
		(cell.kind === 'evaluate' || cell.kind === 'predict') && ids.has(cell.trainCellId)
			? { ...cell, trainCellId: ids.get(cell.trainCellId)! }
			: cell;
	return {
		ok: true,
		notebook: {
			...nb,
			id: notebookId,
			deletedAt: null,
			cells: nb.cells.map((cell) => ({ ...relink(cell), id: ids.get(cell.id)! }))
		}
	};
}
